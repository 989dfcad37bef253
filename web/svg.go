package web

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

// The charts are inline SVG computed here and written by html/template:
// numbers and classes from this file, every label cleaned (see clean) and
// escaped by the template. No script, no style attributes (the CSP
// forbids them): colours come from classes in style.css.

// hbarChart is a horizontal bar chart (findings by severity, by rule).
type hbarChart struct {
	Width, Height int
	Rows          []hbarRow
}

type hbarRow struct {
	Y, TextY, W, ValueX int
	Label, Value, Title string
	Class               string
	URL                 string // optional link (the findings filtered)
}

const (
	hbarLabelW = 170
	hbarBarW   = 380
	hbarRowH   = 20
)

func newHBar(rows []hbarRow, values []int) *hbarChart {
	max := 1
	for _, v := range values {
		if v > max {
			max = v
		}
	}
	c := &hbarChart{Width: hbarLabelW + hbarBarW + 60, Height: len(rows)*hbarRowH + 6}
	for i := range rows {
		r := &rows[i]
		r.Y = 3 + i*hbarRowH
		r.TextY = r.Y + 13
		r.W = values[i] * hbarBarW / max
		if values[i] > 0 && r.W < 2 {
			r.W = 2
		}
		r.ValueX = hbarLabelW + r.W + 5
		r.Value = strconv.Itoa(values[i])
	}
	c.Rows = rows
	return c
}

var severities = []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info}

func severityChart(counts map[string]int, link func(sev string) string) *hbarChart {
	rows := make([]hbarRow, 0, len(severities))
	values := make([]int, 0, len(severities))
	for _, s := range severities {
		n := counts[s.String()]
		rows = append(rows, hbarRow{Label: s.String(), Class: "bar sev-" + s.String(),
			Title: fmt.Sprintf("%s: %d", s, n), URL: link(s.String())})
		values = append(values, n)
	}
	return newHBar(rows, values)
}

const maxRuleBars = 25

func ruleChart(rules []RuleCount, link func(rule string) string) *hbarChart {
	if len(rules) == 0 {
		return nil
	}
	rows := make([]hbarRow, 0, min(len(rules), maxRuleBars))
	values := make([]int, 0, cap(rows))
	for i, r := range rules {
		if i == maxRuleBars {
			break
		}
		rows = append(rows, hbarRow{Label: clip(r.ID+" "+r.Name, 24), Class: "bar sev-" + r.Severity.String(),
			Title: clip(fmt.Sprintf("%s %s (%s): %d", r.ID, r.Name, r.Severity, r.Count), 200), URL: link(r.ID)})
		values = append(values, r.Count)
	}
	return newHBar(rows, values)
}

// authChart is the stacked column chart of authentication outcomes.
type authChart struct {
	Width, Height  int
	PlotX, PlotY   int // the plot's bottom-left corner
	PlotW, PlotTop int
	MaxLabel       string
	Bars           []authBar
	Ticks          []tick
}

type authBar struct {
	X, W, IX, IW int
	AccY, AccH   int
	RefY, RefH   int
	InvY, InvH   int
	Title        string
}

type tick struct {
	X, Y   int
	Text   string
	Anchor string
}

const maxAuthBars = 240

