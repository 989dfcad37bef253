package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/sipaudit/sipaudit/finding"
)

// csvHeader names WriteCSV's columns.
var csvHeader = []string{
	"rule", "name", "severity", "message", "clause", "input", "frames",
	"time", "last_time", "count", "call_id", "exchange", "client", "server",
	"transport", "username", "fingerprint",
}

// WriteCSV writes r's findings as CSV (RFC 4180, encoding/csv): a header
// row, then one row per finding in the order given. Frames are separated
// by spaces; times are RFC 3339 in UTC, empty when unknown.
//
// The values come from the network, so every cell is made safe for a
// spreadsheet: control characters become '?', bytes that are not UTF-8
// become U+FFFD, and a cell that starts with =, +, -, @, a tab or a
// carriage return gets a leading single quote (OWASP's defence against
// CSV injection), so that it is never read as a formula.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range r.Findings {
		if err := cw.Write(csvRow(f)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvRow(f *finding.Finding) []string {
	frames := make([]string, len(f.Frames))
	for i, n := range f.Frames {
		frames[i] = strconv.Itoa(n)
	}
	row := []string{
		f.Rule, f.Name, f.Severity.String(), f.Message, f.Clause, f.Input,
		strings.Join(frames, " "), formatTime(f.Time), formatTime(f.LastTime),
		strconv.Itoa(f.Count), f.CallID, f.Exchange, f.Client, f.Server,
		f.Transport, f.Username, f.Fingerprint,
	}
	for i, v := range row {
		row[i] = csvCell(v)
	}
	return row
}

// csvCell neutralises a value for a spreadsheet cell.
func csvCell(v string) string {
	if v != "" && strings.IndexByte("=+-@\t\r", v[0]) >= 0 {
		v = "'" + v
	}
	return printable(v)
}
