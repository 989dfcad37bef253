// Package finding is the model every other package shares: a Finding,
// its Severity, the RuleInfo of the rule that raised it, and the stable
// Fingerprint that baselines use. It imports the standard library alone.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Severity orders findings: Info < Low < Medium < High < Critical.
type Severity uint8

// The severities of rules.md.
const (
	Info Severity = iota + 1
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{Info: "info", Low: "low", Medium: "medium", High: "high", Critical: "critical"}

func (s Severity) String() string {
	if int(s) < len(severityNames) && severityNames[s] != "" {
		return severityNames[s]
	}
	return "unknown"
}

// ParseSeverity reads a severity name (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for s := Info; s <= Critical; s++ {
		if strings.EqualFold(name, s.String()) {
			return s, nil
		}
	}
	return 0, fmt.Errorf("severity %q: want critical, high, medium, low or info", name)
}

// MarshalText writes the name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// RuleInfo describes a rule of the catalog (rules.md).
type RuleInfo struct {
	// ID is stable (SA101); Name is kebab-case (invalid-response-accepted).
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`
	// Clause is the specification text the rule enforces.
	Clause string `json:"clause"`
	// Summary says, in one sentence, when the rule fires.
	Summary string `json:"summary"`
	// Help says why it matters and what to change.
	Help string `json:"help"`
}

// Finding is one problem a rule found, with its evidence. Occurrences of
// the same condition (same rule and Key) are folded into one finding:
// Count says how many, Time and Frames are the first, LastTime the last.
type Finding struct {
	Rule     string   `json:"rule"`
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Clause   string   `json:"clause"`
	CallID   string   `json:"call_id"`
	Exchange string   `json:"exchange"`
	// Frames are 1-based packet numbers of Input, as Wireshark numbers
	// them.
	Frames []int     `json:"frames"`
	Time   time.Time `json:"time"`

	// Beyond interface.md's minimum (extensions, never removed):

	Input     string `json:"input"`
	Client    string `json:"client,omitempty"`
	Server    string `json:"server,omitempty"`
	Transport string `json:"transport,omitempty"`
	Username  string `json:"username,omitempty"`
	// Key says what the finding is about (a user, a server, an
	// exchange); with Rule it makes the Fingerprint.
	Key         string    `json:"key"`
	Fingerprint string    `json:"fingerprint"`
	Count       int       `json:"count"`
	LastTime    time.Time `json:"last_time"`
}

// Fingerprint is a stable identity for a finding: the rule and the key,
// hashed. It does not depend on the capture file's name or on frame
// numbers unless the key names them, so that a baseline made from one run
// hides the same finding in the next.
func Fingerprint(rule, key string) string {
	h := sha256.Sum256([]byte(rule + "\x00" + key))
	return rule + "-" + hex.EncodeToString(h[:8])
}

// Less orders findings for every report: by input, first time, first
// frame, then rule and fingerprint, so that output is reproducible.
func Less(a, b *Finding) bool {
	if a.Input != b.Input {
		return a.Input < b.Input
	}
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	fa, fb := firstFrame(a), firstFrame(b)
	if fa != fb {
		return fa < fb
	}
	if a.Rule != b.Rule {
		return a.Rule < b.Rule
	}
	return a.Fingerprint < b.Fingerprint
}

func firstFrame(f *Finding) int {
	if len(f.Frames) == 0 {
		return 0
	}
	return f.Frames[0]
}
