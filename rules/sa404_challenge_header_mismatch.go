package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA404 challenge-header-mismatch: a 401 without WWW-Authenticate, a 407
// without Proxy-Authenticate, or the two swapped. RFC 3261 22.2 and 22.3
// tie each status to its header; a client that finds the wrong one (or
// none) cannot answer, and answers to a swapped header go to the wrong
// server. Folds per server and status.
type sa404 struct{}

var sa404Info = finding.RuleInfo{
	ID: "SA404", Name: "challenge-header-mismatch", Severity: finding.Medium,
	Clause:  "RFC 3261 22.2, 22.3",
	Summary: "A 401 without WWW-Authenticate, a 407 without Proxy-Authenticate, or the two swapped.",
	Help:    "Clients cannot answer the challenge. Make the server send WWW-Authenticate with 401 and Proxy-Authenticate with 407.",
}

func (sa404) Info() finding.RuleInfo { return sa404Info }

func (sa404) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	m := ev.Msg
	if m.Request || ev.Retransmission || m.Status != 401 && m.Status != 407 {
		return
	}
	want, other := analyzer.WWWAuthenticate, analyzer.ProxyAuthenticate
	if m.Status == 407 {
		want, other = other, want
	}
	var hasWant, hasOther bool
	for _, f := range m.Auth {
		hasWant = hasWant || f.Kind == want
		hasOther = hasOther || f.Kind == other
	}
	if hasWant {
		return
	}
	what := "no " + want.String()
	if hasOther {
		what = other.String() + " instead of " + want.String()
	}
	r.Report(evFinding(ev, "server "+ev.SrcText()+" status "+itoa(m.Status),
		"The "+itoa(m.Status)+" of frame "+itoa(ev.Frame())+" from "+ev.SrcText()+" carries "+what+
			": the client cannot answer it as RFC 3261 22.2/22.3 define. Fix the server's challenge header."))
}
