package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// hostile is text an attacker can put in a capture: markup, a spreadsheet
// formula, an embedded SARIF link, terminal escapes, other control
// characters and bytes that are not UTF-8.
const hostile = "<script>alert(1)</script> =cmd|'/c calc'!A0 [click](https://evil.example) \x1b[2J\x1b]0;owned\x07 a\x00b\r\nc\x7f \u009b1m \xff\xfe\x85 \\[x\\]"

// findingsReport is the fixed report of the golden files.
func findingsReport() *Report {
	t0 := time.Date(2024, 5, 1, 12, 0, 5, 123456789, time.UTC)
	cest := time.FixedZone("CEST", 2*3600)
	rules := []finding.RuleInfo{
		{ID: "SA104", Name: "rspauth-missing", Severity: finding.High, Clause: "RFC 7616 3.5",
			Summary: "A 2xx to an authenticated request lacks rspauth.", Help: "Require mutual authentication."},
		{ID: "SA201", Name: "nc-replay-accepted", Severity: finding.Critical, Clause: "RFC 7616 3.4.5",
			Summary: "The server accepted a nonce count it had seen before.", Help: "Track nc per nonce and reject repeats."},
		{ID: "SA301", Name: "weak-algorithm", Severity: finding.Medium, Clause: "RFC 8760 2",
			Summary: "Digest with MD5 was offered or used.", Help: "Offer SHA-256 first."},
		{ID: "SA401", Name: "nonce-long-lived", Severity: finding.Low, Clause: "RFC 7616 5.12",
			Summary: "A nonce was used for longer than its lifetime.", Help: "Shorten the nonce lifetime."},
	}
	findings := []*finding.Finding{
		{Rule: "SA201", Name: "nc-replay-accepted", Severity: finding.Critical,
			Message: "REGISTER with a replayed nc 00000001 was accepted (200)", Clause: "RFC 7616 3.4.5",
			CallID: "abc@10.0.0.1", Exchange: "e12", Frames: []int{40, 41}, Time: t0,
			Input: "captures/example one.pcap", Client: "10.0.0.1:5060", Server: "10.0.0.2:5060",
			Transport: "udp", Username: "alice", Key: "alice@example.com",
			Fingerprint: finding.Fingerprint("SA201", "alice@example.com"), Count: 3, LastTime: t0.Add(95 * time.Second)},
		{Rule: "SA104", Name: "rspauth-missing", Severity: finding.High,
			Message: "200 OK without rspauth: " + hostile, Clause: "RFC 7616 3.5",
			CallID: "=cmd|'/c calc'!A0", Exchange: "e13", Frames: []int{52}, Time: t0.Add(time.Minute).In(cest),
			Input: "/var/tmp/with space/été.pcapng", Client: "-2+3", Server: "+1", Transport: "tcp",
			Username: "@SUM(1+1)\x1b[31m", Key: "hostile", Fingerprint: finding.Fingerprint("SA104", "hostile"), Count: 1},
		{Rule: "SA301", Name: "weak-algorithm", Severity: finding.Medium,
			Message: "Challenge offers MD5 only", Clause: "RFC 8760 2",
			Frames: []int{7}, Time: t0.Add(-time.Hour), Input: "captures/example one.pcap",
			Server: "10.0.0.2:5060", Transport: "udp", Key: "10.0.0.2:5060",
			Fingerprint: finding.Fingerprint("SA301", "10.0.0.2:5060"), Count: 12},
		{Rule: "SA401", Name: "nonce-long-lived", Severity: finding.Low,
			Message: "nonce reused for 3600 s", Clause: "RFC 7616 5.12",
			Frames: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Time: t0, Input: "captures/example one.pcap",
			Username: "bob", Key: "bob", Fingerprint: finding.Fingerprint("SA401", "bob"), Count: 2},
		// A rule the report's catalog does not list, without clause,
		// frames or time.
		{Rule: "SA999", Name: "note", Severity: finding.Info, Message: "\tstarts with a tab",
			Key: "x", Fingerprint: finding.Fingerprint("SA999", "x"), Count: 1},
	}
	return &Report{
		Tool:  Tool{Name: "sipaudit", Version: "1.2.3"},
		Stats: analyzer.NewStats(),
		Inputs: []capture.Input{
			{Path: "captures/example one.pcap", Format: "pcap", LinkType: "ethernet", Packets: 120, Bytes: 34567},
			{Path: "/var/tmp/with space/été.pcapng", Format: "pcapng", LinkType: "ethernet", Packets: 60, Bytes: 9000},
		},
		Rules:     rules,
		Findings:  findings,
		Baselined: 2,
	}
}

