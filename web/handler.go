package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sipaudit/sipaudit/finding"
)

// Options configure the handler.
type Options struct {
	// Logger receives the detail of internal errors (the page shows a
	// generic message); nil discards it.
	Logger *slog.Logger
	// PageSize is the default number of rows of a list page (findings,
	// exchanges, dialogs, runs); 0 means 100. Pages never exceed 500.
	PageSize int
}

const (
	defaultPageSize = 100
	maxPageSize     = 500
	regPageSize     = 50  // registrations per page (each has a chart)
	maxQuery        = 256 // bytes of a search query or filter value
	maxSearchRows   = 200
)

// csp is the Content-Security-Policy of every response: no script at
// all, styles from /static/style.css only.
const csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

var funcs = template.FuncMap{
	"clip":  clip,
	"text":  text,
	"ftime": ftime,
	"add":   func(a, b int) int { return a + b },
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
}

var pageNames = []string{"index", "overview", "findings", "exchanges", "exchange", "dialogs", "dialog", "registrations", "search", "error"}

// pages are the server's templates, one set per page; single is the
// one-file report's.
var pages, single = parseTemplates()

func parseTemplates() (map[string]*template.Template, *template.Template) {
	base := template.Must(template.New("base").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/partials.html"))
	m := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		m[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html"))
	}
	s := template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/single.html"))
	return m, s
}

// page is what the layout renders.
type page struct {
	Title        string
	RunID        int64
	HasRun       bool
	Nav          []navLink
	SearchAction string
	Query        string
	Single       bool
	CSS          template.CSS // the embedded style sheet (single file only)
	CSP          string       // the single file's policy
	Body         any
}

type handler struct {
	src      Source
	log      *slog.Logger
	pageSize int
	mux      *http.ServeMux
	links    serverLinks
}

// NewHandler serves the report of the runs in src, read-only: GET and
// HEAD only. Every response carries a strict Content-Security-Policy and
// no script.
//
// Routes: / (runs), /runs/{id} (overview), /runs/{id}/findings,
// /runs/{id}/exchanges, /runs/{id}/exchanges/{eid}, /runs/{id}/dialogs,
// /runs/{id}/dialogs/{did}, /runs/{id}/dialogs/{did}/pcap,
// /runs/{id}/registrations, /runs/{id}/search?q=, /runs/{id}/call?callid=
// (the dialog of a Call-ID), /runs/{id}/report.json|.sarif|.csv,
// /static/style.css and /favicon.ico (204, no icon).
func NewHandler(src Source, opts Options) http.Handler {
	h := &handler{src: src, log: opts.Logger, pageSize: opts.PageSize, mux: http.NewServeMux()}
	if h.pageSize <= 0 {
		h.pageSize = defaultPageSize
	}
	h.pageSize = min(h.pageSize, maxPageSize)
	m := h.mux
	m.HandleFunc("/{$}", h.index)
	m.HandleFunc("/static/style.css", h.style)
	// Browsers ask for an icon on every page; there is none (and no
	// markup for one): an empty answer rather than a 404 in their logs.
	m.HandleFunc("/favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	m.HandleFunc("/runs/{run}", h.overview)
	m.HandleFunc("/runs/{run}/findings", h.findings)
	m.HandleFunc("/runs/{run}/exchanges", h.exchanges)
	m.HandleFunc("/runs/{run}/exchanges/{id}", h.exchange)
	m.HandleFunc("/runs/{run}/dialogs", h.dialogs)
	m.HandleFunc("/runs/{run}/dialogs/{id}", h.dialog)
	m.HandleFunc("/runs/{run}/dialogs/{id}/pcap", h.pcap)
	m.HandleFunc("/runs/{run}/registrations", h.registrations)
	m.HandleFunc("/runs/{run}/search", h.search)
	m.HandleFunc("/runs/{run}/call", h.call)
	for _, f := range []string{"json", "sarif", "csv"} {
		m.HandleFunc("/runs/{run}/report."+f, h.export(f))
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { h.fail(w, r, ErrNotFound) })
	return h
}

func securityHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.errorPage(w, r, http.StatusMethodNotAllowed, "This report is read-only.")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// fail answers an error: 404 for ErrNotFound, else 500 with a generic
// message, the detail going to the log.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		h.errorPage(w, r, http.StatusNotFound, "There is no such run, exchange or dialog.")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away.
	default:
		if h.log != nil {
			h.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		h.errorPage(w, r, http.StatusInternalServerError, "The report could not be read. The server log has the detail.")
	}
}

type errorBody struct {
	Status        int
	Text, Message string
}

func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, status, "error", &page{Title: http.StatusText(status),
		Body: errorBody{Status: status, Text: http.StatusText(status), Message: msg}})
}

