package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStoreAndReport: analyze stores the run in --db (sipaudit.db in the
// working directory by default); report rebuilds the same JSON from the
// database, and writes SARIF, CSV and one HTML file.
func TestStoreAndReport(t *testing.T) {
	dir := t.TempDir()
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	pcap, creds := abs(example), abs(exampleCreds)
	t.Chdir(dir)
	code, direct, errs := runCmd(t, nil, "analyze", "--db", "sipaudit.db", "--format", "json", "--creds", creds, pcap)
	if code != exitOK {
		t.Fatalf("analyze: exit %d %s", code, errs)
	}
	code, stored, errs := runCmd(t, nil, "report", "--format", "json")
	if code != exitOK {
		t.Fatalf("report: exit %d %s", code, errs)
	}
	var a, b map[string]any
	if json.Unmarshal([]byte(direct), &a) != nil || json.Unmarshal([]byte(stored), &b) != nil {
		t.Fatal("not JSON")
	}
	for _, k := range []string{"inputs", "stats", "exchanges", "dialogs", "registrations", "findings"} {
		x, _ := json.Marshal(a[k])
		y, _ := json.Marshal(b[k])
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between analyze and report from the database", k)
		}
	}
	// The default database, a second run, and the other formats.
	if code, _, errs := runCmd(t, nil, "analyze", "--db", "sipaudit.db", pcap); code != exitOK {
		t.Fatalf("second run: %d %s", code, errs)
	}
	for _, f := range []string{"sarif", "csv", "html"} {
		code, out, errs := runCmd(t, nil, "report", "--run", "1", "--format", f, "-o", "r."+f)
		data, _ := os.ReadFile("r." + f)
		if code != exitOK || out != "" || len(data) == 0 {
			t.Errorf("report --format %s: exit %d, %d bytes, %s", f, code, len(data), errs)
		}
		if f == "html" && (!bytes.Contains(data, []byte("Content-Security-Policy")) || bytes.Contains(data, []byte("<script"))) {
			t.Errorf("the HTML report is not self-contained and script-free")
		}
	}
	for _, bad := range [][]string{{"report", "--db", "none.db"}, {"report", "--run", "99"}, {"report", "--format", "pdf"}, {"serve", "--db", "none.db"}} {
		code, _, errs := runCmd(t, nil, bad...)
		if code == exitOK || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want a one-line error", bad, code, errs)
		}
	}
}

// sigReader gives the first n bytes of data, then sends SIGTERM to the
// process (as a user stopping a long analysis would) and ends.
type sigReader struct {
	data []byte
	n    int
	sent bool
}

func (r *sigReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		k := copy(p, r.data[:min(r.n, len(p))])
		r.data, r.n = r.data[k:], r.n-k
		return k, nil
	}
	if !r.sent {
		r.sent = true
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		time.Sleep(200 * time.Millisecond) // the signal is delivered
	}
	return 0, io.ErrUnexpectedEOF
}

// TestInterruptedRunStored: SIGTERM during an analysis keeps what was
// analysed: the report is written, the run is stored and marked
// incomplete, and the exit code says the input was not read to the end.
func TestInterruptedRunStored(t *testing.T) {
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "x.db")
	var out, errb bytes.Buffer
	code := run([]string{"analyze", "--db", db, "--format", "json", "-"}, &sigReader{data: data, n: len(data) / 2}, &out, &errb)
	if code != exitInput || !strings.Contains(errb.String(), "interrupted") || !strings.Contains(errb.String(), "incomplete") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	var rep struct {
		Exchanges []any `json:"exchanges"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || len(rep.Exchanges) == 0 {
		t.Fatalf("no report of what was analysed: %v", err)
	}
	code, page, _ := runCmd(t, nil, "report", "--db", db, "--format", "html")
	if code != exitOK || !strings.Contains(page, "incomplete") {
		t.Errorf("the stored run is not reported as incomplete (exit %d)", code)
	}
}