func newAuthChart(buckets []AuthBucket) *authChart {
	if len(buckets) == 0 {
		return nil
	}
	// Merge neighbours so that a bar stays at least 3 px wide.
	if len(buckets) > maxAuthBars {
		k := (len(buckets) + maxAuthBars - 1) / maxAuthBars
		merged := make([]AuthBucket, 0, maxAuthBars)
		for i := 0; i < len(buckets); i += k {
			b := AuthBucket{Start: buckets[i].Start}
			for _, x := range buckets[i:min(i+k, len(buckets))] {
				b.Accepted += x.Accepted
				b.Refused += x.Refused
				b.Invalid += x.Invalid
			}
			merged = append(merged, b)
		}
		buckets = merged
	}
	c := &authChart{Width: 760, Height: 210, PlotX: 48, PlotY: 180, PlotW: 700, PlotTop: 10}
	max := 1
	for _, b := range buckets {
		if v := b.Accepted + b.Refused; v > max {
			max = v
		}
		if b.Invalid > max {
			max = b.Invalid
		}
	}
	c.MaxLabel = strconv.Itoa(max)
	plotH := c.PlotY - c.PlotTop
	slot := c.PlotW / len(buckets)
	if slot < 1 {
		slot = 1
	}
	h := func(v int) int { return v * plotH / max }
	for i, b := range buckets {
		x := c.PlotX + i*slot
		bar := authBar{X: x + slot/10, W: max1(slot * 6 / 10), IX: x + slot*7/10, IW: max1(slot * 2 / 10)}
		bar.AccH = h(b.Accepted)
		bar.AccY = c.PlotY - bar.AccH
		bar.RefH = h(b.Refused)
		bar.RefY = bar.AccY - bar.RefH
		bar.InvH = h(b.Invalid)
		bar.InvY = c.PlotY - bar.InvH
		end := ""
		if i+1 < len(buckets) {
			end = " – " + buckets[i+1].Start.UTC().Format("15:04:05")
		}
		bar.Title = fmt.Sprintf("%s%s UTC: %d accepted, %d refused, %d invalid digest", ftime(b.Start), end, b.Accepted, b.Refused, b.Invalid)
		c.Bars = append(c.Bars, bar)
	}
	for _, i := range []int{0, len(buckets) / 2, len(buckets) - 1} {
		anchor := "middle"
		if i == 0 {
			anchor = "start"
		} else if i == len(buckets)-1 {
			anchor = "end"
			if len(buckets) < 3 {
				continue
			}
		}
		x := c.PlotX + i*slot
		if anchor == "end" {
			x += slot
		}
		c.Ticks = append(c.Ticks, tick{X: x, Y: c.PlotY + 16, Text: buckets[i].Start.UTC().Format("01-02 15:04:05"), Anchor: anchor})
	}
	return c
}

func max1(v int) int {
	if v < 1 {
		return 1
	}
	return v
}

// ladder is a call-flow diagram: one vertical line per host, one arrow
// per message, each arrow a link to the raw message below it.
type ladder struct {
	Width, Height int
	Hosts         []ladderHost
	Arrows        []ladderArrow
	Omitted       int // messages not drawn (too many)
}

type ladderHost struct {
	X, BoxX, LineTop int
	Label, Title     string
}

type ladderArrow struct {
	N                int
	Anchor           string // the id of the raw message block
	Class            string
	Y, LabelY        int
	X1, X2, LineX2   int
	Head             string // the arrow head polygon's points
	Loop             string // a path, for a message to its own host
	LabelX           int
	Label, Time      string
	TimeY            int
	HitX, HitY, HitW int
	Title            string
	Retrans          bool
}

const (
	ladderTimeW   = 150
	ladderColW    = 230
	ladderRowH    = 36
	ladderTop     = 44
	maxLadderMsgs = 500
	maxLadderCols = 24
	ladderLabel   = 36 // characters of an arrow's label
)

// ladderView is one message of the ladder with its raw text, for the
// list under the diagram.
type ladderMsg struct {
	M       Message
	N       int
	Anchor  string
	Label   string
	Raw     string
	Frames  string
	Filter  string
	Retrans bool
	Class   string
	ExURL   string
}