func emptyReport() *Report {
	return &Report{
		Tool:   Tool{Name: "sipaudit", Version: "dev"},
		Stats:  analyzer.NewStats(),
		Inputs: []capture.Input{{Path: "a.pcap", Format: "pcap", LinkType: "ethernet"}},
		Rules:  findingsReport().Rules,
	}
}

var writers = []struct {
	golden string
	write  func(*bytes.Buffer, *Report) error
}{
	{"findings.sarif", func(b *bytes.Buffer, r *Report) error { return WriteSARIF(b, r) }},
	{"findings.csv", func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r) }},
	{"findings.txt", func(b *bytes.Buffer, r *Report) error { return WriteText(b, r) }},
}

// TestFindingsGolden compares each format with its golden file, byte for
// byte; go test ./report -update rewrites them.
func TestFindingsGolden(t *testing.T) {
	for _, wr := range writers {
		t.Run(wr.golden, func(t *testing.T) {
			var b bytes.Buffer
			if err := wr.write(&b, findingsReport()); err != nil {
				t.Fatal(err)
			}
			// Reproducible: a second run writes the same bytes.
			var again bytes.Buffer
			if err := wr.write(&again, findingsReport()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Error("two runs differ")
			}
			if !utf8.Valid(b.Bytes()) {
				t.Error("output is not UTF-8")
			}
			if bytes.ContainsAny(b.Bytes(), "\x00\x1b\x07\x7f\u009b") {
				t.Errorf("output holds control characters from the capture:\n%q", b.String())
			}
			golden := filepath.Join("testdata", wr.golden)
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("output differs from %s (run go test ./report -update to accept):\n%s", golden, b.String())
			}
		})
	}
}

