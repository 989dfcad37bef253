package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA405 register-407: a REGISTER was challenged with 407. The registrar
// is the UAS for REGISTER and challenges with 401 (TS 33.203 N.2.1.1,
// SM4); a 407 means a proxy on the path authenticates registrations, and
// the UE's credentials go in Proxy-Authorization, which IMS P-CSCFs do
// not expect. Folds per server.
type sa405 struct{}

var sa405Info = finding.RuleInfo{
	ID: "SA405", Name: "register-407", Severity: finding.Low,
	Clause:  "TS 33.203 N.2.1.1 (SM4)",
	Summary: "A REGISTER was challenged with 407 instead of 401.",
	Help:    "Registrations should be challenged by the registrar with 401 and WWW-Authenticate. Move REGISTER authentication to the registrar, or make the proxy use 401 for REGISTER.",
}

func (sa405) Info() finding.RuleInfo { return sa405Info }

func (sa405) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	m := ev.Msg
	if m.Request || ev.Retransmission || m.Status != 407 || ev.RequestMethod != "REGISTER" {
		return
	}
	r.Report(evFinding(ev, "server "+ev.SrcText(),
		"The server at "+ev.SrcText()+" challenged a REGISTER with 407 (frame "+itoa(ev.Frame())+"): registrars challenge REGISTER with 401 (TS 33.203 SM4)."))
}
