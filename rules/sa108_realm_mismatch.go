package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA108 realm-mismatch: the credentials name a realm other than the one
// of the challenge they answer. The realm selects the password (and is
// part of H(A1)); answering another realm's challenge is a misconfigured
// client, or a server that does not check the realm and so accepts
// credentials made for another domain. Judged when the challenge is in
// the capture.
type sa108 struct{}

var sa108Info = finding.RuleInfo{
	ID: "SA108", Name: "realm-mismatch", Severity: finding.Medium,
	Clause:  "RFC 7616 3.4",
	Summary: "The credentials' realm is not the realm of the challenge they answer.",
	Help:    "The client answers with another domain's credentials, or the server accepts any realm. Align the client's realm with the server's and make the server check it.",
}

func (sa108) Info() finding.RuleInfo { return sa108Info }

func (sa108) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	ch := ex.Result.Challenge
	if ex.Scheme != "Digest" || ch == nil || ex.Credentials.Raw.Scheme == "" && ex.Realm == "" || ch.Realm == ex.Realm {
		return
	}
	r.Report(exFinding(ex, "exchange "+ex.CallID+" "+ex.Method+" "+ex.Nonce+" "+ex.NC,
		"The credentials of "+who(ex)+" ("+frameOf(ex)+") name realm "+quote(ex.Realm)+" but answer a challenge for realm "+quote(ch.Realm)+
			" (server answered "+status(ex)+"). Fix the client's realm, and make the server reject credentials for another realm."))
}
