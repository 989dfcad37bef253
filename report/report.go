package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/finding"
)

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Report is everything one run found. Its JSON form is the contract of
// shared/spec/interface.md; keys are snake_case and lists print as [].
type Report struct {
	Tool      Tool                 `json:"tool"`
	Inputs    []capture.Input      `json:"inputs"`
	Stats     *analyzer.Stats      `json:"stats"`
	Capture   capture.Stats        `json:"capture"`
	Exchanges []*analyzer.Exchange `json:"exchanges"`
	// Dialogs and Registrations go beyond interface.md's minimum.
	Dialogs       []*analyzer.Dialog       `json:"dialogs"`
	Registrations []*analyzer.Registration `json:"registrations"`
	Findings      []*finding.Finding       `json:"findings"`
	// Rules are the rules that ran, in catalog order (SARIF lists them).
	Rules []finding.RuleInfo `json:"-"`
	// Baselined counts findings hidden by a baseline file.
	Baselined int `json:"-"`

	// For large captures, the exchanges and dialogs can be spooled (JSON)
	// and summarised (text) instead of held: when set, these are used in
	// place of Exchanges and Dialogs.
	ExchangeSpool   *Spool           `json:"-"`
	DialogSpool     *Spool           `json:"-"`
	ExchangeSummary *ExchangeSummary `json:"-"`
	// DialogStates counts dialogs by state for the text report when
	// Dialogs is not held.
	DialogStates map[string]int `json:"-"`
}

// WriteJSON writes r as indented JSON. Lists are written element by
// element, so a report of a large capture is never held in memory as a
// whole; the bytes are those of encoding/json with a two-space indent.
func WriteJSON(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	jw := &jsonWriter{w: bw}
	jw.raw("{\n")
	jw.field("tool", r.Tool)
	writeList(jw, "inputs", r.Inputs)
	jw.field("stats", r.Stats)
	jw.field("capture", r.Capture)
	if r.ExchangeSpool != nil {
		jw.spool("exchanges", r.ExchangeSpool)
	} else {
		writeList(jw, "exchanges", r.Exchanges)
	}
	if r.DialogSpool != nil {
		jw.spool("dialogs", r.DialogSpool)
	} else {
		writeList(jw, "dialogs", r.Dialogs)
	}
	writeList(jw, "registrations", r.Registrations)
	writeList(jw, "findings", r.Findings)
	jw.raw("\n}\n")
	if jw.err != nil {
		return jw.err
	}
	return bw.Flush()
}

// jsonWriter writes one top-level object's members; the first error
// sticks.
type jsonWriter struct {
	w       *bufio.Writer
	err     error
	members int
	buf     bytes.Buffer
	out     []byte
}

func (jw *jsonWriter) raw(s string) {
	if jw.err == nil {
		_, jw.err = jw.w.WriteString(s)
	}
}

// value writes v encoded with the given prefix for continuation lines.
func (jw *jsonWriter) value(v any, prefix string) {
	if jw.err != nil {
		return
	}
	var out []byte
	if out, jw.err = encodeIndent(&jw.buf, jw.out[:0], v, prefix); jw.err != nil {
		return
	}
	jw.out = out
	_, jw.err = jw.w.Write(out)
}

func (jw *jsonWriter) key(name string) {
	if jw.members > 0 {
		jw.raw(",\n")
	}
	jw.members++
	jw.raw("  \"" + name + "\": ")
}

func (jw *jsonWriter) field(name string, v any) {
	jw.key(name)
	jw.value(v, "  ")
}

// spool writes a list member from a Spool.
func (jw *jsonWriter) spool(name string, s *Spool) {
	jw.key(name)
	if s.Len() == 0 {
		jw.raw("[]")
		return
	}
	jw.raw("[\n")
	if jw.err == nil {
		jw.err = s.copyTo(jw.w)
	}
	jw.raw("\n  ]")
}

// writeList writes a list member element by element; an empty or nil
// list prints as [].
func writeList[T any](jw *jsonWriter, name string, items []T) {
	jw.key(name)
	if len(items) == 0 {
		jw.raw("[]")
		return
	}
	jw.raw("[\n")
	for i, it := range items {
		if i > 0 {
			jw.raw(",\n")
		}
		jw.raw("    ")
		jw.value(it, "    ")
	}
	jw.raw("\n  ]")
}