// render executes a page into memory first, so that a template error is
// a clean 500 and not half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		if h.log != nil {
			h.log.Error("web: template", "page", name, "path", r.URL.Path, "err", err)
		}
		if name == "error" {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		h.errorPage(w, r, http.StatusInternalServerError, "The page could not be rendered.")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// runPage starts the page of a run, with its navigation.
func (h *handler) runPage(run int64, title, active, query string, body any) *page {
	return &page{Title: title, RunID: run, HasRun: true, Nav: runNav(h.links, run, active),
		SearchAction: runBase(run) + "/search", Query: query, Body: body}
}

// runID reads {run}; a malformed one is a 404.
func runID(r *http.Request) (int64, bool) {
	s := r.PathValue("run")
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id >= 0 && strconv.FormatInt(id, 10) == s
}

// paging reads offset and n.
func (h *handler) paging(r *http.Request) (limit, offset int) {
	q := r.URL.Query()
	limit = h.pageSize
	if n, err := strconv.Atoi(q.Get("n")); err == nil && n > 0 {
		limit = min(n, maxPageSize)
	}
	if o, err := strconv.Atoi(q.Get("offset")); err == nil && o > 0 {
		offset = min(o, 1<<30)
	}
	return limit, offset
}

func pageLink(base string, q url.Values, limit, defLimit int) func(int) string {
	return func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "offset" && k != "n" && len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		if limit != defLimit {
			v.Set("n", strconv.Itoa(limit))
		}
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		return withQuery(base, v)
	}
}

func (h *handler) style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Length", strconv.Itoa(len(styleCSS)))
	_, _ = w.Write(styleCSS)
}

// runRow is one run of the index.
type runRow struct {
	R          Run
	URL        string
	Inputs     []Input
	MoreInputs int
}

type indexBody struct {
	Runs  []runRow
	Pager *pager
}

func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	runs, err := h.src.Runs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	limit, offset := h.paging(r)
	total := len(runs)
	runs = runs[min(offset, total):min(offset+limit, total)]
	b := indexBody{Runs: make([]runRow, len(runs))}
	for i, run := range runs {
		row := runRow{R: run, URL: h.links.run(run.ID), Inputs: run.Inputs}
		if len(row.Inputs) > 5 {
			row.MoreInputs = len(row.Inputs) - 5
			row.Inputs = row.Inputs[:5]
		}
		row.R.Inputs, row.R.Args = nil, nil
		b.Runs[i] = row
	}
	b.Pager = newPager(total, offset, len(runs), pageLink("/", r.URL.Query(), limit, h.pageSize), limit)
	h.render(w, r, http.StatusOK, "index", &page{Title: "Runs", Body: b})
}

// overviewView is the first page of a run.
type overviewView struct {
	Run                          Run
	Args                         []string
	Inputs                       []Input
	MoreInputs                   int
	Sev, Rules                   *hbarChart
	RuleRows                     []ruleRow
	Auth                         *authChart
	Requests, Responses          []countRow
	FindingsURL, ExchangesURL    string
	DialogsURL, RegistrationsURL string
	Downloads                    struct{ JSON, SARIF, CSV string }
}

type ruleRow struct {
	R   RuleCount
	URL string
}

const maxInputsShown = 100

func newOverviewView(l links, ov *Overview) *overviewView {
	run := ov.Run.ID
	v := &overviewView{Run: ov.Run, Inputs: ov.Run.Inputs,
		FindingsURL: l.findings(run, nil), ExchangesURL: l.exchanges(run, nil),
		DialogsURL: l.dialogs(run, nil), RegistrationsURL: l.registrations(run)}
	v.Run.Inputs, v.Run.Args = nil, nil
	if len(v.Inputs) > maxInputsShown {
		v.MoreInputs = len(v.Inputs) - maxInputsShown
		v.Inputs = v.Inputs[:maxInputsShown]
	}
	for i, a := range ov.Run.Args {
		if i == 50 {
			v.Args = append(v.Args, "…")
			break
		}
		v.Args = append(v.Args, clip(a, 200))
	}
	v.Sev = severityChart(ov.FindingsBySeverity, func(s string) string { return l.findings(run, url.Values{"severity": {s}}) })
	v.Rules = ruleChart(ov.FindingsByRule, func(id string) string { return l.findings(run, url.Values{"rule": {id}}) })
	for i, rc := range ov.FindingsByRule {
		if i == 100 {
			break
		}
		v.RuleRows = append(v.RuleRows, ruleRow{R: rc, URL: l.findings(run, url.Values{"rule": {rc.ID}})})
	}
	v.Auth = newAuthChart(ov.Auth)
	v.Requests = countTable(ov.Requests, 50)
	v.Responses = countTable(ov.Responses, 50)
	return v
}

