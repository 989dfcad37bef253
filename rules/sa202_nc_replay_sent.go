package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA202 nc-replay-sent: a client sent a (nonce, nc) it had sent before,
// or an nc that does not increase, whatever the server made of it. Either
// the client's Digest implementation is broken (it must increment nc for
// every request on a nonce, TS 33.203 N.2.3) or somebody replays its
// requests.
type sa202 struct{}

var sa202Info = finding.RuleInfo{
	ID: "SA202", Name: "nc-replay-sent", Severity: finding.Medium,
	Clause:  "TS 33.203 N.2.3",
	Summary: "A client sent a (nonce, nc) pair already used, or a non-increasing nc for a nonce, whatever the server did.",
	Help:    "A replay on the wire, or a client that does not increment nonce-count. Find the sender; if it is a real device, update its SIP stack.",
}

func (sa202) Info() finding.RuleInfo { return sa202Info }

func (sa202) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if !ex.NCReplay {
		return
	}
	r.Report(exFinding(ex, "exchange "+ex.CallID+" "+ex.Method+" "+ex.Nonce+" "+ex.NC,
		an(ex.Method, true)+" from "+who(ex)+" at "+ex.Client+" ("+frameOf(ex)+") re-uses nonce-count "+ex.NC+
			" on a nonce already used with that count or a higher one (server answered "+status(ex)+"): a replay, or a client that does not increment nc."))
}
