package report

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

// SARIF 2.1.0 (OASIS Standard with Errata 01). The log is built from the
// small set of typed structs below and written with encoding/json, so its
// bytes depend on the report alone: fields print in struct order, there
// are no maps with more than one key and no clock.
const (
	sarifVersion = "2.1.0"
	// sarifSchema is the OASIS publication of the schema; the same
	// document is vendored as testdata/sarif-schema-2.1.0.json and the
	// tests validate against it.
	sarifSchema         = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifToolName       = "sipaudit"
	sarifInformationURI = "https://github.com/sipaudit/sipaudit"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool       `json:"tool"`
	Artifacts  []sarifArtifact `json:"artifacts,omitempty"`
	Results    []sarifResult   `json:"results"`
	Properties *sarifRunProps  `json:"properties,omitempty"`
}

type sarifRunProps struct {
	Baselined int `json:"baselined"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name,omitempty"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           sarifRuleProps  `json:"properties"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Clause string `json:"clause"`
	// SecuritySeverity is the number GitHub code scanning reads (a
	// string, 0.0 to 10.0) to rank security alerts.
	SecuritySeverity string   `json:"security-severity"`
	Tags             []string `json:"tags"`
}

type sarifArtifact struct {
	Location sarifArtifactLocation `json:"location"`
	Roles    []string              `json:"roles"`
}

type sarifArtifactLocation struct {
	URI   string `json:"uri"`
	Index *int   `json:"index,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations,omitempty"`
	PartialFingerprints *sarifFingerprints `json:"partialFingerprints,omitempty"`
	Properties          sarifResultProps   `json:"properties"`
}

// sarifFingerprints is result.partialFingerprints: finding.Fingerprint
// under a versioned key (a change of the fingerprint recipe takes a new
// version).
type sarifFingerprints struct {
	V1 string `json:"sipaudit/v1"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	Message          *sarifText             `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
}

// sarifResultProps carries what SARIF has no place for: frames are packet
// numbers, not lines, so they are not a region.
type sarifResultProps struct {
	Severity  string `json:"severity"`
	Frames    []int  `json:"frames"`
	CallID    string `json:"call_id,omitempty"`
	Exchange  string `json:"exchange,omitempty"`
	Client    string `json:"client,omitempty"`
	Server    string `json:"server,omitempty"`
	Transport string `json:"transport,omitempty"`
	Username  string `json:"username,omitempty"`
	Count     int    `json:"count"`
	Time      string `json:"time,omitempty"`
	LastTime  string `json:"last_time,omitempty"`
}

// WriteSARIF writes r's findings as a SARIF 2.1.0 log of one run: the
// rules that ran (r.Rules, in order) as the driver's rules, one artifact
// per capture file, one result per finding in the order given.
func WriteSARIF(w io.Writer, r *Report) error {
	b, err := json.MarshalIndent(buildSARIF(r), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(escapeControls(b), '\n'))
	return err
}

// escapeControls escapes in JSON the control characters encoding/json
// leaves raw, DEL and the C1 controls (U+0080-U+009F, among them CSI), so
// that a log read in a terminal cannot drive it. Such bytes stand only in
// strings, and neither 0x7F nor the lead byte 0xC2 is ever part of
// another character's UTF-8 encoding.
func escapeControls(b []byte) []byte {
	const hex = "0123456789abcdef"
	var out []byte
	last := 0
	for i := 0; i < len(b); i++ {
		var c byte
		switch {
		case b[i] == 0x7f:
			c = 0x7f
		case b[i] == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f:
			c = b[i+1]
		default:
			continue
		}
		out = append(out, b[last:i]...)
		out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		if c != 0x7f {
			i++
		}
		last = i + 1
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

func buildSARIF(r *Report) *sarifLog {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           sarifToolName,
			Version:        r.Tool.Version,
			InformationURI: sarifInformationURI,
			Rules:          []sarifRule{},
		}},
		Results: []sarifResult{},
	}
	if r.Baselined > 0 {
		run.Properties = &sarifRunProps{Baselined: r.Baselined}
	}

	ruleIndex := map[string]int{}
	addRule := func(ri finding.RuleInfo) {
		if _, ok := ruleIndex[ri.ID]; ok {
			return // the schema wants rules unique
		}
		ruleIndex[ri.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(ri))
	}
	for _, ri := range r.Rules {
		addRule(ri)
	}
	// A finding of a rule missing from r.Rules still gets a descriptor
	// (after the catalog's), so that every ruleIndex points at one.
	for _, f := range r.Findings {
		addRule(finding.RuleInfo{ID: f.Rule, Name: f.Name, Severity: f.Severity, Clause: f.Clause, Summary: f.Name})
	}

	artifactIndex := map[string]int{}
	addArtifact := func(path string) {
		if path == "" {
			return
		}
		if _, ok := artifactIndex[path]; ok {
			return
		}
		artifactIndex[path] = len(run.Artifacts)
		run.Artifacts = append(run.Artifacts, sarifArtifact{
			Location: sarifArtifactLocation{URI: fileURI(path)},
			Roles:    []string{"analysisTarget"},
		})
	}
	for _, in := range r.Inputs {
		addArtifact(in.Path)
	}
	for _, f := range r.Findings {
		addArtifact(f.Input)
	}

	for _, f := range r.Findings {
		res := sarifResult{
			RuleID:    f.Rule,
			RuleIndex: ruleIndex[f.Rule],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: sarifMessage(withClause(f.Message, f.Clause))},
			Properties: sarifResultProps{
				Severity:  f.Severity.String(),
				Frames:    f.Frames,
				CallID:    f.CallID,
				Exchange:  f.Exchange,
				Client:    f.Client,
				Server:    f.Server,
				Transport: f.Transport,
				Username:  f.Username,
				Count:     f.Count,
				Time:      formatTime(f.Time),
				LastTime:  formatTime(f.LastTime),
			},
		}
		if res.Properties.Frames == nil {
			res.Properties.Frames = []int{}
		}
		if f.Fingerprint != "" {
			res.PartialFingerprints = &sarifFingerprints{V1: f.Fingerprint}
		}
		var loc sarifLocation
		if f.Input != "" {
			i := artifactIndex[f.Input]
			loc.PhysicalLocation = &sarifPhysicalLocation{
				ArtifactLocation: sarifArtifactLocation{URI: fileURI(f.Input), Index: &i},
			}
		}
		if len(f.Frames) > 0 {
			loc.Message = &sarifText{Text: "frame " + strconv.Itoa(f.Frames[0])}
		}
		if loc.PhysicalLocation != nil || loc.Message != nil {
			res.Locations = []sarifLocation{loc}
		}
		run.Results = append(run.Results, res)
	}
	return &sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}
}

