package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// crawl follows every link from "/" and checks every page reached:
// status 200 (a 303 is followed), the security headers, and checkPage.
func crawl(t *testing.T, h http.Handler, limit int) int {
	t.Helper()
	seen := map[string]bool{"/": true}
	queue := []string{"/", "/runs/1/search?q=" + url.QueryEscape("<script>alert(1)</script>"),
		"/runs/1/findings?severity=%3Cscript%3E&user=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&callid=javascript:alert(1)"}
	n := 0
	for len(queue) > 0 && n < limit {
		target := queue[0]
		queue = queue[1:]
		n++
		rec := get(h, "GET", target)
		checkHeaders(t, target, rec)
		if rec.Code == http.StatusSeeOther {
			loc := rec.Header().Get("Location")
			if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
				t.Errorf("GET %s: redirect to %q", shorten(target), loc)
				continue
			}
			if !seen[loc] {
				seen[loc] = true
				queue = append(queue, loc)
			}
			continue
		}
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", shorten(target), rec.Code)
			continue
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			continue
		}
		body := rec.Body.String()
		checkPage(t, shorten(target), body, false)
		for _, l := range hrefs(t, target, body) {
			if !strings.HasPrefix(l, "/") {
				continue
			}
			l, _, _ = strings.Cut(l, "#")
			if !seen[l] {
				seen[l] = true
				queue = append(queue, l)
			}
		}
	}
	return n
}

func shorten(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

func TestCrawl(t *testing.T) {
	n := crawl(t, NewHandler(newFake(), Options{PageSize: 2}), 500)
	if n < 25 {
		t.Errorf("crawled %d pages", n)
	}
}

// The payloads every string of the hostile run carries.
var (
	payloadShort = `<script>alert(1)</script>"><img src=x onerror=alert(1)>javascript:alert(1)</svg>]]><![CDATA[x]]><svg onload=alert(1)>'` +
		"\x00\x01\x1b[31m\u202e\u200b\xff\xfe\xc3\x28&amp;&lt;"
	payloadLong = payloadShort + strings.Repeat("A", 64<<10) + "\xe2\x82"
)

// hostilize appends a payload to every non-empty string and byte slice
// reachable from v: the same input gives the same output, so IDs still
// refer to each other. IDs get the short payload, the rest the long one.
func hostilize(v reflect.Value, field string) {
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" || !v.CanSet() {
			return
		}
		p := payloadLong
		switch field {
		case "ID", "Exchange", "DialogID", "ExchangeID", "key":
			p = "/.." + payloadShort
		}
		v.SetString(v.String() + p)
	case reflect.Pointer:
		if !v.IsNil() {
			hostilize(v.Elem(), field)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				hostilize(v.Field(i), v.Type().Field(i).Name)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Len() > 0 && v.CanSet() {
				raw := append(bytes.Clone(v.Bytes()), []byte("X-Evil: "+payloadLong+"\r\nContact: <javascript:alert(1)>\r\n\r\n\x00\x01\xff binary")...)
				v.SetBytes(raw)
			}
			return
		}
		for i := range v.Len() {
			hostilize(v.Index(i), field)
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		m := reflect.MakeMap(v.Type())
		iter := v.MapRange()
		for iter.Next() {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(iter.Key())
			hostilize(k, field+"key")
			if field == "messages" {
				hostilize(k, "key")
			}
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(iter.Value())
			hostilize(val, field)
			m.SetMapIndex(k, val)
		}
		v.Set(m)
	}
}

func newHostile() *fakeSource {
	s := newFake()
	hostilize(reflect.ValueOf(&s.runs).Elem(), "runs")
	hostilize(reflect.ValueOf(&s.findings).Elem(), "findings")
	hostilize(reflect.ValueOf(&s.exchanges).Elem(), "exchanges")
	hostilize(reflect.ValueOf(&s.dialogs).Elem(), "dialogs")
	hostilize(reflect.ValueOf(&s.regs).Elem(), "regs")
	// messages: the map is keyed by dialog ID (short payload).
	msgs := map[string][]Message{}
	for k, v := range s.messages {
		hostilize(reflect.ValueOf(&v).Elem(), "messages")
		msgs[k+"/.."+payloadShort] = v
	}
	s.messages = msgs
	for id, ov := range s.overview {
		hostilize(reflect.ValueOf(ov).Elem(), "overview")
		ov.Run.ID = id
	}
	// A message that is only binary, and one with nothing.
	d := s.dialogs[0].ID
	s.messages[d] = append(s.messages[d],
		Message{Frames: []int{40}, Time: at(16000), Src: "::1]:5060\"><x", Dst: "[::1]:5060", Raw: []byte{0, 1, 2, 0xff, 0xfe, '<', 's', 'v', 'g', '>', 0xc0, 0x80}},
		Message{Frames: []int{41}, Src: ue, Dst: ue})
	return s
}

func TestHostile(t *testing.T) {
	src := newHostile()
	if !strings.Contains(src.exchanges[1].ID, "<script>") || !strings.Contains(string(src.messages[src.dialogs[0].ID][0].Raw), "X-Evil") {
		t.Fatal("the hostile fake is not hostile")
	}
	h := NewHandler(src, Options{})
	n := crawl(t, h, 500)
	if n < 20 {
		t.Errorf("crawled %d pages", n)
	}
	// The detail pages, reached directly with their hostile IDs.
	for _, target := range []string{
		"/runs/1/exchanges/" + seg(src.exchanges[1].ID),
		"/runs/1/dialogs/" + seg(src.dialogs[0].ID),
	} {
		rec := get(h, "GET", target)
		if rec.Code != 200 {
			t.Errorf("GET %s: %d", shorten(target), rec.Code)
		}
		body := rec.Body.String()
		checkPage(t, shorten(target), body, false)
		if !strings.Contains(body, `\x00\x01\x1B[31m\u{202E}\u{200B}\xFF\xFE\xC3(`) {
			t.Errorf("GET %s: control characters and invalid bytes are not shown as escapes", shorten(target))
		}
		if len(body) > 4<<20 {
			t.Errorf("GET %s: %d bytes", shorten(target), len(body))
		}
	}
	rec := get(h, "GET", "/runs/1/dialogs/"+seg(src.dialogs[0].ID)+"/pcap")
	cd := rec.Header().Get("Content-Disposition")
	if rec.Code != 200 || strings.ContainsAny(strings.TrimSuffix(strings.TrimPrefix(cd, `attachment; filename="`), `"`), "\"/\\;<> \r\n") {
		t.Errorf("pcap of a hostile dialog: %d %q", rec.Code, cd)
	}
	var buf bytes.Buffer
	if err := WriteHTML(context.Background(), &buf, src, 1); err != nil {
		t.Fatal(err)
	}
	checkPage(t, "hostile single file", buf.String(), true)
	checkFragments(t, "hostile single file", buf.String())
}
