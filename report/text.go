package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/sipaudit/sipaudit/finding"
)

// WriteTextOptions change how WriteTextWithOptions writes.
type WriteTextOptions struct {
	// Color marks severities with ANSI colours; set it only when the
	// output is a terminal.
	Color bool
}

// WriteTextWithOptions writes r as WriteText does, with opts.
func WriteTextWithOptions(w io.Writer, r *Report, opts WriteTextOptions) error {
	if opts.Color {
		w = colorWriter{w}
	}
	return WriteText(w, r)
}

// colorWriter asks WriteText for colour; WriteText unwraps it.
type colorWriter struct{ io.Writer }

// ANSI SGR sequences of the severities.
const (
	ansiReset = "\x1b[0m"
)

var severityColor = map[finding.Severity]string{
	finding.Critical: "\x1b[1;31m", // bold red
	finding.High:     "\x1b[31m",   // red
	finding.Medium:   "\x1b[33m",   // yellow
	finding.Low:      "\x1b[36m",   // cyan
	finding.Info:     "\x1b[2m",    // dim
}

// maxTextFrames is how many frames a finding's line lists.
const maxTextFrames = 10

// writeFindings writes the findings section of the text report: the
// findings grouped by severity, critical first, each group in the order
// given. Everything that came from the capture goes through printable.
func writeFindings(w io.Writer, r *Report, color bool) error {
	ew := &errWriter{w: w}
	paint := func(s finding.Severity, text string) string {
		if !color || severityColor[s] == "" {
			return text
		}
		return severityColor[s] + text + ansiReset
	}
	if len(r.Findings) == 0 {
		ew.printf("\nFindings: none\n")
	} else {
		counts := map[finding.Severity]int{}
		inputs := map[string]bool{}
		for _, f := range r.Findings {
			counts[f.Severity]++
			inputs[f.Input] = true
		}
		var parts []string
		for _, s := range severityOrder(counts) {
			parts = append(parts, paint(s, fmt.Sprintf("%d %s", counts[s], s)))
		}
		ew.printf("\nFindings: %d (%s)\n", len(r.Findings), strings.Join(parts, ", "))
		for _, s := range severityOrder(counts) {
			ew.printf("\n%s\n", paint(s, fmt.Sprintf("%s (%d)", titleCase(s.String()), counts[s])))
			for _, f := range r.Findings {
				if f.Severity == s {
					writeFinding(ew, f, len(inputs) > 1, paint)
				}
			}
		}
	}
	if r.Baselined > 0 {
		noun := "findings"
		if r.Baselined == 1 {
			noun = "finding"
		}
		ew.printf("\n%d %s hidden by the baseline\n", r.Baselined, noun)
	}
	return ew.err
}

func writeFinding(ew *errWriter, f *finding.Finding, showInput bool, paint func(finding.Severity, string) string) {
	fields := []string{paint(f.Severity, printable(f.Rule)) + " " + printable(f.Name)}
	if showInput && f.Input != "" {
		fields = append(fields, printable(f.Input))
	}
	if len(f.Frames) > 0 {
		fields = append(fields, textFrames(f.Frames))
	}
	if f.CallID != "" {
		fields = append(fields, "call-id "+printable(f.CallID))
	}
	msg := printable(f.Message)
	if f.Count > 1 {
		msg += fmt.Sprintf(" (%d times", f.Count)
		if !f.LastTime.IsZero() {
			msg += ", last " + f.LastTime.UTC().Format("15:04:05")
		}
		msg += ")"
	}
	fields = append(fields, msg)
	ew.printf("  %s\n", strings.Join(fields, "  "))
	if f.Clause != "" {
		ew.printf("      clause: %s\n", printable(f.Clause))
	}
}

// textFrames lists frames as "frame 7" or "frames 40,41", the first
// maxTextFrames of them.
func textFrames(frames []int) string {
	word := "frames "
	if len(frames) == 1 {
		word = "frame "
	}
	n := min(len(frames), maxTextFrames)
	parts := make([]string, n)
	for i := range n {
		parts[i] = strconv.Itoa(frames[i])
	}
	s := word + strings.Join(parts, ",")
	if len(frames) > n {
		s += fmt.Sprintf(" (+%d more)", len(frames)-n)
	}
	return s
}

// severityOrder lists the severities present in counts, most severe
// first; an unknown severity comes last.
func severityOrder(counts map[finding.Severity]int) []finding.Severity {
	var out []finding.Severity
	for s := finding.Critical; s >= finding.Info; s-- {
		if counts[s] > 0 {
			out = append(out, s)
		}
	}
	var unknown []finding.Severity
	for s := range counts {
		if s < finding.Info || s > finding.Critical {
			unknown = append(unknown, s)
		}
	}
	slices.Sort(unknown)
	return append(out, unknown...)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (ew *errWriter) printf(format string, args ...any) {
	if ew.err == nil {
		_, ew.err = fmt.Fprintf(ew.w, format, args...)
	}
}