func TestEmptyFindings(t *testing.T) {
	r := emptyReport()
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"results": []`) || !strings.Contains(b.String(), `"id": "SA201"`) {
		t.Errorf("SARIF of no findings:\n%s", b.String())
	}
	if strings.Contains(b.String(), `"baselined"`) {
		t.Error("run.properties.baselined written for 0")
	}

	b.Reset()
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(csvHeader, ",") + "\n"; b.String() != want {
		t.Errorf("CSV of no findings: %q, want %q", b.String(), want)
	}

	b.Reset()
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "\nFindings: none\n") {
		t.Errorf("text of no findings:\n%s", b.String())
	}

	r.Baselined = 1
	b.Reset()
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "\nFindings: none\n\n1 finding hidden by the baseline\n") {
		t.Errorf("text of baselined findings:\n%s", b.String())
	}
}

// compileSARIFSchema compiles testdata/sarif-schema-2.1.0.json, with formats
// (uri, uri-reference, date-time) asserted.
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "file:///sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(sch *jsonschema.Schema, doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// TestSARIFSchema validates WriteSARIF's output against the SARIF 2.1.0
// schema, and checks that the validation does reject invalid documents.
func TestSARIFSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	for name, r := range map[string]*Report{"empty": emptyReport(), "findings": findingsReport(), "zero": {}} {
		var b bytes.Buffer
		if err := WriteSARIF(&b, r); err != nil {
			t.Fatal(err)
		}
		if err := validate(sch, b.Bytes()); err != nil {
			t.Errorf("%s: %v\n%s", name, err, b.String())
		}
	}

	var b bytes.Buffer
	if err := WriteSARIF(&b, findingsReport()); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		name, where string
		mutate      func(log map[string]any)
	}{
		{"bogus level", "/runs/0/results/0/level", func(log map[string]any) { result(log)["level"] = "bogus" }},
		{"negative ruleIndex", "/runs/0/results/0/ruleIndex", func(log map[string]any) { result(log)["ruleIndex"] = -5 }},
		{"unknown property", "/runs/0/results/0", func(log map[string]any) { result(log)["frames"] = []int{1} }},
		{"no message", "/runs/0/results/0", func(log map[string]any) { delete(result(log), "message") }},
		{"uri with a bad escape", "/runs/0/artifacts/0/location/uri", func(log map[string]any) {
			run := log["runs"].([]any)[0].(map[string]any)
			art := run["artifacts"].([]any)[0].(map[string]any)
			art["location"].(map[string]any)["uri"] = "a%zz.pcap"
		}},
		{"version", "/version", func(log map[string]any) { log["version"] = "2.0.0" }},
	} {
		var log map[string]any
		if err := json.Unmarshal(b.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		m.mutate(log)
		doc, err := json.Marshal(log)
		if err != nil {
			t.Fatal(err)
		}
		err = validate(sch, doc)
		if err == nil {
			t.Errorf("%s: the schema accepted an invalid log", m.name)
		} else if !strings.Contains(err.Error(), "'"+m.where+"'") {
			t.Errorf("%s: rejected for another reason: %v", m.name, err)
		}
	}
}

func result(log map[string]any) map[string]any {
	run := log["runs"].([]any)[0].(map[string]any)
	return run["results"].([]any)[0].(map[string]any)
}

// TestSARIFShape checks what the schema cannot: indexes point at the
// right rule and artifact, and the mapping of severities.
func TestSARIFShape(t *testing.T) {
	r := findingsReport()
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Name    string
					Version string
					Rules   []struct {
						ID                   string
						DefaultConfiguration struct{ Level string }
						Properties           map[string]any
					}
				}
			}
			Artifacts []struct{ Location struct{ URI string } }
			Results   []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI   string
							Index int
						}
					}
					Message struct{ Text string }
				}
				PartialFingerprints map[string]string
				Properties          map[string]any
			}
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "sipaudit" || run.Tool.Driver.Version != "1.2.3" {
		t.Errorf("driver %+v", run.Tool.Driver)
	}
	for i, ri := range r.Rules {
		if run.Tool.Driver.Rules[i].ID != ri.ID {
			t.Errorf("rule %d is %s, want %s", i, run.Tool.Driver.Rules[i].ID, ri.ID)
		}
	}
	if n := len(run.Tool.Driver.Rules); n != len(r.Rules)+1 || run.Tool.Driver.Rules[n-1].ID != "SA999" {
		t.Errorf("%d rules; the last should describe SA999", n)
	}
	want := map[string][2]string{"SA201": {"error", "9.5"}, "SA104": {"error", "8.0"}, "SA301": {"warning", "5.5"}, "SA401": {"note", "3.0"}, "SA999": {"note", "1.0"}}
	for _, rule := range run.Tool.Driver.Rules {
		if w := want[rule.ID]; rule.DefaultConfiguration.Level != w[0] || rule.Properties["security-severity"] != w[1] {
			t.Errorf("%s: level %s, security-severity %v; want %v", rule.ID, rule.DefaultConfiguration.Level, rule.Properties["security-severity"], w)
		}
	}
	if len(run.Artifacts) != 2 || run.Artifacts[0].Location.URI != "captures/example%20one.pcap" ||
		run.Artifacts[1].Location.URI != "file:///var/tmp/with%20space/%C3%A9t%C3%A9.pcapng" {
		t.Errorf("artifacts %+v", run.Artifacts)
	}
	// The validator's uri-reference check is lenient (net/url): check
	// RFC 3986's characters here.
	uriChars := regexp.MustCompile(`^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+$`)
	for _, a := range run.Artifacts {
		if !uriChars.MatchString(a.Location.URI) {
			t.Errorf("artifact URI %q", a.Location.URI)
		}
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(r.Findings))
	}
	for i, res := range run.Results {
		f := r.Findings[i]
		if res.RuleID != f.Rule || run.Tool.Driver.Rules[res.RuleIndex].ID != f.Rule {
			t.Errorf("result %d: ruleId %s, ruleIndex %d", i, res.RuleID, res.RuleIndex)
		}
		if res.Level != want[f.Rule][0] {
			t.Errorf("result %d: level %s", i, res.Level)
		}
		if res.PartialFingerprints["sipaudit/v1"] != f.Fingerprint {
			t.Errorf("result %d: fingerprints %v", i, res.PartialFingerprints)
		}
		if f.Input != "" {
			loc := res.Locations[0]
			if run.Artifacts[loc.PhysicalLocation.ArtifactLocation.Index].Location.URI != loc.PhysicalLocation.ArtifactLocation.URI {
				t.Errorf("result %d: artifact index %d", i, loc.PhysicalLocation.ArtifactLocation.Index)
			}
			if loc.Message.Text != "frame "+itoa(f.Frames[0]) {
				t.Errorf("result %d: location message %q", i, loc.Message.Text)
			}
		} else if len(res.Locations) != 0 {
			t.Errorf("result %d: locations without an input", i)
		}
	}
	if got := run.Results[0].Message.Text; got != "REGISTER with a replayed nc 00000001 was accepted (200) (RFC 7616 3.4.5)" {
		t.Errorf("message %q", got)
	}
	if got := run.Results[4].Message.Text; got != "\tstarts with a tab" {
		t.Errorf("message without clause %q", got)
	}
	p := run.Results[1].Properties
	if p["time"] != "2024-05-01T12:01:05.123456789Z" || p["call_id"] != "=cmd|'/c calc'!A0" || p["count"] != 1.0 {
		t.Errorf("properties %v", p)
	}
	if run.Properties["baselined"] != 2.0 {
		t.Errorf("run properties %v", run.Properties)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestSARIFMessageEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                "plain",
		"see [x](https://e.x)": `see \[x\](https://e.x)`,
		`a\b`:                  `a\b`,
		`a\[b`:                 `a\\\[b`,
		`a\\]`:                 `a\\\\\]`,
		`trailing\`:            `trailing\`,
		`[`:                    `\[`,
	} {
		if got := sarifMessage(in); got != want {
			t.Errorf("sarifMessage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileURI(t *testing.T) {
	for in, want := range map[string]string{
		"a.pcap":               "a.pcap",
		"dir/sub dir/a.pcap":   "dir/sub%20dir/a.pcap",
		"/abs/x.pcapng":        "file:///abs/x.pcapng",
		"c:x.pcap":             "c%3Ax.pcap",
		"d/c:x.pcap":           "d/c:x.pcap",
		"100%#?.pcap":          "100%25%23%3F.pcap",
		"-":                    "-",
		"été.pcap":             "%C3%A9t%C3%A9.pcap",
		"../up/a.pcap":         "../up/a.pcap",
		"weird\x00\n<>\"`{}|^": "weird%00%0A%3C%3E%22%60%7B%7D%7C%5E",
	} {
		if got := fileURI(in); got != want {
			t.Errorf("fileURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCSVInjection reads the CSV back: no cell may start with a character
// a spreadsheet would take for a formula.
func TestCSVInjection(t *testing.T) {
	for _, c := range []string{"=", "+", "-", "@", "\t", "\r"} {
		got := csvCell(c + "1+1")
		if !strings.HasPrefix(got, "'") {
			t.Errorf("csvCell(%q) = %q", c+"1+1", got)
		}
	}
	for _, v := range []string{"", "1", "SA201", "alice", "10.0.0.1:5060", " =x"} {
		if got := csvCell(v); got != v {
			t.Errorf("csvCell(%q) = %q, want it unchanged", v, got)
		}
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, findingsReport()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(findingsReport().Findings) {
		t.Fatalf("%d rows", len(rows))
	}
	for i, row := range rows {
		if len(row) != len(csvHeader) {
			t.Errorf("row %d has %d cells", i, len(row))
		}
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d, %s: %q", i, csvHeader[j], cell)
			}
		}
	}
	if got := rows[2][10]; got != "'=cmd|'/c calc'!A0" {
		t.Errorf("call_id cell %q", got)
	}
	if got := rows[1][6]; got != "40 41" {
		t.Errorf("frames cell %q", got)
	}
}

// TestTextColor: colour only when asked, and then only sipaudit's own
// escape sequences.
func TestTextColor(t *testing.T) {
	var plain, color bytes.Buffer
	if err := WriteText(&plain, findingsReport()); err != nil {
		t.Fatal(err)
	}
	if err := WriteTextWithOptions(&color, findingsReport(), WriteTextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b") {
		t.Error("escape sequence without colour")
	}
	var noColor bytes.Buffer
	if err := WriteTextWithOptions(&noColor, findingsReport(), WriteTextOptions{}); err != nil {
		t.Fatal(err)
	}
	if noColor.String() != plain.String() {
		t.Error("WriteTextWithOptions without colour differs from WriteText")
	}
	out := color.String()
	for _, want := range []string{"\x1b[1;31mCritical (1)\x1b[0m", "\x1b[31mSA104\x1b[0m", "\x1b[33m", "\x1b[36m", "\x1b[2m"} {
		if !strings.Contains(out, want) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
	stripped := out
	for _, code := range []string{ansiReset, "\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[2m"} {
		stripped = strings.ReplaceAll(stripped, code, "")
	}
	if stripped != plain.String() {
		t.Errorf("coloured text is not the plain text plus colours:\n%s", stripped)
	}
}

// TestTextFindingsOrder: severities most severe first, findings in the
// order given within one.
func TestTextFindingsOrder(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, findingsReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	at := 0
	for _, w := range []string{"Findings: 5 (1 critical, 1 high, 1 medium, 1 low, 1 info)", "Critical (1)", "SA201", "(3 times, last 12:01:40)",
		"clause: RFC 7616 3.4.5", "High (1)", "SA104", "Medium (1)", "SA301", "Low (1)", "SA401", "frames 1,2,3,4,5,6,7,8,9,10 (+2 more)",
		"Info (1)", "SA999", "2 findings hidden by the baseline"} {
		i := strings.Index(out[at:], w)
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", w, out)
		}
		at += i + len(w)
	}
}
