package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/sipaudit/sipaudit/finding"
)

// links builds the URLs of the report: paths for the server, fragments
// for the single file. An empty string means "no link".
type links interface {
	run(run int64) string
	findings(run int64, q url.Values) string
	exchanges(run int64, q url.Values) string
	exchange(run int64, id string) string
	dialogs(run int64, q url.Values) string
	dialog(run int64, id string) string
	// call leads to the dialog of a Call-ID.
	call(run int64, callID string) string
	registrations(run int64) string
	search(run int64, q string) string
	pcap(run int64, dialog string) string
}

// serverLinks are the handler's paths; every piece is escaped.
type serverLinks struct{}

func runBase(run int64) string { return "/runs/" + strconv.FormatInt(run, 10) }

func withQuery(p string, q url.Values) string {
	if e := q.Encode(); e != "" {
		return p + "?" + e
	}
	return p
}

func (serverLinks) run(run int64) string { return runBase(run) }
func (serverLinks) findings(run int64, q url.Values) string {
	if !linkable(q) {
		return ""
	}
	return withQuery(runBase(run)+"/findings", q)
}
func (serverLinks) exchanges(run int64, q url.Values) string {
	return withQuery(runBase(run)+"/exchanges", q)
}
func (serverLinks) exchange(run int64, id string) string {
	if id == "" || len(id) > maxLinked {
		return ""
	}
	return runBase(run) + "/exchanges/" + seg(id)
}
func (serverLinks) dialogs(run int64, q url.Values) string {
	return withQuery(runBase(run)+"/dialogs", q)
}
func (serverLinks) dialog(run int64, id string) string {
	if id == "" || len(id) > maxLinked {
		return ""
	}
	return runBase(run) + "/dialogs/" + seg(id)
}

// maxLinked bounds a value carried in a link: longer ones (a hostile
// 64 KB Call-ID) are shown, not linked, so that a page stays small.
const maxLinked = 1024

func linkable(vs url.Values) bool {
	for _, v := range vs {
		for _, s := range v {
			if len(s) > maxLinked {
				return false
			}
		}
	}
	return true
}

func (serverLinks) call(run int64, callID string) string {
	if callID == "" || len(callID) > maxLinked {
		return ""
	}
	return runBase(run) + "/call?callid=" + url.QueryEscape(callID)
}
func (serverLinks) registrations(run int64) string { return runBase(run) + "/registrations" }
func (serverLinks) search(run int64, q string) string {
	return runBase(run) + "/search?q=" + url.QueryEscape(q)
}
func (serverLinks) pcap(run int64, dialog string) string {
	if len(dialog) > maxLinked {
		return ""
	}
	return runBase(run) + "/dialogs/" + seg(dialog) + "/pcap"
}

// fileLinks are the single file's fragments: only what the file holds
// is linked.
type fileLinks struct {
	exs   map[string]bool
	dlgs  map[string]bool
	calls map[string]string // Call-ID -> dialog ID
}

func (fileLinks) run(int64) string                   { return "#overview" }
func (fileLinks) findings(int64, url.Values) string  { return "#findings" }
func (fileLinks) exchanges(int64, url.Values) string { return "#exchanges" }
func (fileLinks) dialogs(int64, url.Values) string   { return "#dialogs" }
func (fileLinks) registrations(int64) string         { return "#registrations" }
func (fileLinks) search(int64, string) string        { return "" }
func (fileLinks) pcap(int64, string) string          { return "" }
func (l fileLinks) exchange(_ int64, id string) string {
	if !l.exs[id] {
		return ""
	}
	return "#" + anchor("ex-", id)
}
func (l fileLinks) dialog(_ int64, id string) string {
	if !l.dlgs[id] {
		return ""
	}
	return "#" + anchor("dlg-", id)
}
func (l fileLinks) call(run int64, callID string) string {
	if id, ok := l.calls[callID]; ok {
		return l.dialog(run, id)
	}
	return ""
}

// navLink is one entry of the run's top navigation.
type navLink struct {
	Name, URL string
	Active    bool
}

