package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func get(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

var wantHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":  "nosniff",
	"Referrer-Policy":         "no-referrer",
	"X-Frame-Options":         "DENY",
}

func checkHeaders(t *testing.T, target string, rec *httptest.ResponseRecorder) {
	t.Helper()
	for k, v := range wantHeaders {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", target, k, got, v)
		}
	}
}

func TestRoutes(t *testing.T) {
	h := NewHandler(newFake(), Options{})
	const html, css = "text/html; charset=utf-8", "text/css; charset=utf-8"
	cases := []struct {
		target string
		status int
		ctype  string
		want   []string
		absent []string
	}{
		{"/", 200, html, []string{`href="/runs/2"`, `href="/runs/1"`, "incomplete", "complete", `<table class="runs">`}, nil},
		{"/runs/1", 200, html, []string{"Findings by severity", `<svg class="chart hbar"`, `<svg class="chart auth"`, "capture.pcap", "Ethernet",
			`href="/runs/1/findings?severity=critical"`, `href="/runs/1/report.sarif"`, `<nav class="run">`, `<form class="search" method="get" action="/runs/1/search"`}, nil},
		{"/runs/2", 200, html, []string{"incomplete", "live:eth0", "No authentication exchanges."}, nil},
		{"/runs/1/findings", 200, html, []string{`<table class="findings">`, `<a class="finding" href="/runs/1/exchanges/x2">`,
			"frame.number in {8 12}", "frame.number == 6", `href="/runs/1/call?callid=a84b4c76e66710%4010.0.0.10"`, "SA508", "SA305"}, nil},
		{"/runs/1/findings?severity=high", 200, html, []string{"SA101", "SA207"}, []string{"SA302", "SA508", "SA305"}},
		{"/runs/1/findings?severity=bogus", 200, html, []string{"Unknown severity", "SA508"}, nil},
		{"/runs/1/findings?rule=SA302", 200, html, []string{"md5-only"}, []string{"invalid-response-accepted", "SA508"}},
		{"/runs/1/findings?user=bob", 200, html, []string{"SA101", "SA302"}, []string{"SA508"}},
		{"/runs/1/findings?source=10.0.0.10", 200, html, []string{"SA101"}, nil},
		{"/runs/1/findings?callid=" + url.QueryEscape(call1), 200, html, []string{"SA101", "SA302"}, []string{"SA207"}},
		{"/runs/1/findings?n=2", 200, html, []string{"1–2 of 5", `href="/runs/1/findings?n=2&amp;offset=2"`}, nil},
		{"/runs/1/findings?n=2&offset=4", 200, html, []string{"5–5 of 5", `href="/runs/1/findings?n=2&amp;offset=2"`}, []string{"next →"}},
		{"/runs/1/exchanges", 200, html, []string{`<table class="exchanges">`, `href="/runs/1/exchanges/x1"`, `href="/runs/1/exchanges/x2"`, `href="/runs/1/dialogs/d1"`}, nil},
		{"/runs/1/exchanges?user=bob", 200, html, []string{`href="/runs/1/exchanges/x2"`}, []string{`href="/runs/1/exchanges/x1"`}},
		{"/runs/1/exchanges/x1", 200, html, []string{"alice@ims.example.com:ims.example.com:&lt;password&gt;", "&lt;H(A1) withheld&gt;",
			"REGISTER:sip:ims.example.com", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", `class="v v-match"`,
			`class="big v v-valid"`, `class="big v v-accepted"`, "SA305"}, nil},
		{"/runs/1/exchanges/x2", 200, html, []string{"Decided by", "SA101", "RFC 7616 3.4", `class="v v-mismatch"`, "6629fae49393a05397450978507c4ef1",
			"0123456789abcdef0123456789abcdef", `href="/runs/1/dialogs/d1"`, "frame.number == 6"}, nil},
		{"/runs/1/dialogs", 200, html, []string{`<table class="dialogs">`, `href="/runs/1/dialogs/d1"`}, nil},
		{"/runs/1/dialogs/d1", 200, html, []string{`<svg class="ladder"`, `<a class="msg req" id="m1-arrow" href="#m1">`, `<details class="raw" id="m1">`,
			`<details class="raw auth" id="m2">`, `class="msg req auth retrans"`, "407 Proxy Authentication Required", "Proxy-Authorization: Digest",
			"BYE sip:alice@10.0.0.20:5060", "10.0.0.20:5060", `href="/runs/1/dialogs/d1/pcap"`, "frame.number == 30", `href="/runs/1/exchanges/x2"`}, nil},
		{"/runs/1/registrations", 200, html, []string{`<svg class="timeline"`, "sip:alice@ims.example.com", "tel:&#43;15551234", "deregistered", `class="binding open"`}, nil},
		{"/runs/1/search", 200, html, []string{`name="q"`}, []string{"Nothing found"}},
		{"/runs/1/search?q=bob", 200, html, []string{`href="/runs/1/exchanges/x2"`, "SA101"}, nil},
		{"/runs/1/search?q=8", 200, html, []string{`href="/runs/1/exchanges/x2"`, `href="/runs/1/dialogs/d1"`}, nil},
		{"/runs/1/search?q=" + url.QueryEscape("10.0.0.20"), 200, html, []string{`href="/runs/1/exchanges/x1"`}, nil},
		{"/runs/1/search?q=nobody", 200, html, []string{"Nothing found"}, nil},
		{"/runs/1/call?callid=" + url.QueryEscape(call1), 303, "", nil, nil},
		{"/runs/1/call?callid=" + url.QueryEscape(reg1), 200, html, []string{`href="/runs/1/exchanges/x1"`}, nil},
		{"/runs/1/report.json", 200, "application/json", []string{`{"run":1`}, nil},
		{"/runs/1/report.sarif", 200, "application/sarif+json", []string{`"2.1.0"`}, nil},
		{"/runs/1/report.csv", 200, "text/csv; charset=utf-8", []string{"SA101,critical"}, nil},
		{"/runs/1/dialogs/d1/pcap", 200, "application/vnd.tcpdump.pcap", []string{"\xd4\xc3\xb2\xa1"}, nil},
		{"/static/style.css", 200, css, []string{"svg.ladder"}, nil},
		// unknown
		{"/runs/9", 404, html, []string{"404 Not Found"}, nil},
		{"/runs/abc", 404, html, nil, nil},
		{"/runs/01", 404, html, nil, nil},
		{"/runs/9/findings", 404, html, nil, nil},
		{"/runs/9/exchanges", 404, html, nil, nil},
		{"/runs/9/dialogs", 404, html, nil, nil},
		{"/runs/9/registrations", 404, html, nil, nil},
		{"/runs/9/search?q=x", 404, html, nil, nil},
		{"/runs/9/report.json", 404, html, nil, nil},
		{"/runs/1/exchanges/nope", 404, html, nil, nil},
		{"/runs/1/dialogs/nope", 404, html, nil, nil},
		{"/runs/1/dialogs/nope/pcap", 404, html, nil, nil},
		{"/runs/1/call", 404, html, nil, nil},
		{"/runs/1/report.xml", 404, html, nil, nil},
		{"/nowhere", 404, html, nil, nil},
		{"/static/other.css", 404, html, nil, nil},
	}
	for _, c := range cases {
		rec := get(h, "GET", c.target)
		body := rec.Body.String()
		if rec.Code != c.status {
			t.Errorf("GET %s: status %d, want %d", c.target, rec.Code, c.status)
			continue
		}
		checkHeaders(t, c.target, rec)
		if c.ctype != "" && rec.Header().Get("Content-Type") != c.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", c.target, rec.Header().Get("Content-Type"), c.ctype)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q", c.target, w)
			}
		}
		for _, w := range c.absent {
			if strings.Contains(body, w) {
				t.Errorf("GET %s: unexpected %q", c.target, w)
			}
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			checkPage(t, c.target, body, false)
		}
	}
}

