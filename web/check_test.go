package web

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// htmlTag is one start or end tag of a page, as the checks see it.
type htmlTag struct {
	name  string
	end   bool
	attrs [][2]string // name, unescaped value
}

// scanTags splits a page into its tags. The pages are written by
// html/template, so every '<' in them starts a tag, a comment or the
// doctype: a '<' followed by anything else is reported.
func scanTags(t testing.TB, name, body string) []htmlTag {
	t.Helper()
	var tags []htmlTag
	for i := 0; i < len(body); i++ {
		if body[i] != '<' {
			continue
		}
		if i+1 >= len(body) {
			t.Errorf("%s: '<' at the end", name)
			break
		}
		c := body[i+1]
		switch {
		case c == '!':
			j := strings.IndexByte(body[i:], '>')
			if j < 0 {
				t.Errorf("%s: unterminated <!", name)
				return tags
			}
			i += j
			continue
		case c == '/' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		default:
			t.Errorf("%s: bare '<' at %d: %q", name, i, snippet(body, i))
			continue
		}
		tg := htmlTag{}
		j := i + 1
		if body[j] == '/' {
			tg.end = true
			j++
		}
		k := j
		for k < len(body) && !strings.ContainsRune(" \t\n\r/>", rune(body[k])) {
			k++
		}
		tg.name = strings.ToLower(body[j:k])
		// attributes
		for k < len(body) && body[k] != '>' {
			for k < len(body) && strings.ContainsRune(" \t\n\r/", rune(body[k])) {
				k++
			}
			if k >= len(body) || body[k] == '>' {
				break
			}
			a := k
			for k < len(body) && !strings.ContainsRune(" \t\n\r=>", rune(body[k])) {
				k++
			}
			an := strings.ToLower(body[a:k])
			val := ""
			if k < len(body) && body[k] == '=' {
				k++
				if k < len(body) && (body[k] == '"' || body[k] == '\'') {
					q := body[k]
					e := strings.IndexByte(body[k+1:], q)
					if e < 0 {
						t.Errorf("%s: unterminated attribute %s", name, an)
						return tags
					}
					val = body[k+1 : k+1+e]
					k += e + 2
				} else {
					v := k
					for k < len(body) && !strings.ContainsRune(" \t\n\r>", rune(body[k])) {
						k++
					}
					val = body[v:k]
				}
			}
			tg.attrs = append(tg.attrs, [2]string{an, html.UnescapeString(val)})
		}
		tags = append(tags, tg)
		i = k
		if tg.name == "style" && !tg.end {
			e := strings.Index(body[i:], "</style>")
			if e < 0 {
				t.Errorf("%s: unterminated <style>", name)
				return tags
			}
			i += e - 1
		}
	}
	return tags
}

func snippet(s string, i int) string {
	return s[max(i-60, 0):min(i+60, len(s))]
}

