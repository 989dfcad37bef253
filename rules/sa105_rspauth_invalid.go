package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA105 rspauth-invalid: the rspauth of an Authentication-Info does not
// verify with the known credentials. The UE should reject such a
// response: either the network is not who it claims (a man in the
// middle answering for the registrar), or the server computes rspauth
// wrongly. Needs known credentials.
type sa105 struct{}

var sa105Info = finding.RuleInfo{
	ID: "SA105", Name: "rspauth-invalid", Severity: finding.High,
	Clause:  "TS 33.203 N.2.2.2; RFC 7616 3.5",
	Summary: "The rspauth in Authentication-Info does not verify with known credentials (network authentication failure).",
	Help:    "Either something between UE and registrar answers in its name, or the server computes rspauth wrongly (wrong H(A1), A2 with the method, wrong cnonce/nc). Compare with the work shown.",
}

func (sa105) Info() finding.RuleInfo { return sa105Info }

func (sa105) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.RspAuth != "invalid" {
		return
	}
	r.Report(exFinding(ex, "exchange "+ex.CallID+" "+ex.Method+" "+ex.Nonce+" "+ex.NC,
		"The rspauth the server sent in answer to "+who(ex)+" ("+framesLabel(ex.ResponseFrames)+") does not verify with the known password: "+
			"the UE cannot trust this network. Look for a device answering in the registrar's name, or a wrong rspauth computation."))
}