func TestDownloadHeaders(t *testing.T) {
	h := NewHandler(newFake(), Options{})
	for target, name := range map[string]string{
		"/runs/1/report.json":     "sipaudit-run-1.json",
		"/runs/1/report.sarif":    "sipaudit-run-1.sarif",
		"/runs/1/report.csv":      "sipaudit-run-1.csv",
		"/runs/1/dialogs/d1/pcap": "sipaudit-run-1-dialog-d1.pcap",
	} {
		rec := get(h, "GET", target)
		if got, want := rec.Header().Get("Content-Disposition"), `attachment; filename="`+name+`"`; got != want {
			t.Errorf("%s: Content-Disposition %q, want %q", target, got, want)
		}
	}
	if got := fileSafe(`a"b/../c;\r\n` + "\x00é"); got != "a_b____c____n___" && strings.ContainsAny(got, "\"/;\\\r\n\x00") {
		t.Errorf("fileSafe kept %q", got)
	}
}

func TestCallRedirect(t *testing.T) {
	h := NewHandler(newFake(), Options{})
	rec := get(h, "GET", "/runs/1/call?callid="+url.QueryEscape(call1))
	if loc := rec.Header().Get("Location"); loc != "/runs/1/dialogs/d1" {
		t.Errorf("Location %q", loc)
	}
	checkHeaders(t, "call", rec)
}