// newLadder lays out msgs; ids of the raw blocks are prefix+"m"+n.
func newLadder(msgs []Message, prefix string, exURL func(id string) string) (*ladder, []ladderMsg) {
	l := &ladder{}
	if len(msgs) > maxLadderMsgs {
		l.Omitted = len(msgs) - maxLadderMsgs
		msgs = msgs[:maxLadderMsgs]
	}
	col := map[string]int{}
	addHost := func(h string) {
		if _, ok := col[h]; !ok && len(col) < maxLadderCols {
			col[h] = len(l.Hosts)
			x := ladderTimeW + len(l.Hosts)*ladderColW + ladderColW/2
			l.Hosts = append(l.Hosts, ladderHost{X: x, BoxX: x - ladderColW/2 + 8, LineTop: 30, Label: clip(h, 28), Title: clip(h, 200)})
		}
	}
	for _, m := range msgs {
		addHost(m.Src)
		addHost(m.Dst)
	}
	if len(col) == maxLadderCols {
		addHost("(other hosts)")
	}
	column := func(h string) int {
		if c, ok := col[h]; ok {
			return c
		}
		return col["(other hosts)"]
	}
	seen := map[[32]byte]bool{}
	var t0 time.Time
	views := make([]ladderMsg, 0, len(msgs))
	for i, m := range msgs {
		n := i + 1
		if i == 0 || (!m.Time.IsZero() && t0.IsZero()) {
			t0 = m.Time
		}
		a := ladderArrow{N: n, Anchor: prefix + "m" + strconv.Itoa(n), Y: ladderTop + i*ladderRowH + 18}
		a.LabelY = a.Y - 5
		a.TimeY = a.Y + 4
		// A retransmission is the same bytes again between the same hosts.
		if len(m.Raw) > 0 {
			k := sha256.Sum256([]byte(m.Src + "\x00" + m.Dst + "\x00" + string(m.Raw)))
			a.Retrans = seen[k]
			seen[k] = true
		}
		label := m.StartLine
		if label == "" {
			if m.Request {
				label = m.Method
			} else {
				label = strconv.Itoa(m.Status) + " (" + m.Method + ")"
			}
		}
		if m.Request {
			// "INVITE sip:bob@x SIP/2.0": the version adds nothing.
			label = strings.TrimSuffix(label, " SIP/2.0")
		} else {
			label = strings.TrimPrefix(label, "SIP/2.0 ")
			// The method of the response (its CSeq), when it fits.
			if m.Method != "" && !strings.Contains(label, m.Method) && len(label)+len(m.Method) <= ladderLabel-3 {
				label += " (" + m.Method + ")"
			}
		}
		if a.Retrans {
			a.Label = clip(label, ladderLabel-8) + " (retr.)"
		} else {
			a.Label = clip(label, ladderLabel)
		}
		classes := []string{"msg"}
		if m.Request {
			classes = append(classes, "req")
		} else if m.Status >= 300 {
			classes = append(classes, "resp", "err")
		} else {
			classes = append(classes, "resp")
		}
		if m.Auth {
			classes = append(classes, "auth")
		}
		if a.Retrans {
			classes = append(classes, "retrans")
		}
		a.Class = strings.Join(classes, " ")
		rel := ""
		if !m.Time.IsZero() && !t0.IsZero() {
			rel = fmt.Sprintf("+%.3fs", m.Time.Sub(t0).Seconds())
		}
		a.Time = rel
		fr := frameList(m.Frames)
		a.Title = clip(fmt.Sprintf("frame %s, %s UTC, %s → %s %s: %s", fr, ftime(m.Time), m.Src, m.Dst, m.Transport, m.StartLine), 300)
		c1, c2 := column(m.Src), column(m.Dst)
		a.X1 = l.Hosts[c1].X
		a.X2 = l.Hosts[c2].X
		if c1 == c2 {
			// To itself: a small loop on the right of the line.
			a.Loop = fmt.Sprintf("M%d %d h40 v10 h-34", a.X1, a.Y-6)
			a.Head = fmt.Sprintf("%d,%d %d,%d %d,%d", a.X1, a.Y+4, a.X1+8, a.Y, a.X1+8, a.Y+8)
			a.LabelX = a.X1 + 46
			a.HitX, a.HitW = a.X1, ladderColW/2+40
		} else {
			dir := 1
			if a.X2 < a.X1 {
				dir = -1
			}
			a.LineX2 = a.X2 - dir*8
			a.Head = fmt.Sprintf("%d,%d %d,%d %d,%d", a.X2, a.Y, a.X2-dir*9, a.Y-4, a.X2-dir*9, a.Y+4)
			a.LabelX = (a.X1 + a.X2) / 2
			a.HitX, a.HitW = min(a.X1, a.X2), abs(a.X2-a.X1)
		}
		a.HitY = a.Y - 18
		l.Arrows = append(l.Arrows, a)
		mv := ladderMsg{M: m, N: n, Anchor: a.Anchor, Label: a.Label, Raw: rawText(m.Raw),
			Frames: fr, Filter: wsFilter(m.Frames), Retrans: a.Retrans, Class: "raw"}
		if m.Auth {
			mv.Class = "raw auth"
		}
		if m.ExchangeID != "" && exURL != nil {
			mv.ExURL = exURL(m.ExchangeID)
		}
		views = append(views, mv)
	}
	l.Width = ladderTimeW + len(l.Hosts)*ladderColW + 10
	l.Height = ladderTop + len(l.Arrows)*ladderRowH + 16
	for i := range l.Hosts {
		l.Hosts[i].LineTop = 34
	}
	return l, views
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// timeline is the registration timeline of one AOR: a row of events,
// then one bar per binding.
type timeline struct {
	Width, Height int
	PlotX, PlotW  int
	AxisY         int
	Rows          []tlRow
	Marks         []tlMark
	Ticks         []tick
	Omitted       int
}

type tlRow struct {
	Y, TextY int
	Label    string
	Bars     []tlBar
}

type tlBar struct {
	X, Y, W int
	Class   string
	Title   string
}

type tlMark struct {
	X, Y  int
	Class string
	Title string
}

const (
	tlLabelW   = 220
	tlPlotW    = 620
	tlRowH     = 18
	maxTLRows  = 30
	maxTLMarks = 500
)

// span is the time range of the registrations shown, a shared axis.
func regSpan(regs []Registration) (t0, t1 time.Time) {
	add := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if t0.IsZero() || t.Before(t0) {
			t0 = t
		}
		if t1.IsZero() || t.After(t1) {
			t1 = t
		}
	}
	for _, r := range regs {
		for _, b := range r.Bindings {
			add(b.Since)
			add(b.Until)
		}
		for _, e := range r.Events {
			add(e.Time)
		}
	}
	if t0.IsZero() {
		return t0, t1
	}
	// A margin on the right, so that open bindings show as open.
	t1 = t1.Add(max(t1.Sub(t0)/20, time.Second))
	return t0, t1
}

