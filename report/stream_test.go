package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

// TestFindingLines: the lines of a live stream, from a hostile finding.
func TestFindingLines(t *testing.T) {
	f := &finding.Finding{Rule: "SA201", Name: "nc-replay-accepted", Severity: finding.Critical, Frames: []int{4, 9},
		Time: time.Date(2026, 1, 2, 3, 4, 5, 600e6, time.UTC), Client: "10.0.0.1:5060", Server: "10.0.0.2:5060",
		Username: "al\x1b[2Jice", Message: "replayed\r\nFAKE LINE", Fingerprint: "SA201-0123456789abcdef", Count: 1}
	var b bytes.Buffer
	if err := WriteFindingLine(&b, f, false); err != nil {
		t.Fatal(err)
	}
	want := "03:04:05.600  CRITICAL  SA201 nc-replay-accepted  frames 4,9  10.0.0.1:5060 -> 10.0.0.2:5060  user al?[2Jice  replayed??FAKE LINE\n"
	if b.String() != want {
		t.Errorf("line\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	if err := WriteFindingLine(&b, f, true); err != nil || !strings.HasPrefix(b.String(), "03:04:05.600  \x1b[1;31mCRITICAL\x1b[0m  SA201") {
		t.Errorf("coloured line %q (%v)", b.String(), err)
	}
	b.Reset()
	if err := WriteFindingJSONLine(&b, f); err != nil {
		t.Fatal(err)
	}
	if strings.Count(b.String(), "\n") != 1 || !strings.HasSuffix(b.String(), "}\n") {
		t.Fatalf("not one line: %q", b.String())
	}
	var back finding.Finding
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Username != f.Username || back.Message != f.Message || back.Fingerprint != f.Fingerprint {
		t.Errorf("JSON line round trip: %+v (%v)", back, err)
	}
}
