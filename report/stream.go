package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sipaudit/sipaudit/finding"
)

// WriteFindingLine writes one finding as a line of a live capture's
// stream: its time, severity, rule, frames, endpoints and message, with
// the severity in colour when color is set. Everything from the capture
// goes through printable, as in the text report.
func WriteFindingLine(w io.Writer, f *finding.Finding, color bool) error {
	sev := strings.ToUpper(f.Severity.String())
	if color && severityColor[f.Severity] != "" {
		sev = severityColor[f.Severity] + sev + ansiReset
	}
	fields := []string{f.Time.UTC().Format("15:04:05.000"), sev, printable(f.Rule) + " " + printable(f.Name)}
	if len(f.Frames) > 0 {
		fields = append(fields, textFrames(f.Frames))
	}
	if f.Client != "" || f.Server != "" {
		fields = append(fields, dash(printable(f.Client))+" -> "+dash(printable(f.Server)))
	}
	if f.Username != "" {
		fields = append(fields, "user "+printable(f.Username))
	}
	fields = append(fields, printable(f.Message))
	_, err := fmt.Fprintln(w, strings.Join(fields, "  "))
	return err
}

// WriteFindingJSONLine writes one finding as a line of JSON (JSON Lines):
// the object the JSON report's findings list holds.
func WriteFindingJSONLine(w io.Writer, f *finding.Finding) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
