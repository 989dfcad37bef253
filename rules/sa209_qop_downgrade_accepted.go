package rules

import (
	"strings"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA209 qop-downgrade-accepted: the challenge offered qop, the client
// answered in the RFC 2069 form (no qop, cnonce or nc), and the server
// accepted. An attacker in the middle strips qop from the challenge and
// replay protection is gone; the server must insist on the qop it
// offered. Judged without credentials too.
type sa209 struct{}

var sa209Info = finding.RuleInfo{
	ID: "SA209", Name: "qop-downgrade-accepted", Severity: finding.High,
	Clause:  "TS 33.203 N.2.1.1; RFC 7616 3.4",
	Summary: "The challenge offered qop but the server accepted an answer without qop, cnonce and nc (RFC 2069 form), which switches off replay protection.",
	Help:    "A man in the middle can strip qop and replay answers. Make the server reject credentials without the qop it offered.",
}

func (sa209) Info() finding.RuleInfo { return sa209Info }

func (sa209) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	ch := ex.Result.Challenge
	if ex.Scheme != "Digest" || ex.QOP != "" || ch == nil || len(ch.QOP) == 0 || !accepted(ex) {
		return
	}
	r.Report(exFinding(ex, "exchange "+ex.CallID+" "+ex.Method+" "+ex.Nonce,
		"The challenge offered qop="+quote(strings.Join(ch.QOP, ","))+" but the server accepted ("+status(ex)+") the answer of "+who(ex)+" ("+frameOf(ex)+
			") without qop, cnonce or nc: replay protection is off. Make the server require the qop it offered."))
}
