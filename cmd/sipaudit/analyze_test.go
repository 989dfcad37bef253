package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	example      = "../../testdata/example.pcap"
	exampleCreds = "../../testdata/example-creds.csv"
)

func runCmd(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if len(args) > 0 && args[0] == "analyze" && !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--db") }) {
		// Tests store nothing unless they say where.
		args = append([]string{"analyze", "--db="}, args[1:]...)
	}
	code = run(args, bytes.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestAnalyzeJSONGolden runs the example capture through the whole
// pipeline and compares the JSON report with testdata/example.json.
func TestAnalyzeJSONGolden(t *testing.T) {
	code, out, errs := runCmd(t, nil, "analyze", "--format", "json", "--creds", exampleCreds, example)
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	checkGolden(t, "example.json", out)
	var rep struct {
		Inputs []struct {
			Path     string `json:"path"`
			Packets  int    `json:"packets"`
			LinkType string `json:"link_type"`
		} `json:"inputs"`
		Stats struct {
			Packets     int            `json:"packets"`
			SIPMessages int            `json:"sip_messages"`
			Requests    map[string]int `json:"requests"`
			Responses   map[string]int `json:"responses"`
		} `json:"stats"`
		Exchanges []any `json:"exchanges"`
		Findings  []any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// the generator's truth for --calls 10 --seed 1
	if rep.Stats.Packets != 166 || rep.Stats.SIPMessages != 142 || rep.Stats.Requests["REGISTER"] != 26 || rep.Stats.Responses["407"] != 9 {
		t.Errorf("stats %+v", rep.Stats)
	}
	if len(rep.Inputs) != 1 || rep.Inputs[0].LinkType != "ethernet" || rep.Inputs[0].Packets != 166 {
		t.Errorf("inputs %+v", rep.Inputs)
	}
	if rep.Exchanges == nil || rep.Findings == nil {
		t.Errorf("exchanges and findings must print as [], not null")
	}
}

func TestAnalyzeText(t *testing.T) {
	code, out, _ := runCmd(t, nil, "analyze", example)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"166 packets", "SIP messages  142", "REGISTER  26", "407  9", "IP datagrams reassembled  2"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

func TestAnalyzeStdin(t *testing.T) {
	b, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, b, "analyze", "--format", "json", "-")
	if code != exitOK || !strings.Contains(out, `"sip_messages": 142`) {
		t.Errorf("exit %d, output %s", code, out)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	dir := t.TempDir()
	notCapture := filepath.Join(dir, "notes.txt")
	os.WriteFile(notCapture, []byte("hello, this is not a capture\n"), 0o644)
	empty := filepath.Join(dir, "empty.pcap")
	os.WriteFile(empty, nil, 0o644)
	truncated := "../../testdata/capture/truncated.pcap"

	for _, c := range []struct {
		name      string
		args      []string
		code      int
		stderr    string // a part of the one error line
		reported  bool   // a report is printed
		sipInJSON string
	}{
		{"missing file", []string{"analyze", filepath.Join(dir, "nope.pcap")}, exitInput, "nope.pcap: cannot open: no such file or directory", true, ""},
		{"not a capture", []string{"analyze", notCapture}, exitInput, "notes.txt: unknown magic number 68656c6c: not a pcap or pcapng file", true, ""},
		{"empty file", []string{"analyze", empty}, exitInput, "empty.pcap: empty file", true, ""},
		{"directory", []string{"analyze", dir}, exitInput, "is a directory", true, ""},
		{"bad format", []string{"analyze", "--format", "xml", example}, exitUsage, `--format "xml"`, false, ""},
		{"no file", []string{"analyze"}, exitUsage, "requires at least 1 arg", false, ""},
		{"unknown flag", []string{"analyze", "--frobnicate", example}, exitUsage, "unknown flag", false, ""},
		// one bad input does not lose the others
		{"good and bad", []string{"analyze", "--format", "json", example, notCapture}, exitInput, "notes.txt: unknown magic", true, `"sip_messages": 142`},
		// a truncated file is analyzed up to the cut
		{"truncated", []string{"analyze", "--format", "json", truncated}, exitOK, "truncated.pcap: file is truncated: packet 6 is cut short", true, `"sip_messages": 5`},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCmd(t, nil, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, errs)
			}
			if !strings.Contains(errs, c.stderr) {
				t.Errorf("stderr %q lacks %q", errs, c.stderr)
			}
			if n := strings.Count(strings.TrimSpace(errs), "\n"); n != 0 {
				t.Errorf("stderr has %d lines, want one: %q", n+1, errs)
			}
			if c.reported != (out != "") {
				t.Errorf("report printed: %v, want %v", out != "", c.reported)
			}
			if c.sipInJSON != "" && !strings.Contains(out, c.sipInJSON) {
				t.Errorf("report lacks %s:\n%s", c.sipInJSON, out)
			}
		})
	}
}

func TestAnalyzeOutputFile(t *testing.T) {
	o := filepath.Join(t.TempDir(), "r.json")
	code, out, _ := runCmd(t, nil, "analyze", "--format", "json", "-o", o, example)
	if code != exitOK || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	b, err := os.ReadFile(o)
	if err != nil || !json.Valid(b) {
		t.Fatalf("-o file: %v, valid JSON %v", err, json.Valid(b))
	}
}

func TestCredsErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "creds.csv")
	if err := os.WriteFile(bad, []byte("username,ha1_md5\nalice,abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{bad, bad + ": line 2: column ha1_md5: not 32 hex digits"},
		{filepath.Join(dir, "none.csv"), filepath.Join(dir, "none.csv") + ": cannot open: no such file or directory"},
	} {
		code, out, errs := runCmd(t, nil, "analyze", "--creds", tt.path, example)
		if code != exitUsage || out != "" || strings.TrimSpace(errs) != "sipaudit: "+tt.want {
			t.Errorf("--creds %s: exit %d, stdout %q, stderr %q", tt.path, code, out, errs)
		}
	}
}

// checkGolden compares out with testdata/name, or rewrites it with
// -update.
func checkGolden(t *testing.T, name, out string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("output differs from %s (run go test ./cmd/sipaudit -update to accept):\n%.3000s", golden, out)
	}
}

// TestNonceLifetimeFlag: with a 1 s nonce lifetime the re-REGISTERs of the
// example, seconds after their challenge, are stale to the reference.
func TestNonceLifetimeFlag(t *testing.T) {
	code, out, errs := runCmd(t, nil, "analyze", "--format", "json", "--creds", exampleCreds, "--nonce-lifetime", "1s", example)
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(out, `"nonce_state": "expired"`) {
		t.Error("no expired nonce with --nonce-lifetime 1s")
	}
	if code, _, errs := runCmd(t, nil, "analyze", "--nonce-lifetime", "-1s", example); code != exitUsage || !strings.Contains(errs, "must be positive") {
		t.Errorf("negative lifetime: exit %d, %q", code, errs)
	}
}
