package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
)

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Report is everything one run found. Its JSON form is the contract of
// shared/spec/interface.md; keys are snake_case and lists print as [].
type Report struct {
	Tool      Tool            `json:"tool"`
	Inputs    []capture.Input `json:"inputs"`
	Stats     *analyzer.Stats `json:"stats"`
	Capture   capture.Stats   `json:"capture"`
	Exchanges []struct{}      `json:"exchanges"`
	Findings  []struct{}      `json:"findings"`
}

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	if r.Inputs == nil {
		r.Inputs = []capture.Input{}
	}
	if r.Exchanges == nil {
		r.Exchanges = []struct{}{}
	}
	if r.Findings == nil {
		r.Findings = []struct{}{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes r as a human-readable summary.
func WriteText(w io.Writer, r *Report) error {
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
	return tw.Flush()
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
