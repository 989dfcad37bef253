package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA102 valid-response-rejected: the server refused (403, or a new
// 401/407 without stale=true; not another failure such as 423 or 503) a
// response that the reference computes as right, over a fresh nonce the
// server itself issued. The subscriber is
// locked out although it knows its password: usually the server holds a
// different password or H(A1) than the one provisioned, or mishandles
// nonce-count. Needs known credentials.
type sa102 struct{}

var sa102Info = finding.RuleInfo{
	ID: "SA102", Name: "valid-response-rejected", Severity: finding.Medium,
	Clause:  "TS 33.203 N.2.1.1",
	Summary: "The server rejected (401/403/407 without stale=true) a response the reference computes as right, over a nonce the server issued.",
	Help: "A legitimate subscriber is refused: the server's stored password or H(A1) differs from the provisioned one, or it mishandles nc or the nonce lifetime. " +
		"Compare the server's credentials with the credentials file and check its nonce settings.",
}

func (sa102) Info() finding.RuleInfo { return sa102Info }

func (sa102) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	// Only a refusal of the credentials counts: 403, or a new challenge
	// without stale=true. Other failures of a REGISTER (423 Interval Too
	// Brief, 500, 503) come after the credentials were accepted.
	if ex.Result.Verdict != digest.Valid || len(ex.ChallengeFrames) == 0 ||
		!(ex.Status == 403 || ex.ServerVerdict == "challenged") {
		return
	}
	// A challenge for the other header is another server asking (a
	// proxy's 407 after the registrar's 401 was satisfied).
	if ex.Status == 401 && ex.Header != analyzer.Authorization.String() ||
		ex.Status == 407 && ex.Header != analyzer.ProxyAuthorization.String() {
		return
	}
	r.Report(exFinding(ex, "exchange "+ex.CallID+" "+ex.Method+" "+ex.Nonce+" "+ex.NC,
		"The server answered "+status(ex)+" to "+an(ex.Method, false)+" from "+who(ex)+" ("+frameOf(ex)+") although its "+ex.Algorithm+
			" response is right for the known password and the nonce is one the server issued and still fresh: a legitimate subscriber is locked out. "+
			"Check the password or H(A1) the server holds for this user and its nonce-count handling."))
}
