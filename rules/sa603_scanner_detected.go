package rules

import (
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA603 scanner-detected: a request whose User-Agent or From display name
// is that of a known SIP scanner (SIPVicious' friendly-scanner, sipcli,
// VaxSIPUserAgent, sundayddr, ...), named as a word of its own, not
// inside a longer one (SIPClient, the name Siwar). Scanners map servers and guess
// passwords; their traffic is the prelude of toll fraud (RFC 3261 26).
// Folds per source and scanner. It remembers which scanner, if any, each
// User-Agent and display name it saw names: a capture repeats a handful
// of them, and matching every name costs fifteen searches.
type sa603 struct {
	seen map[string]int // text -> index in scanners + 1, or 0
}

var sa603Info = finding.RuleInfo{
	ID: "SA603", Name: "scanner-detected", Severity: finding.Medium,
	Clause:  "RFC 3261 26",
	Summary: "A User-Agent or From display name of a known SIP scanner (friendly-scanner, sipvicious, sipcli, VaxSIPUserAgent, ...).",
	Help:    "A SIP scanner is probing the network. Block the source, drop requests with these User-Agents, and check for SA601/SA602 from it.",
}

// scanners are the names SIP scanners announce, lower case.
var scanners = []string{
	"friendly-scanner", "sipvicious", "sipcli", "vaxsipuseragent", "sundayddr", "sip-scan", "sipscan",
	"iwar", "sivus", "siparmyknife", "smap", "pplsip", "voipsniffer", "sip-brute", "cisco-sip-scanner",
}

// maxSA603Texts bounds sa603.seen; when full it starts again.
const maxSA603Texts = 4096

func (*sa603) Info() finding.RuleInfo { return sa603Info }

func (s *sa603) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	m := ev.Msg
	if !m.Request || ev.Retransmission {
		return
	}
	for _, v := range []struct{ where, text string }{{"User-Agent", m.UserAgent}, {"From display name", m.FromDisplay}} {
		if v.text == "" {
			continue
		}
		if i := s.scanner(v.text); i >= 0 {
			r.Report(evFinding(ev, "source "+ev.Src.Addr().String()+" scanner "+scanners[i],
				an(m.Method, true)+" from "+ev.SrcText()+" (frame "+itoa(ev.Frame())+") announces the SIP scanner "+quote(v.text)+" in its "+v.where+
					": the network is being probed. Block the source."))
			return
		}
	}
}

// scanner returns the index in scanners of the first scanner text names,
// or -1.
func (s *sa603) scanner(text string) int {
	if i, ok := s.seen[text]; ok {
		return i - 1
	}
	found := -1
	var buf [256]byte
	lower := toLower(text, &buf)
	for i, name := range scanners {
		if containsName(lower, name) {
			found = i
			break
		}
	}
	if s.seen == nil || len(s.seen) >= maxSA603Texts {
		s.seen = make(map[string]int)
	}
	s.seen[strings.Clone(text)] = found + 1
	return found
}

// containsName reports whether name occurs in s as a name of its own: not
// inside a longer word ("sipcli/v1.8" names sipcli, "SIPClient" does not;
// "iWar" is a scanner, "Siwar" a person). A version number may follow
// ("smap2").
func containsName(s, name string) bool {
	letter := func(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
	for from := 0; from+len(name) <= len(s); {
		i := strings.Index(s[from:], name)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(name)
		if (i == 0 || !letter(s[i-1]) && !(s[i-1] >= '0' && s[i-1] <= '9')) && (end == len(s) || !letter(s[end])) {
			return true
		}
		from = i + 1
	}
	return false
}

// toLower is strings.ToLower, written into buf and returned as a view of
// it (no allocation) when s is ASCII and fits.
func toLower(s string, buf *[256]byte) string {
	if len(s) > len(buf) {
		return strings.ToLower(s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	if len(s) == 0 {
		return ""
	}
	return unsafe.String(&buf[0], len(s)) // a view of buf: valid while buf is
}