func (h *handler) overview(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	ov, err := h.src.Overview(r.Context(), run)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ov.Run.ID = run
	v := newOverviewView(h.links, ov)
	base := runBase(run)
	v.Downloads.JSON, v.Downloads.SARIF, v.Downloads.CSV = base+"/report.json", base+"/report.sarif", base+"/report.csv"
	h.render(w, r, http.StatusOK, "overview", h.runPage(run, "Run "+strconv.FormatInt(run, 10), "Overview", "", v))
}

type option struct {
	Name     string
	Selected bool
}

type findingsBody struct {
	Action     string
	F          FindingFilter
	Severities []option
	PageSizes  []option
	Invalid    string
	Rows       []findingRow
	Pager      *pager
}

func bounded(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxQuery {
		s = s[:maxQuery]
	}
	return s
}

func (h *handler) findings(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	q := r.URL.Query()
	limit, offset := h.paging(r)
	f := FindingFilter{Severity: bounded(q.Get("severity")), Rule: bounded(q.Get("rule")), User: bounded(q.Get("user")),
		Source: bounded(q.Get("source")), CallID: bounded(q.Get("callid")), Limit: limit, Offset: offset}
	b := findingsBody{Action: runBase(run) + "/findings"}
	if f.Severity != "" {
		if s, err := finding.ParseSeverity(f.Severity); err != nil {
			b.Invalid = "Unknown severity: showing every severity."
			f.Severity = ""
		} else {
			f.Severity = s.String()
		}
	}
	b.F = f
	fs, total, err := h.src.Findings(r.Context(), run, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(fs) > limit {
		fs = fs[:limit]
	}
	for _, s := range severities {
		b.Severities = append(b.Severities, option{Name: s.String(), Selected: s.String() == f.Severity})
	}
	for _, n := range []int{50, 100, 200, 500} {
		b.PageSizes = append(b.PageSizes, option{Name: strconv.Itoa(n), Selected: n == limit})
	}
	if !slices.ContainsFunc(b.PageSizes, func(o option) bool { return o.Selected }) {
		b.PageSizes = append(b.PageSizes, option{Name: strconv.Itoa(limit), Selected: true})
	}
	b.Rows = findingRows(h.links, run, fs, "f-", offset+1)
	qv := url.Values{"severity": {f.Severity}, "rule": {f.Rule}, "user": {f.User}, "source": {f.Source}, "callid": {f.CallID}}
	b.Pager = newPager(total, offset, len(fs), pageLink(b.Action, qv, limit, h.pageSize), limit)
	h.render(w, r, http.StatusOK, "findings", h.runPage(run, "Findings", "Findings", "", b))
}

type exchangesBody struct {
	Action, User string
	Rows         []exchangeRow
	Pager        *pager
}

func (h *handler) exchanges(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	limit, offset := h.paging(r)
	user := bounded(r.URL.Query().Get("user"))
	xs, total, err := h.src.Exchanges(r.Context(), run, user, limit, offset)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(xs) > limit {
		xs = xs[:limit]
	}
	b := exchangesBody{Action: runBase(run) + "/exchanges", User: user, Rows: exchangeRows(h.links, run, xs)}
	b.Pager = newPager(total, offset, len(xs), pageLink(b.Action, url.Values{"user": {user}}, limit, h.pageSize), limit)
	h.render(w, r, http.StatusOK, "exchanges", h.runPage(run, "Exchanges", "Exchanges", "", b))
}

func (h *handler) exchange(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	x, err := h.src.Exchange(r.Context(), run, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(x.Findings) > maxPageSize {
		x.Findings = x.Findings[:maxPageSize]
	}
	v := newExchangeView(h.links, run, x)
	h.render(w, r, http.StatusOK, "exchange", h.runPage(run, "Exchange "+x.ID, "Exchanges", "", v))
}

type dialogsBody struct {
	Rows  []dialogRow
	Pager *pager
}

func (h *handler) dialogs(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	limit, offset := h.paging(r)
	ds, total, err := h.src.Dialogs(r.Context(), run, limit, offset)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(ds) > limit {
		ds = ds[:limit]
	}
	b := dialogsBody{Rows: dialogRows(h.links, run, ds)}
	b.Pager = newPager(total, offset, len(ds), pageLink(runBase(run)+"/dialogs", nil, limit, h.pageSize), limit)
	h.render(w, r, http.StatusOK, "dialogs", h.runPage(run, "Dialogs", "Dialogs", "", b))
}

func (h *handler) dialog(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	d, msgs, err := h.src.Dialog(r.Context(), run, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := newDialogView(h.links, run, d, msgs, "")
	h.render(w, r, http.StatusOK, "dialog", h.runPage(run, "Dialog "+d.ID, "Dialogs", "", v))
}

type regBody struct {
	Regs  []regView
	Pager *pager
}

func (h *handler) registrations(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	regs, err := h.src.Registrations(r.Context(), run)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, offset := h.paging(r)
	total := len(regs)
	shown := regs[min(offset, total):min(offset+regPageSize, total)]
	b := regBody{Regs: regViews(shown, regs)}
	b.Pager = newPager(total, offset, len(shown), pageLink(runBase(run)+"/registrations", nil, regPageSize, regPageSize), regPageSize)
	h.render(w, r, http.StatusOK, "registrations", h.runPage(run, "Registrations", "Registrations", "", b))
}

type regLink struct {
	R   Registration
	URL string
}

type searchBody struct {
	Action, Query string
	Empty         bool
	Dialogs       []dialogRow
	Exchanges     []exchangeRow
	Findings      []findingRow
	Regs          []regLink
	Truncated     bool
	Limit         int
}

func (h *handler) search(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	q := bounded(r.URL.Query().Get("q"))
	h.searchPage(w, r, run, q)
}

func (h *handler) searchPage(w http.ResponseWriter, r *http.Request, run int64, q string) {
	b := searchBody{Action: runBase(run) + "/search", Query: q, Limit: maxSearchRows}
	if q != "" {
		res, err := h.src.Search(r.Context(), run, q)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		b.Empty = len(res.Dialogs)+len(res.Exchanges)+len(res.Findings)+len(res.Registrations) == 0
		cut := func(n int) int {
			if n > maxSearchRows {
				b.Truncated = true
				return maxSearchRows
			}
			return n
		}
		b.Dialogs = dialogRows(h.links, run, res.Dialogs[:cut(len(res.Dialogs))])
		b.Exchanges = exchangeRows(h.links, run, res.Exchanges[:cut(len(res.Exchanges))])
		b.Findings = findingRows(h.links, run, res.Findings[:cut(len(res.Findings))], "f-", 1)
		for _, reg := range res.Registrations[:cut(len(res.Registrations))] {
			reg.Implicit = nil
			b.Regs = append(b.Regs, regLink{R: reg, URL: runBase(run) + "/registrations#" + anchor("reg-", reg.AOR)})
		}
	}
	h.render(w, r, http.StatusOK, "search", h.runPage(run, "Search", "", q, b))
}

// call leads from a Call-ID to its dialog: a redirect when the search
// finds it, else the search page.
func (h *handler) call(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	callID := r.URL.Query().Get("callid")
	if callID == "" || len(callID) > 1<<17 {
		h.fail(w, r, ErrNotFound)
		return
	}
	res, err := h.src.Search(r.Context(), run, callID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	target := ""
	for _, d := range res.Dialogs {
		if d.CallID == callID {
			target = d.ID
			break
		}
	}
	if target == "" {
		for _, x := range res.Exchanges {
			if x.CallID == callID && x.DialogID != "" {
				target = x.DialogID
				break
			}
		}
	}
	if target != "" {
		http.Redirect(w, r, h.links.dialog(run, target), http.StatusSeeOther)
		return
	}
	h.searchPage(w, r, run, bounded(callID))
}

// lazyWriter sends the headers at the first byte, so that an error
// before any output is still a proper error page.
type lazyWriter struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.start()
	}
	return l.w.Write(p)
}

func (h *handler) download(w http.ResponseWriter, r *http.Request, contentType, filename string, write func(*lazyWriter) error) {
	lw := &lazyWriter{w: w, start: func() {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	}}
	err := write(lw)
	switch {
	case err != nil && !lw.started:
		h.fail(w, r, err)
	case err != nil:
		if h.log != nil {
			h.log.Error("web: download cut short", "path", r.URL.Path, "err", err)
		}
	case !lw.started:
		lw.start()
	}
}

var exportTypes = map[string]string{
	"json":  "application/json",
	"sarif": "application/sarif+json",
	"csv":   "text/csv; charset=utf-8",
}

func (h *handler) export(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		run, ok := runID(r)
		if !ok {
			h.fail(w, r, ErrNotFound)
			return
		}
		name := "sipaudit-run-" + strconv.FormatInt(run, 10) + "." + format
		h.download(w, r, exportTypes[format], name, func(lw *lazyWriter) error {
			return h.src.Export(r.Context(), run, format, lw)
		})
	}
}

func (h *handler) pcap(w http.ResponseWriter, r *http.Request) {
	run, ok := runID(r)
	if !ok {
		h.fail(w, r, ErrNotFound)
		return
	}
	id := r.PathValue("id")
	name := "sipaudit-run-" + strconv.FormatInt(run, 10) + "-dialog-" + fileSafe(id) + ".pcap"
	h.download(w, r, "application/vnd.tcpdump.pcap", name, func(lw *lazyWriter) error {
		return h.src.DialogPcap(r.Context(), run, id, lw)
	})
}
