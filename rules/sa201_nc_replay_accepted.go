package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA201 nc-replay-accepted: the server accepted a request whose (nonce,
// nc) had already been used, or whose nc did not increase. Nonce-count
// is the replay protection of Digest (TS 33.203 N.2.3): a server that
// ignores it accepts a captured REGISTER or INVITE replayed verbatim.
// Judged without credentials too: the nc history is on the wire.
type sa201 struct{}

var sa201Info = finding.RuleInfo{
	ID: "SA201", Name: "nc-replay-accepted", Severity: finding.Critical,
	Clause:  "TS 33.203 N.2.3; RFC 7616 3.4",
	Summary: "The server accepted a request whose (nonce, nc) pair was already used, or whose nc is not greater than the last nc accepted for that nonce.",
	Help:    "Replayed requests are accepted: an attacker who captured one authenticated request can send it again. Enable nonce-count checking (e.g. Kamailio auth nonce_count=1) or one-time nonces.",
}

func (sa201) Info() finding.RuleInfo { return sa201Info }

func (sa201) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if !(ex.NCReplay || ex.Result.Cause == digest.CauseNCReplay) || !accepted(ex) {
		return
	}
	r.Report(exFinding(ex, "exchange "+ex.CallID+" "+ex.Method+" "+ex.Nonce+" "+ex.NC,
		"The server accepted ("+status(ex)+") "+an(ex.Method, false)+" from "+who(ex)+" ("+frameOf(ex)+") that re-uses nonce-count "+ex.NC+
			" for a nonce it had already seen with that count or a higher one: a replayed request got in. Enable nonce-count checking or one-time nonces."))
}