func sarifRuleOf(ri finding.RuleInfo) sarifRule {
	return sarifRule{
		ID:               ri.ID,
		Name:             ri.Name,
		ShortDescription: sarifText{Text: ri.Summary},
		FullDescription:  sarifText{Text: joinText(ri.Summary, ri.Help)},
		Help:             sarifText{Text: joinText(ri.Help, clauseText(ri.Clause))},
		DefaultConfiguration: sarifRuleConfig{
			Level: sarifLevel(ri.Severity),
		},
		Properties: sarifRuleProps{
			Clause:           ri.Clause,
			SecuritySeverity: securitySeverity(ri.Severity),
			Tags:             []string{"security", "sip"},
		},
	}
}

// joinText joins the parts that are not empty with a space.
func joinText(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, " ")
}

func clauseText(clause string) string {
	if clause == "" {
		return ""
	}
	return "Clause: " + clause
}

// sarifLevel maps a severity to result.level: critical and high are
// errors, medium a warning, low and info notes.
func sarifLevel(s finding.Severity) string {
	switch {
	case s >= finding.High:
		return "error"
	case s == finding.Medium:
		return "warning"
	default:
		return "note"
	}
}

// securitySeverity is GitHub's security-severity score for a severity,
// inside the band GitHub maps back to the same name (critical > 9.0,
// high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9).
func securitySeverity(s finding.Severity) string {
	switch s {
	case finding.Critical:
		return "9.5"
	case finding.High:
		return "8.0"
	case finding.Medium:
		return "5.5"
	case finding.Low:
		return "3.0"
	default:
		return "1.0"
	}
}

// withClause appends the clause in parentheses, when there is one.
func withClause(msg, clause string) string {
	if clause == "" {
		return msg
	}
	return msg + " (" + clause + ")"
}

// sarifMessage escapes a plain-text message (SARIF 3.11.6): a literal
// square bracket is preceded by a backslash, and so is a backslash that
// stands before one, so that text from the capture cannot form an
// embedded link ("[text](https://...)") in a SARIF viewer.
func sarifMessage(s string) string {
	if !strings.ContainsAny(s, "[]") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '[' || c == ']':
			b.WriteByte('\\')
		case c == '\\':
			// A run of backslashes before a bracket is doubled.
			j := i
			for j < len(s) && s[j] == '\\' {
				j++
			}
			if j < len(s) && (s[j] == '[' || s[j] == ']') {
				b.WriteString(s[i:j])
			}
			b.WriteString(s[i:j])
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// formatTime writes t in UTC as RFC 3339 with as many fractional digits
// as it has; the zero time is "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// fileURI turns a capture file's name into a URI reference: a relative
// path stays relative, an absolute one becomes a file: URI; separators are
// forward slashes and everything but RFC 3986's unreserved characters,
// sub-delimiters, ':' and '@' is percent-encoded (':' too in a relative
// reference's first segment, where it would read as a scheme).
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	abs := filepath.IsAbs(path) || strings.HasPrefix(p, "/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s, !abs && i == 0)
	}
	u := strings.Join(segs, "/")
	switch {
	case !abs:
		return u
	case strings.HasPrefix(u, "//"): // a UNC path: //host/share/...
		return "file:" + u
	case strings.HasPrefix(u, "/"):
		return "file://" + u
	default: // a drive letter: C:/...
		return "file:///" + u
	}
}

func escapeSegment(s string, colon bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isPchar(c) && !(colon && c == ':') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// isPchar reports whether c may stand unescaped in a URI path segment.
func isPchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}
