package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/rules"
)

type jsonFinding struct {
	Rule        string `json:"rule"`
	Severity    string `json:"severity"`
	Frames      []int  `json:"frames"`
	Fingerprint string `json:"fingerprint"`
	Message     string `json:"message"`
	Count       int    `json:"count"`
}

func findingsOf(t *testing.T, out string) []jsonFinding {
	t.Helper()
	var rep struct {
		Findings []jsonFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Findings
}

// TestRuleFixtures: every rule of the catalog fires end to end, from a
// committed capture (testdata/rules/<ID>.pcap, written from the rule's
// table test by go test ./rules -fixtures) through the command to the
// JSON report.
func TestRuleFixtures(t *testing.T) {
	for _, info := range rules.Catalog() {
		t.Run(info.ID, func(t *testing.T) {
			pcap := filepath.Join("..", "..", "testdata", "rules", info.ID+".pcap")
			if _, err := os.Stat(pcap); err != nil {
				t.Fatalf("no fixture capture for %s: %v", info.ID, err)
			}
			args := []string{"analyze", "--format", "json"}
			if creds := strings.TrimSuffix(pcap, ".pcap") + ".creds.csv"; fileExists(creds) {
				args = append(args, "--creds", creds)
			}
			code, out, errs := runCmd(t, nil, append(args, pcap)...)
			if code != exitOK || errs != "" {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
			found := false
			for _, f := range findingsOf(t, out) {
				if f.Rule == info.ID {
					found = true
					if len(f.Frames) == 0 || f.Severity == "" || !strings.HasPrefix(f.Fingerprint, info.ID+"-") {
						t.Errorf("finding without evidence: %+v", f)
					}
				}
			}
			if !found {
				t.Errorf("%s does not fire on %s", info.ID, pcap)
			}
		})
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestFailOnAndBaseline: --fail-on trips exit 3 at or above the
// severity; a baseline made from the run's own JSON hides every finding.
func TestFailOnAndBaseline(t *testing.T) {
	code, out, _ := runCmd(t, nil, "analyze", "--format", "json", "--creds", exampleCreds, example)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	fs := findingsOf(t, out)
	if len(fs) == 0 {
		t.Fatal("the example has no findings")
	}
	code, _, errs := runCmd(t, nil, "analyze", "--fail-on", "critical", "--creds", exampleCreds, example)
	if code != exitFailedOn || !strings.Contains(errs, "critical") {
		t.Errorf("--fail-on critical: exit %d, stderr %q; want 3 (the example has an accepted nc replay)", code, errs)
	}
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.WriteFile(baseline, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out2, errs := runCmd(t, nil, "analyze", "--format", "json", "--fail-on", "info", "--baseline", baseline, "--creds", exampleCreds, example)
	if code != exitOK || len(findingsOf(t, out2)) != 0 {
		t.Errorf("with its own baseline: exit %d, %d findings, stderr %q", code, len(findingsOf(t, out2)), errs)
	}
	// A fingerprint list hides just those.
	list := filepath.Join(t.TempDir(), "accepted.txt")
	if err := os.WriteFile(list, []byte("# accepted\n"+fs[0].Fingerprint+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out3, _ := runCmd(t, nil, "analyze", "--format", "json", "--baseline", list, "--creds", exampleCreds, example)
	if n := len(findingsOf(t, out3)); n != len(fs)-1 {
		t.Errorf("a one-line baseline left %d findings of %d", n, len(fs))
	}
	_, text, _ := runCmd(t, nil, "analyze", "--baseline", list, "--creds", exampleCreds, example)
	if !strings.Contains(text, "hidden by the baseline") {
		t.Errorf("the text report does not say findings were hidden")
	}
	for _, bad := range [][]string{{"--fail-on", "severe"}, {"--baseline", "/nonexistent/b.json"}, {"--format", "xml"}} {
		code, _, errs := runCmd(t, nil, append(append([]string{"analyze"}, bad...), example)...)
		if code != exitUsage || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 1 and one line", bad, code, errs)
		}
	}
}

// TestFormats: SARIF and CSV come out of the command, one result/row per
// finding.
func TestFormats(t *testing.T) {
	_, out, _ := runCmd(t, nil, "analyze", "--format", "json", "--creds", exampleCreds, example)
	n := len(findingsOf(t, out))
	code, sarif, errs := runCmd(t, nil, "analyze", "--format", "sarif", "--creds", exampleCreds, example)
	if code != exitOK {
		t.Fatalf("sarif: exit %d %s", code, errs)
	}
	var s struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []any `json:"results"`
			Tool    struct {
				Driver struct {
					Rules []any `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(sarif), &s); err != nil {
		t.Fatal(err)
	}
	if s.Version != "2.1.0" || len(s.Runs) != 1 || len(s.Runs[0].Results) != n || len(s.Runs[0].Tool.Driver.Rules) != len(rules.Catalog()) {
		t.Errorf("sarif: version %s, %d runs, results/rules not %d/%d", s.Version, len(s.Runs), n, len(rules.Catalog()))
	}
	code, csvOut, _ := runCmd(t, nil, "analyze", "--format", "csv", "--creds", exampleCreds, example)
	rows, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if code != exitOK || err != nil || len(rows) != n+1 || rows[0][0] != "rule" {
		t.Errorf("csv: exit %d, %v, %d rows for %d findings", code, err, len(rows), n)
	}
	code, list, _ := runCmd(t, nil, "rules", "--format", "json")
	var cat []struct {
		ID string `json:"id"`
	}
	if code != exitOK || json.Unmarshal([]byte(list), &cat) != nil || len(cat) != len(rules.Catalog()) || cat[0].ID != "SA101" {
		t.Errorf("rules --format json: exit %d, %d rules", code, len(cat))
	}
}

// TestWordlist: --wordlist runs the password audit over the captured
// digests; a password it recovers is reported (SA106) by its length,
// never in clear, in any format.
func TestWordlist(t *testing.T) {
	const pw = "s%Eu6wNCsBC!3i" // 6910266's password in the example
	words := filepath.Join(t.TempDir(), "words.txt")
	if err := os.WriteFile(words, []byte("123456\npassword\n"+pw+"\nqwerty\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "text", "sarif", "csv"} {
		code, out, errs := runCmd(t, nil, "analyze", "--format", format, "--wordlist", words, example)
		if code != exitOK {
			t.Fatalf("%s: exit %d %s", format, code, errs)
		}
		if strings.Contains(out, pw) || strings.Contains(errs, pw) {
			t.Errorf("%s: the recovered password is in the report", format)
		}
		if !strings.Contains(out, "SA106") || !strings.Contains(out, "is in the wordlist ("+strconv.Itoa(len(pw))+" characters)") {
			t.Errorf("%s: no SA106 finding for 6910266", format)
		}
	}
	code, _, errs := runCmd(t, nil, "analyze", "--wordlist", "/nonexistent/words.txt", example)
	if code != exitUsage || !strings.Contains(errs, "/nonexistent/words.txt") {
		t.Errorf("missing wordlist: exit %d, %q", code, errs)
	}
}