func runNav(l links, run int64, active string) []navLink {
	nav := []navLink{
		{Name: "Overview", URL: l.run(run)},
		{Name: "Findings", URL: l.findings(run, nil)},
		{Name: "Exchanges", URL: l.exchanges(run, nil)},
		{Name: "Dialogs", URL: l.dialogs(run, nil)},
		{Name: "Registrations", URL: l.registrations(run)},
	}
	for i := range nav {
		nav[i].Active = nav[i].Name == active
	}
	return nav
}

// findingRow is one finding with its links.
type findingRow struct {
	F           finding.Finding
	Anchor      string
	ExURL       string
	CallURL     string
	FindingsURL string // the findings of the same rule
	Frames      string
	Filter      string
	Endpoints   string
}

// findingRows makes the rows of a table of findings; the rows' ids are
// idPrefix and their number.
func findingRows(l links, run int64, fs []finding.Finding, idPrefix string, first int) []findingRow {
	rows := make([]findingRow, len(fs))
	for i, f := range fs {
		r := findingRow{F: f, Frames: frameList(f.Frames), Filter: wsFilter(f.Frames),
			ExURL: l.exchange(run, f.Exchange), CallURL: l.call(run, f.CallID),
			FindingsURL: l.findings(run, url.Values{"rule": {f.Rule}}),
			Anchor:      idPrefix + strconv.Itoa(first+i)}
		switch {
		case f.Client != "" && f.Server != "":
			r.Endpoints = f.Client + " → " + f.Server
		default:
			r.Endpoints = f.Client + f.Server
		}
		if f.Transport != "" && r.Endpoints != "" {
			r.Endpoints += " (" + f.Transport + ")"
		}
		rows[i] = r
	}
	return rows
}

// exchangeRow is one exchange in a list.
type exchangeRow struct {
	X         Exchange
	URL       string
	DialogURL string
	RefClass  string
	SrvClass  string
	Frames    string
}

func exchangeRows(l links, run int64, xs []Exchange) []exchangeRow {
	rows := make([]exchangeRow, len(xs))
	for i, x := range xs {
		x.Findings = nil // not shown in lists
		rows[i] = exchangeRow{X: x, URL: l.exchange(run, x.ID), RefClass: "v v-" + classWord(x.Reference),
			SrvClass: "v v-" + classWord(x.ServerVerdict), Frames: frameList(x.Frames)}
		if x.DialogID != "" {
			rows[i].DialogURL = l.dialog(run, x.DialogID)
		} else {
			rows[i].DialogURL = l.call(run, x.CallID)
		}
	}
	return rows
}

// exchangeView is the detail of one exchange.
type exchangeView struct {
	X                 *Exchange
	Anchor            string
	DialogURL         string
	RefClass          string
	SrvClass          string
	Work              []workStep
	Match             string
	MatchClass        string
	Decides           *finding.Finding
	Findings          []findingRow
	Frames, Filter    string
	RespFrames        string
	RespFilter        string
	ChalFrames        string
	ChalFilter        string
	Problems          []string
	FindingsOfCallURL string
}

// workStep is one line of the reference's computation.
type workStep struct {
	Label, Value, Note string
}