func newTimeline(r Registration, t0, t1 time.Time) *timeline {
	if t0.IsZero() {
		return nil
	}
	tl := &timeline{PlotX: tlLabelW, PlotW: tlPlotW, Width: tlLabelW + tlPlotW + 20}
	span := t1.Sub(t0)
	xOf := func(t time.Time) int {
		if t.Before(t0) {
			t = t0
		}
		if t.After(t1) {
			t = t1
		}
		return tl.PlotX + int(int64(tl.PlotW)*int64(t.Sub(t0))/int64(span))
	}
	y := 6
	ev := tlRow{Y: y, TextY: y + 12, Label: "events"}
	tl.Rows = append(tl.Rows, ev)
	for i, e := range r.Events {
		if i == maxTLMarks {
			break
		}
		class := "ev"
		w := strings.ToLower(e.Event)
		switch {
		case e.Status >= 300:
			class = "ev fail"
		case strings.Contains(w, "dereg") || strings.Contains(w, "expir") || strings.Contains(w, "terminat") || strings.Contains(w, "end") || strings.Contains(w, "unreg"):
			class = "ev end"
		}
		title := fmt.Sprintf("%s UTC frame %d: %s %s", ftime(e.Time), e.Frame, e.Event, e.Contact)
		if e.Status != 0 {
			title += fmt.Sprintf(" (%d)", e.Status)
		}
		if e.Origin != "" {
			title += " by " + e.Origin
		}
		tl.Marks = append(tl.Marks, tlMark{X: xOf(e.Time), Y: y + 8, Class: class, Title: clip(title, 300)})
	}
	for i, b := range r.Bindings {
		if i == maxTLRows {
			tl.Omitted = len(r.Bindings) - maxTLRows
			break
		}
		y += tlRowH
		row := tlRow{Y: y, TextY: y + 12, Label: clip(b.Contact, 30)}
		start, end, class := b.Since, b.Until, "binding"
		if start.IsZero() {
			start = t0
		}
		if end.IsZero() {
			class = "binding open"
			end = t1
			if b.Expires > 0 {
				if e := start.Add(time.Duration(b.Expires) * time.Second); e.Before(t1) {
					end = e
				}
			}
		}
		x1, x2 := xOf(start), xOf(end)
		until := ftime(b.Until)
		if b.Until.IsZero() {
			until = "open"
		}
		row.Bars = append(row.Bars, tlBar{X: x1, Y: y + 2, W: max(x2-x1, 2), Class: class,
			Title: clip(fmt.Sprintf("%s: %s – %s UTC, expires %d, from %s", b.Contact, ftime(b.Since), until, b.Expires, b.Source), 300)})
		tl.Rows = append(tl.Rows, row)
	}
	tl.AxisY = y + tlRowH + 4
	tl.Height = tl.AxisY + 20
	tl.Ticks = []tick{
		{X: tl.PlotX, Y: tl.AxisY + 14, Text: t0.UTC().Format("01-02 15:04:05"), Anchor: "start"},
		{X: tl.PlotX + tl.PlotW, Y: tl.AxisY + 14, Text: t1.UTC().Format("01-02 15:04:05"), Anchor: "end"},
	}
	return tl
}

// countTable sorts a count map for a table, most first, at most n rows.
type countRow struct {
	Key   string
	Count int
}

func countTable(m map[string]int, n int) []countRow {
	rows := make([]countRow, 0, len(m))
	for k, v := range m {
		rows = append(rows, countRow{clip(k, 60), v})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Count != rows[j].Count {
			return rows[i].Count > rows[j].Count
		}
		return rows[i].Key < rows[j].Key
	})
	if len(rows) > n {
		rows = rows[:n]
	}
	return rows
}