// checkPage checks that a page is safe whatever its data: no script,
// no event handler, no style attribute, no dangerous URL, valid UTF-8,
// every SVG well-formed XML. external reports links and sources that
// leave the page (forbidden in the single file).
func checkPage(t testing.TB, name, body string, single bool) {
	t.Helper()
	if !utf8.ValidString(body) {
		t.Errorf("%s: invalid UTF-8 in output", name)
	}
	low := strings.ToLower(body)
	for _, bad := range []string{"<script", "<img", "<iframe", "<object", "<embed", "<svg onload", "<base"} {
		if strings.Contains(low, bad) {
			i := strings.Index(low, bad)
			t.Errorf("%s: output contains %s: %q", name, bad, snippet(body, i))
		}
	}
	svgOpen, svgClose := 0, 0
	for _, tg := range scanTags(t, name, body) {
		switch tg.name {
		case "script", "iframe", "object", "embed", "img", "base", "frame", "applet", "meta http-equiv=refresh":
			t.Errorf("%s: tag <%s>", name, tg.name)
		case "svg":
			if tg.end {
				svgClose++
			} else {
				svgOpen++
			}
		case "link":
			if single {
				t.Errorf("%s: <link> in the single file", name)
			}
		}
		for _, a := range tg.attrs {
			an, av := a[0], strings.ToLower(strings.TrimSpace(a[1]))
			switch {
			case strings.HasPrefix(an, "on"):
				t.Errorf("%s: event handler attribute %s=%q on <%s>", name, an, snippet(a[1], 0), tg.name)
			case an == "style", an == "srcdoc", an == "formaction":
				t.Errorf("%s: attribute %s on <%s>", name, an, tg.name)
			case an == "href" || an == "src" || an == "action" || an == "xlink:href" || an == "poster" || an == "data":
				for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
					if strings.Contains(av, scheme) {
						t.Errorf("%s: %s with %s on <%s>: %q", name, an, scheme, tg.name, snippet(av, strings.Index(av, scheme)))
					}
				}
				if !strings.HasPrefix(av, "/") && !strings.HasPrefix(av, "#") && av != "style.css" {
					t.Errorf("%s: %s=%q on <%s> is neither a path nor a fragment", name, an, snippet(av, 0), tg.name)
				}
				if strings.HasPrefix(av, "//") || strings.Contains(av, "http:") || strings.Contains(av, "https:") {
					t.Errorf("%s: external reference %s=%q", name, an, snippet(av, 0))
				}
				if single && !strings.HasPrefix(av, "#") {
					t.Errorf("%s: non-fragment %s=%q in the single file", name, an, snippet(av, 0))
				}
			}
		}
	}
	if svgOpen != svgClose {
		t.Errorf("%s: %d <svg> but %d </svg>", name, svgOpen, svgClose)
	}
	// Every SVG must be well-formed XML.
	rest := body
	for n := 0; ; n++ {
		i := strings.Index(rest, "<svg")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], "</svg>")
		if j < 0 {
			t.Errorf("%s: unterminated svg", name)
			break
		}
		svg := rest[i : i+j+len("</svg>")]
		dec := xml.NewDecoder(strings.NewReader(svg))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s: svg %d is not well-formed XML: %v", name, n, err)
				break
			}
		}
		rest = rest[i+j+len("</svg>"):]
	}
}

// hrefs lists the links of a page (unescaped).
func hrefs(t testing.TB, name, body string) []string {
	var out []string
	for _, tg := range scanTags(t, name, body) {
		for _, a := range tg.attrs {
			if a[0] == "href" || a[0] == "action" {
				out = append(out, a[1])
			}
		}
	}
	return out
}

// ids lists the id attributes of a page.
func ids(t testing.TB, name, body string) map[string]int {
	m := map[string]int{}
	for _, tg := range scanTags(t, name, body) {
		for _, a := range tg.attrs {
			if a[0] == "id" {
				m[a[1]]++
			}
		}
	}
	return m
}

// errRecorder keeps the errors of a check instead of failing.
type errRecorder struct {
	testing.TB
	errs []string
}

func (r *errRecorder) Helper() {}
func (r *errRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestCheckPageCatches makes sure the checks would see an attack.
func TestCheckPageCatches(t *testing.T) {
	for _, bad := range []string{
		`<p>x</p><script>alert(1)</script>`,
		`<p><img src=x onerror=alert(1)></p>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="&#106;avascript:alert(1)">x</a>`,
		`<a HREF='JavaScript:alert(1)'>x</a>`,
		`<p onclick="x()">x</p>`,
		`<p style="color:red">x</p>`,
		`<svg><text>a</svg></text></svg>`,
		`<svg><text>a & b</text></svg>`,
		`<p>1 < 2</p>`,
		"<p>\xff\xfe</p>",
		`<a href="https://evil.example/">x</a>`,
	} {
		r := &errRecorder{TB: t}
		checkPage(r, "bad", bad, true)
		if len(r.errs) == 0 {
			t.Errorf("checkPage accepts %q", bad)
		}
	}
	r := &errRecorder{TB: t}
	checkPage(r, "good", `<p class="x">a &lt;script&gt; onerror=1 javascript:x</p><svg xmlns="http://www.w3.org/2000/svg"><a href="#m1"><text>&#34;&lt;/svg&gt;</text></a></svg>`, true)
	if len(r.errs) != 0 {
		t.Errorf("checkPage refuses a good page: %v", r.errs)
	}
}