// WriteText writes r as a human-readable summary, then its findings
// (without colour; WriteTextWithOptions can add it).
func WriteText(w io.Writer, r *Report) error {
	color := false
	if cw, ok := w.(colorWriter); ok {
		w, color = cw.Writer, true
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, in := range r.Inputs {
		status := ""
		if in.Error != "" {
			status = "  (stopped: " + in.Error + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d packets\t%d bytes%s\n", in.Path, in.Format, in.LinkType, in.Packets, in.Bytes, status)
	}
	s := r.Stats
	fmt.Fprintf(tw, "\nPackets\t%d\n", s.Packets)
	fmt.Fprintf(tw, "SIP messages\t%d\n", s.SIPMessages)
	fmt.Fprintf(tw, "Malformed\t%d\n", s.Malformed)
	writeCounts(tw, "Requests", s.Requests, func(a, b string) int { return strings.Compare(a, b) })
	writeCounts(tw, "Responses", s.Responses, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	if r.DialogStates != nil {
		writeStateCounts(tw, "Dialogs", r.DialogStates)
	} else {
		writeStates(tw, "Dialogs", r.Dialogs, func(d *analyzer.Dialog) string { return string(d.State) })
	}
	writeStates(tw, "Registrations (AORs)", r.Registrations, func(g *analyzer.Registration) string { return g.State })
	sum := r.ExchangeSummary
	if sum == nil {
		sum = &ExchangeSummary{}
		for _, e := range r.Exchanges {
			sum.Add(e)
		}
	}
	sum.write(tw)
	c := r.Capture
	fmt.Fprintln(tw, "\nCapture")
	for _, l := range []struct {
		name string
		n    int
	}{
		{"UDP datagrams", c.UDPDatagrams},
		{"TCP connections", c.TCPConnections},
		{"TLS connections (encrypted, not analysed)", c.TLSConnections},
		{"WebSocket connections", c.WSConnections},
		{"SCTP DATA chunks", c.SCTPChunks},
		{"HEP packets", c.HEPPackets},
		{"IP fragments", c.IPFragments},
		{"IP datagrams reassembled", c.IPReassembled},
		{"IP fragments dropped", c.IPFragmentsLost},
		{"TCP bytes missing (gaps)", c.TCPBytesMissing},
		{"Stream bytes that are not SIP", c.StreamBytesSkip},
		{"Oversize messages dropped", c.OversizeMessages},
		{"Bad Content-Length", c.BadContentLength},
		{"Stream buffer overflows", c.StreamOverflows},
		{"TCP segments over the stream cap", c.TCPRefused},
		{"HEP errors", c.HEPErrors},
		{"WebSocket errors", c.WSErrors},
		{"Undecodable packets", c.Undecodable},
		{"Packets of unsupported link types", c.UnsupportedLink},
	} {
		if l.n > 0 {
			fmt.Fprintf(tw, "  %s\t%d\n", l.name, l.n)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeFindings(w, r, color)
}

func writeCounts(w io.Writer, title string, m map[string]int, cmp func(a, b string) int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp)
	fmt.Fprintf(w, "\n%s\n", title)
	if len(keys) == 0 {
		fmt.Fprintf(w, "  (none)\n")
	}
	for _, k := range keys {
		fmt.Fprintf(w, "  %s\t%d\n", k, m[k])
	}
}

// writeExchanges lists exchanges grouped by user, each with the
// reference's verdict next to the server's, in the order given (capture
// order) within a user.
func writeExchanges(w io.Writer, exs []*analyzer.Exchange) {
	inputs := map[string]bool{}
	var users []string
	byUser := map[string][]*analyzer.Exchange{}
	for _, e := range exs {
		inputs[e.Input] = true
		k := e.Username
		if e.Realm != "" {
			k += " (" + e.Realm + ")"
		}
		if _, ok := byUser[k]; !ok {
			users = append(users, k)
		}
		byUser[k] = append(byUser[k], e)
	}
	slices.Sort(users)
	fmt.Fprintf(w, "  USER\tFRAME\tMETHOD\tALGORITHM\tNC\tREFERENCE\tSERVER\n")
	for _, u := range users {
		for i, e := range byUser[u] {
			user := ""
			if i == 0 {
				user = printable(u)
			}
			frame := strconv.Itoa(e.Frame)
			if len(inputs) > 1 {
				frame = printable(e.Input) + ":" + frame
			}
			alg := e.Algorithm
			if e.Scheme != "Digest" {
				alg = e.Scheme
			}
			server := e.ServerVerdict
			if e.Status != 0 {
				server += " (" + strconv.Itoa(e.Status) + ")"
			}
			ref := e.Reference
			if e.Cause != "" && e.Cause != "ok" && e.Cause != "no-credentials" {
				ref += " (" + e.Cause + ")"
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", user, frame, e.Method, dash(printable(alg)), dash(printable(e.NC)), ref, server)
		}
	}
}

// writeStates prints a count and its split by state, states sorted.
func writeStates[T any](w io.Writer, title string, items []T, state func(T) string) {
	counts := map[string]int{}
	for _, it := range items {
		counts[state(it)]++
	}
	writeStateCounts(w, title, counts)
}

func writeStateCounts(w io.Writer, title string, counts map[string]int) {
	total := 0
	for _, n := range counts {
		total += n
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	line := fmt.Sprintf("\n%s\t%d", title, total)
	if len(parts) > 0 {
		line += "  (" + strings.Join(parts, ", ") + ")"
	}
	fmt.Fprintln(w, line)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printable replaces control characters in captured text, so that a
// hostile capture cannot drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}
