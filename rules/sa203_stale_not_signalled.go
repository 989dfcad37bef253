package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA203 stale-not-signalled: the server re-challenged a request whose
// digest is right but whose nonce had expired or ended, or whose nc was
// bad, without stale=true. TS 33.203 N.2.3 asks for stale=true so that
// the UE retries with the new nonce instead of concluding its password is
// wrong (and, for some UEs, giving up or alerting the user). Needs known
// credentials, and the challenge that issued the nonce in the capture.
type sa203 struct{}

var sa203Info = finding.RuleInfo{
	ID: "SA203", Name: "stale-not-signalled", Severity: finding.Medium,
	Clause:  "TS 33.203 N.2.3",
	Summary: "The server re-challenged a request with a correct digest over an old nonce or a bad nc without stale=true.",
	Help:    "UEs take a challenge without stale=true as a wrong password. Make the server set stale=true when the digest is right and only the nonce or nc is not.",
}

func (sa203) Info() finding.RuleInfo { return sa203Info }

func (sa203) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	res := ex.Result
	if ex.ServerVerdict != "challenged" || !res.DigestOK {
		return
	}
	why := ""
	switch {
	case res.Cause == digest.CauseNonce && (res.Nonce == digest.NonceExpired || res.Nonce == digest.NonceEnded):
		why = "its nonce was " + res.Nonce.String()
	case res.Cause == digest.CauseNCReplay:
		why = "its nonce-count did not increase"
	default:
		return
	}
	r.Report(exFinding(ex, "exchange "+ex.CallID+" "+ex.Method+" "+ex.Nonce+" "+ex.NC,
		"The server re-challenged ("+status(ex)+") "+an(ex.Method, false)+" from "+who(ex)+" ("+frameOf(ex)+") whose digest is right but "+why+
			", without stale=true: the UE will take it as a wrong password. Make the server send stale=true in this case."))
}
