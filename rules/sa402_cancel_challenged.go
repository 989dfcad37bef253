package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA402 cancel-challenged: a CANCEL was answered with 401 or 407. A
// CANCEL must be hop-by-hop accepted as the INVITE was (RFC 3261 22.1);
// challenging it leaves a call ringing that the caller wanted to stop.
// Folds per server.
type sa402 struct{}

var sa402Info = finding.RuleInfo{
	ID: "SA402", Name: "cancel-challenged", Severity: finding.Medium,
	Clause:  "RFC 3261 22.1",
	Summary: "A CANCEL was answered with 401 or 407.",
	Help:    "A challenged CANCEL cannot stop the call. Exempt CANCEL from authentication on the server.",
}

func (sa402) Info() finding.RuleInfo { return sa402Info }

func (sa402) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	challengedMethod(ev, r, "CANCEL")
}
