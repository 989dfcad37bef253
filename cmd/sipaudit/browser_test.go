package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/rules"
	"github.com/sipaudit/sipaudit/store"
	"github.com/sipaudit/sipaudit/web"
)

var screenshots = flag.Bool("screenshots", false, "TestBrowser: write the screenshots of docs/screenshots")

const (
	browserTimeout = 90 * time.Second
	shotWidth      = 1280
	shotHeight     = 900 // the window
	shotDir        = "../../docs/screenshots"
)

// findBrowser returns the path of a Chromium or Chrome, or "".
func findBrowser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// storeCapture analyzes one capture (with the credentials in creds when
// set) with every rule into a new run of db, as "sipaudit analyze --db"
// does, and returns the run's ID.
func storeCapture(t *testing.T, ctx context.Context, db *store.DB, path, creds string) int64 {
	t.Helper()
	var cs []analyzer.Credential
	args := []string{"analyze", path}
	if creds != "" {
		var err error
		if cs, err = readCreds(creds); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--creds", creds)
	}
	run, err := db.BeginRun(ctx, store.RunInfo{Version: "test", Args: args, Started: time.Unix(1700000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	engine := analyzer.NewEngine(0, rules.All(rules.Config{})...)
	an := analyzer.New(analyzer.Config{
		Verifier:       analyzer.NewVerifier(cs, digest.Config{}),
		Rules:          engine,
		OnMessage:      run.AddMessage,
		OnExchange:     run.AddExchange,
		OnDialog:       run.AddDialog,
		OnRegistration: run.AddRegistration,
	})
	in, cst := readThrough(t, ctx, an, path)
	run.AddInput(in)
	run.AddFindings(engine.Findings())
	stats := an.Stats()
	stats.Packets = cst.Packets
	if err := run.Finish(ctx, store.Summary{Stats: stats, Capture: cst}, true); err != nil {
		t.Fatal(err)
	}
	return run.ID()
}

// TestBrowser drives the web report in a headless Chromium: two runs
// (example.pcap with its credentials, and hostile.pcap, whose SIP is
// written to attack the viewer), every page of each, a click on a ladder
// arrow and on a finding, the search form. No page may run any script:
// no JavaScript dialog, no exception, no console call, no script
// element, no event handler attribute. With -screenshots it writes the
// pictures of docs/screenshots from the example run.
func TestBrowser(t *testing.T) {
	exe := findBrowser()
	if exe == "" {
		t.Skip("no chromium, chromium-browser or google-chrome in PATH: the browser test needs one (Debian: apt-get install chromium)")
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()

	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "runs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exampleRun := storeCapture(t, ctx, db, srcPcap, "../../testdata/example-creds.csv")
	hostileRun := storeCapture(t, ctx, db, hostilePcap, "")
	src := newDBSource(db)
	srv := httptest.NewServer(web.NewHandler(src, web.Options{}))
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.WindowSize(shotWidth, shotHeight),
		chromedp.Flag("hide-scrollbars", true),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx, opts...)
	defer allocCancel() // stops the browser process
	bctx, bcancel := chromedp.NewContext(allocCtx)
	defer bcancel()

	b := &browser{t: t, ctx: bctx, base: srv.URL, src: src, record: &record{}}
	if err := chromedp.Listen(bctx, b.event); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	defer b.report()
	b.canary()

	// The list of runs.
	b.open("/", "Runs")
	if n := b.count("table.runs a.run"); n != 2 {
		t.Errorf("/: %d runs listed, want 2", n)
	}
	for _, id := range []int64{exampleRun, hostileRun} {
		if b.count(fmt.Sprintf(`table.runs a.run[href="/runs/%d"]`, id)) != 1 {
			t.Errorf("/: no link to run %d", id)
		}
	}

	t.Run("example", func(t *testing.T) { b.withT(t).checkRun(exampleRun, false) })
	t.Run("hostile", func(t *testing.T) { b.withT(t).checkRun(hostileRun, true) })

	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) > 0 {
		t.Errorf("%d JavaScript dialogs opened: %q", len(b.dialogs), b.dialogs)
	}
	if len(b.exceptions) > 0 {
		t.Errorf("%d JavaScript exceptions: %q", len(b.exceptions), b.exceptions)
	}
	if len(b.console) > 0 {
		t.Errorf("%d console API calls (a script ran): %q", len(b.console), b.console)
	}
	t.Logf("%d pages checked in %v", b.pages, time.Since(start).Round(time.Millisecond))
}

// browser is the state of the test: the tab, what it saw.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	src  web.Source

	*record
}

// record is what the browser reported, for the whole test.
type record struct {
	mu         sync.Mutex
	pages      int
	dialogs    []string // JavaScript dialogs that opened: must stay empty
	exceptions []string // uncaught exceptions: must stay empty
	console    []string // console API calls: must stay empty (no script runs)
	refused    []string // CSP violations (the policy did its job)
	logs       []string // other browser log entries
	seen       int      // dialogs, exceptions and console calls already blamed on a page
}

func (b *browser) withT(t *testing.T) *browser {
	c := *b
	c.t = t
	return &c
}

// event records the events that tell that a script ran. It runs in the
// loop that reads the browser's messages, so it must not block.
func (b *browser) event(ev any) {
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		b.mu.Lock()
		b.dialogs = append(b.dialogs, fmt.Sprintf("%s %q on %s", ev.Type, ev.Message, ev.URL))
		b.mu.Unlock()
		// A dialog blocks the page: dismiss it so that the test goes on
		// (and fails).
		go chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		b.mu.Lock()
		b.exceptions = append(b.exceptions, fmt.Sprintf("%s (%s:%d)", text, d.URL, d.LineNumber))
		b.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			args = append(args, string(a.Value)+a.Description)
		}
		b.mu.Lock()
		b.console = append(b.console, fmt.Sprintf("console.%s(%s)", ev.Type, strings.Join(args, ", ")))
		b.mu.Unlock()
	case *log.EventEntryAdded:
		e := ev.Entry
		b.mu.Lock()
		if strings.HasPrefix(e.Text, "Refused to") {
			b.refused = append(b.refused, e.Text+" ("+e.URL+")")
		} else {
			b.logs = append(b.logs, string(e.Level)+": "+e.Text+" ("+e.URL+")")
		}
		b.mu.Unlock()
	}
}

