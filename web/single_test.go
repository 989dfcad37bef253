package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// checkFragments checks that every internal link of a page leads to an
// element of the page, and that ids are unique.
func checkFragments(t *testing.T, name, body string) {
	t.Helper()
	idm := ids(t, name, body)
	for id, n := range idm {
		if n > 1 {
			t.Errorf("%s: id %q used %d times", name, shorten(id), n)
		}
	}
	for _, l := range hrefs(t, name, body) {
		if strings.HasPrefix(l, "#") && idm[l[1:]] == 0 {
			t.Errorf("%s: link %q leads nowhere", name, shorten(l))
		}
	}
}

var (
	metaCSP  = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)
	styleEl  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	hashSrcs = regexp.MustCompile(`'sha256-([A-Za-z0-9+/=]+)'`)
)

func TestWriteHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(context.Background(), &buf, newFake(), 1); err != nil {
		t.Fatal(err)
	}
	body := buf.String()
	if !strings.HasPrefix(body, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
		t.Error("not one HTML document")
	}
	checkPage(t, "single file", body, true)
	checkFragments(t, "single file", body)

	// The policy pins the inline style by its hash.
	m := metaCSP.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSP meta element")
	}
	policy := html.UnescapeString(m[1])
	for _, want := range []string{"default-src 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(policy, want) {
			t.Errorf("policy %q lacks %q", policy, want)
		}
	}
	if strings.Contains(policy, "unsafe-inline") || strings.Contains(policy, "script-src") && !strings.Contains(policy, "script-src 'none'") {
		t.Errorf("policy %q", policy)
	}
	styles := styleEl.FindAllStringSubmatch(body, -1)
	if len(styles) != 1 {
		t.Fatalf("%d style elements, want 1", len(styles))
	}
	sum := sha256.Sum256([]byte(styles[0][1]))
	hashes := hashSrcs.FindAllStringSubmatch(policy, -1)
	if len(hashes) != 1 || hashes[0][1] != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("policy hashes %v, the style's is %s", hashes, base64.StdEncoding.EncodeToString(sum[:]))
	}
	if styles[0][1] != string(styleCSS) {
		t.Error("the inline style differs from style.css")
	}

	for _, want := range []string{
		`<section id="overview">`, `<section id="findings">`, `<section id="exchanges">`, `<section id="dialogs">`, `<section id="registrations">`,
		`<a class="finding" href="#ex-x2">`, `href="#dlg-d1"`, `<svg class="ladder"`, `<a class="msg req" id="d1-m1-arrow" href="#d1-m1">`,
		`<details class="raw" id="d1-m1">`, `id="ex-x1"`, "alice@ims.example.com:ims.example.com:&lt;password&gt;", `class="v v-mismatch"`,
		`<svg class="timeline"`, `<svg class="chart auth"`, "frame.number in {8 12}", "Decided by",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("single file: no %q", want)
		}
	}
	for _, bad := range []string{"/runs/", "<form", "<link", "http://", "https://"} {
		if i := strings.Index(body, bad); i >= 0 && !(bad == "http://" && strings.Contains(snippet(body, i), `xmlns="http://www.w3.org/2000/svg"`)) {
			t.Errorf("single file: %q at %q", bad, snippet(body, i))
		}
	}
}

// TestWriteHTMLLimits checks the caps: a run with more dialogs than
// ladders lists the rest.
func TestWriteHTMLLimits(t *testing.T) {
	src := newFake()
	d := src.dialogs[0]
	for i := range fileMaxLadders + 5 {
		c := d
		c.ID = "extra-" + "zzz" + strconv.Itoa(i)
		c.CallID = "call-" + strconv.Itoa(i)
		src.dialogs = append(src.dialogs, c)
		src.messages[c.ID] = src.messages[d.ID][:2]
	}
	var buf bytes.Buffer
	if err := WriteHTML(context.Background(), &buf, src, 1); err != nil {
		t.Fatal(err)
	}
	body := buf.String()
	if n := strings.Count(body, `<svg class="ladder"`); n != fileMaxLadders {
		t.Errorf("%d ladders, want %d", n, fileMaxLadders)
	}
	if !strings.Contains(body, ">extra-zzz204<") {
		t.Error("the dialogs beyond the cap are not listed")
	}
	checkFragments(t, "limits", body)
}

func itoa(i int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10)))
}

func TestWriteHTMLErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(context.Background(), &buf, newFake(), 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}
	// An empty, incomplete run still makes a file.
	buf.Reset()
	if err := WriteHTML(context.Background(), &buf, newFake(), 2); err != nil {
		t.Fatal(err)
	}
	checkPage(t, "empty run", buf.String(), true)
	checkFragments(t, "empty run", buf.String())
	if !strings.Contains(buf.String(), "incomplete") {
		t.Error("the incomplete run is not marked")
	}
}