func newExchangeView(l links, run int64, x *Exchange) *exchangeView {
	v := &exchangeView{X: x, Anchor: anchor("ex-", x.ID),
		RefClass: "v v-" + classWord(x.Reference), SrvClass: "v v-" + classWord(x.ServerVerdict),
		Frames: frameList(x.Frames), Filter: wsFilter(x.Frames),
		RespFrames: frameList(x.ResponseFrames), RespFilter: wsFilter(x.ResponseFrames),
		ChalFrames: frameList(x.ChallengeFrames), ChalFilter: wsFilter(x.ChallengeFrames),
		Problems: x.Problems}
	v.Findings = findingRows(l, run, x.Findings, v.Anchor+"-f", 1)
	if len(v.Problems) > 50 {
		v.Problems = v.Problems[:50]
	}
	if x.DialogID != "" {
		v.DialogURL = l.dialog(run, x.DialogID)
	} else {
		v.DialogURL = l.call(run, x.CallID)
	}
	if x.CallID != "" {
		v.FindingsOfCallURL = l.findings(run, url.Values{"callid": {x.CallID}})
	}
	if w := x.Work; w != nil {
		v.Work = []workStep{
			{"algorithm", w.Algorithm, ""},
			{"A1", maskA1(w.A1), "username:realm:password (password masked)"},
			{"H(A1)", maskHA1(w.HA1), "masked"},
			{"A2", w.A2, "method:digest-uri"},
			{"H(A2)", w.HA2, ""},
			{"data hashed", maskData(w.Data), "H(A1):nonce[:nc:cnonce:qop]:H(A2)"},
			{"expected", w.Expected, "the response the reference computes"},
			{"received", w.Received, "the response the client sent"},
		}
		switch {
		case w.Expected == "" || w.Received == "":
		case strings.EqualFold(w.Expected, w.Received):
			v.Match, v.MatchClass = "match", "v v-match"
		default:
			v.Match, v.MatchClass = "mismatch", "v v-mismatch"
		}
	}
	// The clause that decides it: the most severe of its findings about
	// the digest, the nonce or the secret (SA1xx, SA2xx, SA503, SA507);
	// posture findings (cleartext transport, MD5 offered, ...) do not
	// decide a verdict.
	for i := range x.Findings {
		f := &x.Findings[i]
		if !strings.HasPrefix(f.Rule, "SA1") && !strings.HasPrefix(f.Rule, "SA2") && f.Rule != "SA503" && f.Rule != "SA507" {
			continue
		}
		if v.Decides == nil || f.Severity > v.Decides.Severity {
			v.Decides = f
		}
	}
	return v
}

// dialogRow is one dialog in a list.
type dialogRow struct {
	D   Dialog
	URL string
}

func dialogRows(l links, run int64, ds []Dialog) []dialogRow {
	rows := make([]dialogRow, len(ds))
	for i, d := range ds {
		rows[i] = dialogRow{D: d, URL: l.dialog(run, d.ID)}
	}
	return rows
}

// dialogView is a dialog with its ladder.
type dialogView struct {
	D           *Dialog
	Anchor      string
	Ladder      *ladder
	Msgs        []ladderMsg
	PcapURL     string
	FindingsURL string
}

func newDialogView(l links, run int64, d *Dialog, msgs []Message, prefix string) *dialogView {
	v := &dialogView{D: d, Anchor: anchor("dlg-", d.ID), PcapURL: l.pcap(run, d.ID)}
	if d.CallID != "" {
		v.FindingsURL = l.findings(run, url.Values{"callid": {d.CallID}})
	}
	v.Ladder, v.Msgs = newLadder(msgs, prefix, func(id string) string { return l.exchange(run, id) })
	return v
}

// regView is one AOR's registration timeline.
type regView struct {
	R             Registration
	Anchor        string
	TL            *timeline
	Events        []RegEvent
	EventsOmitted int
	Bindings      []Binding
	BindOmitted   int
	Implicit      string
}

const maxRegRows = 200

func regViews(regs []Registration, all []Registration) []regView {
	t0, t1 := regSpan(all)
	out := make([]regView, len(regs))
	for i, r := range regs {
		v := regView{R: r, Anchor: anchor("reg-", r.AOR), TL: newTimeline(r, t0, t1), Events: r.Events, Bindings: r.Bindings}
		if len(v.Events) > maxRegRows {
			v.EventsOmitted = len(v.Events) - maxRegRows
			v.Events = v.Events[:maxRegRows]
		}
		if len(v.Bindings) > maxRegRows {
			v.BindOmitted = len(v.Bindings) - maxRegRows
			v.Bindings = v.Bindings[:maxRegRows]
		}
		imp := r.Implicit
		if len(imp) > 50 {
			imp = imp[:50]
		}
		v.Implicit = strings.Join(imp, ", ")
		v.R.Events, v.R.Bindings, v.R.Implicit = nil, nil, nil
		out[i] = v
	}
	return out
}

// pager links the pages of a list.
type pager struct {
	From, To, Total int
	Prev, Next      string
}

func newPager(total, offset, shown int, link func(offset int) string, limit int) *pager {
	p := &pager{From: offset + 1, To: offset + shown, Total: total}
	if shown == 0 {
		p.From = 0
	}
	if offset > 0 {
		p.Prev = link(max(offset-limit, 0))
	}
	if offset+shown < total {
		p.Next = link(offset + limit)
	}
	return p
}
