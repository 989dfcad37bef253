package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA101 invalid-response-accepted: the server accepted credentials whose
// response the reference computes as wrong for every secret it holds for
// the user. A server that lets a wrong digest through does not
// authenticate at all: anyone who knows a username gets in. Needs known
// credentials (--creds).
type sa101 struct{}

var sa101Info = finding.RuleInfo{
	ID: "SA101", Name: "invalid-response-accepted", Severity: finding.Critical,
	Clause:  "RFC 7616 3.4; TS 33.203 N.2.1.1",
	Summary: "The server accepted a request whose digest response the reference computes as wrong with known credentials.",
	Help: "The server does not check digest responses, or checks them against the wrong password: anyone who knows a username can register and call. " +
		"Check the registrar's or proxy's authentication module and the credentials it reads (HSS/SD-AV, database).",
}

func (sa101) Info() finding.RuleInfo { return sa101Info }

func (sa101) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.Result.Verdict != digest.Invalid || ex.Result.Cause != digest.CauseWrongDigest || !accepted(ex) {
		return
	}
	r.Report(exFinding(ex, "exchange "+ex.CallID+" "+ex.Method+" "+ex.Nonce+" "+ex.NC,
		"The server answered "+status(ex)+" to "+an(ex.Method, false)+" from "+who(ex)+" ("+frameOf(ex)+") whose "+ex.Scheme+" "+ex.Algorithm+
			" response is wrong for every password known for that user: the server let an unauthenticated request through. "+
			"Check the server's digest verification and the credentials it uses."))
}