// canary checks that the listeners see a script run: a page with no
// policy that opens an alert, logs and throws. It then forgets what
// they saw.
func (b *browser) canary() {
	b.t.Helper()
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><title>canary</title><script>console.log("canary"); alert("canary"); throw new Error("canary")</script>`)
	}))
	defer evil.Close()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(evil.URL)); err != nil {
		b.t.Fatalf("canary: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		d, c, e := len(b.dialogs), len(b.console), len(b.exceptions)
		if d > 0 && c > 0 && e > 0 || time.Now().After(deadline) {
			b.dialogs, b.console, b.exceptions, b.logs = nil, nil, nil, nil
			b.mu.Unlock()
			if d == 0 || c == 0 || e == 0 {
				b.t.Fatalf("canary: the listeners saw %d dialogs, %d console calls, %d exceptions of a page that has one of each", d, c, e)
			}
			return
		}
		b.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *browser) report() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.refused {
		b.t.Logf("CSP: %.300s", s)
	}
	for _, s := range b.logs {
		b.t.Logf("browser log: %.300s", s)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its
// value (the test's own script: the DevTools protocol is not subject
// to the page's policy and does not count as the page's script).
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluating %.200s: %v", expr, err)
	}
	return v
}

func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, "document.querySelectorAll("+jsString(sel)+").length")
}

// text is the rendered text of the first element that matches sel, or
// "" when there is none.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, "(e => e ? e.innerText : '')(document.querySelector("+jsString(sel)+"))")
}

func (b *browser) texts(sel string) []string {
	b.t.Helper()
	return eval[[]string](b, "Array.from(document.querySelectorAll("+jsString(sel)+"), e => e.innerText)")
}

// path is the page's path, query and fragment, decoded.
func (b *browser) path() string {
	b.t.Helper()
	return eval[string](b, "decodeURIComponent(location.pathname + location.search + location.hash)")
}

// pageState is what every page is checked for.
type pageState struct {
	Title, Href, Main, H1 string
	ErrorPage             bool
	Scripts, AllScripts   int
	Handlers, JSURLs      []string
	Embeds                int
}

const pageStateJS = `(() => {
	const handlers = [], jsurls = [];
	for (const e of document.querySelectorAll('*')) {
		for (const a of e.attributes) {
			if (a.name.toLowerCase().startsWith('on')) handlers.push(e.tagName + ' ' + a.name);
			if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(a.name.toLowerCase()) &&
				/^\s*(javascript|vbscript|data):/i.test(a.value)) jsurls.push(e.tagName + ' ' + a.name + '=' + a.value.slice(0, 80));
		}
	}
	const main = document.querySelector('main#main');
	const h1 = document.querySelector('main h1, main h2');
	return {
		Title: document.title, Href: location.href,
		Main: main ? main.innerText.slice(0, 200) : '',
		H1: h1 ? h1.innerText : '',
		ErrorPage: location.href.startsWith('chrome-error:') || !!document.getElementById('main-frame-error'),
		Scripts: document.scripts.length,
		AllScripts: document.querySelectorAll('script').length,
		Handlers: handlers, JSURLs: jsurls,
		Embeds: document.querySelectorAll('iframe, frame, object, embed, img, base, meta[http-equiv="refresh" i], link[rel]:not([rel="stylesheet"])').length,
	};
})()`

// checkPage checks that the page in the tab rendered, as a report page,
// and holds nothing that could run.
func (b *browser) checkPage(what string) pageState {
	b.t.Helper()
	s := eval[pageState](b, pageStateJS)
	b.mu.Lock()
	b.pages++
	if n := len(b.dialogs) + len(b.exceptions) + len(b.console); n > b.seen {
		b.t.Errorf("%s: a script ran: dialogs %q, exceptions %q, console %q", what, b.dialogs, b.exceptions, b.console)
		b.seen = n
	}
	b.mu.Unlock()
	switch {
	case s.ErrorPage:
		b.t.Errorf("%s: the browser shows its error page (%s)", what, s.Href)
	case !strings.HasSuffix(s.Title, " · sipaudit") || strings.TrimSuffix(s.Title, " · sipaudit") == "":
		b.t.Errorf("%s: title %q", what, s.Title)
	case s.Main == "":
		b.t.Errorf("%s: nothing rendered in main", what)
	}
	if s.Scripts != 0 || s.AllScripts != 0 {
		b.t.Errorf("%s: document.scripts.length = %d, %d script elements in all", what, s.Scripts, s.AllScripts)
	}
	if len(s.Handlers) > 0 {
		b.t.Errorf("%s: event handler attributes: %q", what, s.Handlers)
	}
	if len(s.JSURLs) > 0 {
		b.t.Errorf("%s: script URLs in attributes: %q", what, s.JSURLs)
	}
	if s.Embeds != 0 {
		b.t.Errorf("%s: %d embedded elements (img, iframe, object, base ...)", what, s.Embeds)
	}
	return s
}

// open loads a page of the report and checks it; wantH1 is the start
// of its first heading.
func (b *browser) open(path, wantH1 string) pageState {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	if resp.Status != http.StatusOK {
		b.t.Errorf("GET %s: status %d", path, resp.Status)
	}
	s := b.checkPage(path)
	if !strings.HasPrefix(s.H1, wantH1) {
		b.t.Errorf("%s: heading %q, want %q...", path, s.H1, wantH1)
	}
	return s
}

// follow clicks the element sel and waits for the page it loads.
func (b *browser) follow(sel string) pageState {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("clicking %s: %v", sel, err)
	}
	if resp.Status != http.StatusOK {
		b.t.Errorf("clicking %s: status %d", sel, resp.Status)
	}
	return b.checkPage("after clicking " + sel)
}

// shot writes a screenshot of the page, full width, cut at maxHeight
// (to keep the file small), when the test runs with -screenshots.
func (b *browser) shot(name string, maxHeight float64) {
	b.t.Helper()
	if !*screenshots {
		return
	}
	if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void]("window.scrollTo(0, 0)")); err != nil {
		b.t.Fatal(err)
	}
	m, err := chromedp.Call(b.ctx, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		b.t.Fatal(err)
	}
	h := float64(shotHeight)
	if m.CSSContentSize != nil {
		h = math.Min(math.Ceil(m.CSSContentSize.Height), maxHeight)
	}
	res, err := chromedp.Call(b.ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		Clip:                  &page.Viewport{Width: shotWidth, Height: h, Scale: 1},
		CaptureBeyondViewport: new(true),
		FromSurface:           new(true),
	})
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(shotDir, name+".png")
	if err := os.WriteFile(path, res.Data, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("wrote %s (%dx%d, %d KB)", path, shotWidth, int(h), len(res.Data)/1024)
}

// shown is how a page shows a short value: html/template escapes it, so
// a plain value (printable ASCII) shows as it is. ok is false for the
// others, which the page shows escaped (\xNN).
func shown(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return "", false
		}
	}
	return s, true
}

// checkRun loads every page of a run, and follows the links that matter.
func (b *browser) checkRun(run int64, hostile bool) {
	t := b.t
	ctx := b.ctx
	base := "/runs/" + strconv.FormatInt(run, 10)
	ov, err := b.src.Overview(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("run %d: %d messages, %d exchanges, %d dialogs, %d registrations, %d findings",
		run, ov.Run.SIPMessages, ov.Run.Exchanges, ov.Run.Dialogs, ov.Run.Registrations, ov.Run.Findings)

	// Overview.
	b.open(base, "Run "+strconv.FormatInt(run, 10))
	if got := b.texts("header.top nav.run a"); strings.Join(got, ",") != "Overview,Findings,Exchanges,Dialogs,Registrations" {
		t.Errorf("overview: navigation %q", got)
	}
	if got := b.text("header.top nav.run a.active"); got != "Overview" {
		t.Errorf("overview: active navigation %q", got)
	}
	if b.count("form.search input[name=q]") != 1 {
		t.Error("overview: no search form")
	}
	cards := b.text("main .cards")
	for _, n := range []int{ov.Run.Packets, ov.Run.SIPMessages, ov.Run.Exchanges, ov.Run.Dialogs, ov.Run.Findings} {
		if !strings.Contains(cards, strconv.Itoa(n)) {
			t.Errorf("overview: the counts %q lack %d", cards, n)
		}
	}
	if want := min(len(ov.FindingsByRule), 100); b.count("table.rules tbody tr") != want {
		t.Errorf("overview: %d rules listed, want %d", b.count("table.rules tbody tr"), want)
	}
	if len(ov.FindingsByRule) > 0 {
		if r := b.text("table.rules tbody tr:first-child a.rule"); r != ov.FindingsByRule[0].ID {
			t.Errorf("overview: first rule %q, want %q", r, ov.FindingsByRule[0].ID)
		}
	}
	if len(ov.Auth) > 0 && b.count("svg.chart.auth g.bucket") != len(ov.Auth) {
		t.Errorf("overview: %d buckets in the auth chart, want %d", b.count("svg.chart.auth g.bucket"), len(ov.Auth))
	}
	if got := eval[[]string](b, `Array.from(document.querySelectorAll('a.download'), a => a.getAttribute('href'))`); strings.Join(got, " ") !=
		base+"/report.json "+base+"/report.sarif "+base+"/report.csv" {
		t.Errorf("overview: downloads %q", got)
	}
	if !hostile {
		b.shot("overview", 1700)
	}

	// Findings, and a click on one.
	fs, nf, err := b.src.Findings(ctx, run, web.FindingFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	b.open(base+"/findings", "Findings")
	if got := b.count("table.findings tbody tr"); got != len(fs) {
		t.Errorf("findings: %d rows, want %d (of %d)", got, len(fs), nf)
	}
	if len(fs) == 0 {
		t.Fatal("findings: the run has none")
	}
	rowSel := func(i int) string { return fmt.Sprintf("table.findings tbody tr:nth-child(%d)", i+1) }
	for i, f := range fs[:min(len(fs), 20)] {
		if got := b.text(rowSel(i) + " a.rule"); got != f.Rule {
			t.Errorf("findings: row %d rule %q, want %q", i+1, got, f.Rule)
		}
		msg := b.text(rowSel(i) + " a.finding")
		if m, ok := shown(f.Message); ok && utf8.RuneCountInString(m) <= 300 && msg != m {
			t.Errorf("findings: row %d message %q, want %q", i+1, msg, m)
		} else if msg == "" {
			t.Errorf("findings: row %d has no message", i+1)
		}
	}
	if !hostile {
		b.shot("findings", 900)
	}
	// Click a finding of an exchange, and one of a Call-ID only: it leads
	// to the dialog of the Call-ID through /call, or to the search page
	// when the Call-ID has none (a REGISTER).
	callDialog := func(callID string) string {
		res, err := b.src.Search(ctx, run, callID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Dialogs {
			if d.CallID == callID {
				return d.ID
			}
		}
		for _, x := range res.Exchanges {
			if x.CallID == callID && x.DialogID != "" {
				return x.DialogID
			}
		}
		return ""
	}
	toExchange, toCall, toCallDialog := -1, -1, ""
	for i, f := range fs {
		switch {
		case f.Exchange != "":
			if toExchange < 0 {
				toExchange = i
			}
		case f.CallID != "" && len(f.CallID) <= 1024 && toCallDialog == "":
			if d := callDialog(f.CallID); d != "" || toCall < 0 {
				toCall, toCallDialog = i, d
			}
		}
	}
	if toExchange < 0 && toCall < 0 {
		t.Error("findings: no finding links to an exchange or a dialog")
	}
	for _, i := range []int{toExchange, toCall} {
		if i < 0 {
			continue
		}
		f := fs[i]
		b.open(base+"/findings", "Findings")
		s := b.follow(rowSel(i) + " a.finding")
		p := b.path()
		switch {
		case f.Exchange != "":
			if want := base + "/exchanges/" + f.Exchange; p != want {
				t.Errorf("finding %d (%s): the click led to %s, want %s", i+1, f.Rule, p, want)
			}
			if b.count("section.exchange") != 1 || !strings.Contains(s.H1, f.Exchange) {
				t.Errorf("finding %d (%s): no exchange %s on %s (heading %q)", i+1, f.Rule, f.Exchange, p, s.H1)
			}
			if !contains(b.texts("section.exchange table.findings a.rule"), f.Rule) {
				t.Errorf("finding %d (%s): the exchange %s does not list it", i+1, f.Rule, p)
			}
		case toCallDialog != "":
			if want := base + "/dialogs/" + toCallDialog; p != want || b.count("section.dialog") != 1 {
				t.Errorf("finding %d (%s, Call-ID %q): the click led to %s, want the dialog %s", i+1, f.Rule, f.CallID, p, want)
			}
			if c, ok := shown(f.CallID); ok && !strings.Contains(b.text("section.dialog table.kv"), c) {
				t.Errorf("finding %d (%s): the dialog %s does not show its Call-ID %q", i+1, f.Rule, p, c)
			}
		default:
			t.Logf("finding %d (%s): its Call-ID has no dialog, the click leads to the search page", i+1, f.Rule)
			if !strings.HasPrefix(s.H1, "Search") || !contains(b.texts("table.findings a.rule"), f.Rule) {
				t.Errorf("finding %d (%s, Call-ID %q): the click led to %s (heading %q), which does not list it", i+1, f.Rule, f.CallID, p, s.H1)
			}
		}
	}

	// Exchanges: the list, and the detail of each (the hostile run) or
	// of the one with the most to show (the example).
	xs, nx, err := b.src.Exchanges(ctx, run, "", 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	b.open(base+"/exchanges", "Authentication exchanges")
	if got := b.count("table.exchanges tbody a.exchange"); got != len(xs) {
		t.Errorf("exchanges: %d links, want %d (of %d)", got, len(xs), nx)
	}
	if len(xs) == 0 {
		t.Fatal("exchanges: the run has none")
	}
	var details []*web.Exchange
	var best *web.Exchange
	for _, x := range xs[:min(len(xs), 40)] {
		d, err := b.src.Exchange(ctx, run, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		details = append(details, d)
		if best == nil || (d.Work != nil && len(d.Findings) > 0 && (best.Work == nil || len(best.Findings) == 0)) {
			best = d
		}
	}
	if !hostile {
		details = []*web.Exchange{best}
	}
	for _, x := range details {
		p := base + "/exchanges/" + url.PathEscape(x.ID)
		b.open(p, "Exchange "+x.ID)
		if got := b.text(".verdicts .reference .big"); got != x.Reference {
			t.Errorf("%s: reference verdict %q, want %q", p, got, x.Reference)
		}
		if got := b.text(".verdicts .server .big"); got != x.ServerVerdict {
			t.Errorf("%s: server verdict %q, want %q", p, got, x.ServerVerdict)
		}
		if x.Work != nil {
			if got := b.count("ol.work li"); got != 8 {
				t.Errorf("%s: %d steps of work, want 8", p, got)
			}
			if got := b.text("ol.work"); !strings.Contains(got, x.Work.Expected) || !strings.Contains(got, x.Work.HA2) {
				t.Errorf("%s: the work %q lacks the expected response %s or H(A2) %s", p, got, x.Work.Expected, x.Work.HA2)
			}
		} else if b.count("ol.work") != 0 {
			t.Errorf("%s: work shown for an exchange without any", p)
		}
		if got := b.count("section.exchange table.findings tbody tr"); got != len(x.Findings) {
			t.Errorf("%s: %d findings, want %d", p, got, len(x.Findings))
		}
		for i, f := range x.Findings[:min(len(x.Findings), 10)] {
			if got := b.text(fmt.Sprintf("section.exchange table.findings tbody tr:nth-child(%d) a.rule", i+1)); got != f.Rule {
				t.Errorf("%s: finding %d rule %q, want %q", p, i+1, got, f.Rule)
			}
		}
		if v, ok := shown(x.Username); ok && !strings.Contains(b.text("section.exchange table.kv"), v) {
			t.Errorf("%s: the user name %q is not shown", p, v)
		}
		if !hostile {
			b.shot("exchange", 1500)
		}
	}

	// Dialogs: the list, and each (hostile) or the longest (example),
	// with its ladder; a click on an arrow opens its message.
	ds, nd, err := b.src.Dialogs(ctx, run, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	b.open(base+"/dialogs", "Dialogs")
	if got := b.count("table.dialogs tbody a.dialog"); got != len(ds) {
		t.Errorf("dialogs: %d links, want %d (of %d)", got, len(ds), nd)
	}
	if len(ds) == 0 {
		t.Fatal("dialogs: the run has none")
	}
	pick := ds[:min(len(ds), 40)]
	if !hostile {
		// The example's dialog with the most messages, authenticated if
		// one is, and no longer than a screen or two.
		var d *web.Dialog
		for i := range ds {
			c := &ds[i]
			if c.Messages > 16 {
				continue
			}
			if d == nil || (c.Authenticated && !d.Authenticated) || (c.Authenticated == d.Authenticated && c.Messages > d.Messages) {
				d = c
			}
		}
		if d == nil {
			d = &ds[0]
		}
		pick = []web.Dialog{*d}
	}
	var searchDialog *web.Dialog
	var searchMsgs []web.Message
	for _, dl := range pick {
		d, msgs, err := b.src.Dialog(ctx, run, dl.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := base + "/dialogs/" + url.PathEscape(d.ID)
		b.open(p, "Dialog "+d.ID)
		want := min(len(msgs), 500)
		if got := b.count("svg.ladder a.msg"); got != want {
			t.Errorf("%s: %d arrows in the ladder, want %d (one per message)", p, got, want)
		}
		if got := b.count("details.raw"); got != want {
			t.Errorf("%s: %d raw messages, want %d", p, got, want)
		}
		// Each arrow links to its message, and is named after it.
		if bad := eval[[]string](b, `Array.from(document.querySelectorAll('svg.ladder a.msg')).filter(a => {
			const h = a.getAttribute('href') || '', t = h.startsWith('#') && document.getElementById(h.slice(1));
			return !t || !t.matches('details.raw') || a.id !== h.slice(1) + '-arrow';
		}).map(a => a.id + ' -> ' + a.getAttribute('href'))`); len(bad) > 0 {
			t.Errorf("%s: arrows that do not lead to their message: %q", p, bad)
		}
		if c, ok := shown(d.CallID); ok && !strings.Contains(b.text("section.dialog table.kv"), c) {
			t.Errorf("%s: the Call-ID %q is not shown", p, c)
		}
		// The example: the arrow in the middle; the hostile run: each.
		arrows := []int{(want + 1) / 2}
		if hostile {
			arrows = arrows[:0]
			for n := 1; n <= min(want, 12); n++ {
				arrows = append(arrows, n)
			}
		}
		for _, n := range arrows {
			if n > 0 {
				b.clickArrow(p, n, msgs[n-1])
			}
		}
		if b.count("a.pcap") != 1 {
			t.Errorf("%s: no pcap download", p)
		}
		if !hostile {
			b.shot("dialog", 1400)
		}
		if _, ok := shown(d.CallID); ok && searchDialog == nil && len(msgs) > 0 && len(msgs[0].Frames) > 0 {
			searchDialog, searchMsgs = d, msgs
		}
	}

	// Registrations.
	regs, err := b.src.Registrations(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	b.open(base+"/registrations", "Registrations")
	if got := b.count("section.registration"); got != min(len(regs), 50) {
		t.Errorf("registrations: %d shown, want %d", got, min(len(regs), 50))
	}
	withBindings := 0
	for _, r := range regs[:min(len(regs), 50)] {
		if len(r.Bindings) > 0 {
			withBindings++
		}
	}
	if withBindings > 0 && b.count("section.registration svg.timeline") == 0 {
		t.Error("registrations: no timeline")
	}

	// Search: a Call-ID typed in the form of the top bar, and a frame
	// number.
	if searchDialog == nil {
		t.Fatal("no dialog with a plain Call-ID to search for")
	}
	d := searchDialog
	dialogPath := base + "/dialogs/" + d.ID
	hrefs := `Array.from(document.querySelectorAll('table.dialogs a.dialog'), a => decodeURIComponent(new URL(a.href).pathname))`
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("header.top form.search input[name=q]"), d.CallID)); err != nil {
		t.Fatal(err)
	}
	b.follow("header.top form.search button[type=submit]")
	if p := b.path(); !strings.HasPrefix(p, base+"/search?") {
		t.Errorf("search: the form led to %s", p)
	}
	if got := eval[string](b, `document.querySelector('main form input[name=q]').value`); got != d.CallID {
		t.Errorf("search: the query shown is %q, want %q", got, d.CallID)
	}
	if got := eval[[]string](b, hrefs); !contains(got, dialogPath) {
		t.Errorf("search for the Call-ID %q: dialogs %q, want %s", d.CallID, got, dialogPath)
	}
	frame := strconv.Itoa(searchMsgs[0].Frames[0])
	b.open(base+"/search?q="+frame, "Search")
	if got := eval[[]string](b, hrefs); !contains(got, dialogPath) {
		t.Errorf("search for frame %s: dialogs %q, want %s", frame, got, dialogPath)
	}
	b.open(base+"/search?q=nothing-matches-this", "Search")
	if !strings.Contains(b.text("main"), "Nothing found") {
		t.Error("search: no 'Nothing found' for a query that matches nothing")
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// clickArrow clicks the arrow of message n of the ladder on page p, and
// checks that its raw message became the target, open and in view.
func (b *browser) clickArrow(p string, n int, m web.Message) {
	t := b.t
	id := "m" + strconv.Itoa(n)
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("svg.ladder a.msg#"+id+"-arrow rect.hit"))); err != nil {
		t.Fatalf("%s: clicking arrow %d: %v", p, n, err)
	}
	var got struct {
		Hash, Target, Tag, Text string
		Open, Visible, InView   bool
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got = eval[struct {
			Hash, Target, Tag, Text string
			Open, Visible, InView   bool
		}](b, `(() => {
			const t = document.querySelector(':target');
			if (!t) return {Hash: location.hash};
			const pre = t.querySelector('pre.sip'), r = t.getBoundingClientRect();
			return {Hash: location.hash, Target: t.id, Tag: t.tagName.toLowerCase(), Open: !!t.open,
				Visible: !!pre && pre.checkVisibility() && pre.getClientRects().length > 0,
				InView: r.top < innerHeight && r.bottom > 0,
				Text: pre ? pre.innerText : ''};
		})()`)
		if got.Target == id || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got.Hash != "#"+id || got.Target != id || got.Tag != "details" {
		t.Errorf("%s: after a click on arrow %d, hash %q and :target %s#%s, want details#%s", p, n, got.Hash, got.Tag, got.Target, id)
		return
	}
	// Navigating to a fragment opens the closed <details> around its
	// target, not a <details> that is the target: the style sheet shows
	// the content of the targeted one (details.raw:target::details-content).
	if !got.Visible {
		t.Errorf("%s: the raw text of message %d, the target of its arrow, is not visible (open=%v)", p, n, got.Open)
	}
	if !got.InView {
		t.Errorf("%s: message %d is not scrolled into view", p, n)
	}
	if sl, ok := shown(m.StartLine); ok && !strings.HasPrefix(got.Text, sl) {
		t.Errorf("%s: message %d shows %.80q, want the start line %q", p, n, got.Text, sl)
	} else if !ok && got.Text == "" {
		t.Errorf("%s: message %d shows nothing", p, n)
	}
}