func TestMethods(t *testing.T) {
	h := NewHandler(newFake(), Options{})
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		for _, target := range []string{"/", "/runs/1", "/runs/1/findings", "/runs/1/report.json", "/static/style.css", "/nowhere"} {
			rec := get(h, m, target)
			if rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", m, target, rec.Code)
			}
			if rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: Allow %q", m, target, rec.Header().Get("Allow"))
			}
			checkHeaders(t, m+" "+target, rec)
		}
	}
	rec := get(h, "HEAD", "/runs/1")
	if rec.Code != 200 {
		t.Errorf("HEAD: %d", rec.Code)
	}
	checkHeaders(t, "HEAD", rec)
}

var errDB = errors.New("database is locked: /secret/path.db")

func TestInternalError(t *testing.T) {
	var logs bytes.Buffer
	src := newFake()
	src.exportErr = errDB
	h := NewHandler(errOverview{src}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, target := range []string{"/runs/1", "/runs/1/report.json"} {
		rec := get(h, "GET", target)
		if rec.Code != 500 {
			t.Fatalf("%s: %d, want 500", target, rec.Code)
		}
		checkHeaders(t, target, rec)
		if strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("%s: the page shows the error's detail", target)
		}
		if rec.Header().Get("Content-Disposition") != "" {
			t.Errorf("%s: an error page sent as an attachment", target)
		}
	}
	if !strings.Contains(logs.String(), "/secret/path.db") {
		t.Errorf("the detail was not logged: %q", logs.String())
	}
}

// errOverview is the fake with a failing Overview.
type errOverview struct{ *fakeSource }

func (errOverview) Overview(context.Context, int64) (*Overview, error) { return nil, errDB }

// TestFavicon: the icon browsers ask for on every page is an empty
// answer, with the security headers, not a 404.
func TestFavicon(t *testing.T) {
	rec := httptest.NewRecorder()
	NewHandler(&fakeSource{}, Options{}).ServeHTTP(rec, httptest.NewRequest("GET", "/favicon.ico", nil))
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 || rec.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("favicon: %d, %d bytes, CSP %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Security-Policy"))
	}
}

// TestDecides: the clause that decides an exchange comes from a finding
// about its digest, nonce or secret, not from a posture finding such as
// cleartext transport.
func TestDecides(t *testing.T) {
	x := &Exchange{ID: "e1", Findings: []finding.Finding{{Rule: "SA305", Severity: finding.Low}}}
	if v := newExchangeView(serverLinks{}, 1, x); v.Decides != nil {
		t.Errorf("SA305 decides the exchange: %+v", v.Decides)
	}
	x.Findings = append(x.Findings, finding.Finding{Rule: "SA202", Severity: finding.Medium}, finding.Finding{Rule: "SA301", Severity: finding.Critical})
	if v := newExchangeView(serverLinks{}, 1, x); v.Decides == nil || v.Decides.Rule != "SA202" {
		t.Errorf("decided by %+v, want SA202", v.Decides)
	}
}
