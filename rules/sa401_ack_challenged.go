package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA401 ack-challenged: an ACK was answered with 401 or 407. ACK takes no
// response: the UAC cannot answer a challenge to it, so the call hangs
// or is torn down. RFC 3261 22.1: servers MUST NOT challenge an ACK.
// Folds per server.
type sa401 struct{}

var sa401Info = finding.RuleInfo{
	ID: "SA401", Name: "ack-challenged", Severity: finding.Medium,
	Clause:  "RFC 3261 22.1",
	Summary: "An ACK was answered with 401 or 407.",
	Help:    "Servers must accept for the ACK the credentials they accepted for the INVITE. Exempt ACK (and CANCEL) from authentication on the server.",
}

func (sa401) Info() finding.RuleInfo { return sa401Info }

func (sa401) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	challengedMethod(ev, r, "ACK")
}

// challengedMethod reports a 401/407 answering the given method.
func challengedMethod(ev *analyzer.MessageEvent, r analyzer.Reporter, method string) {
	m := ev.Msg
	if m.Request || ev.Retransmission || m.Status != 401 && m.Status != 407 || ev.RequestMethod != method {
		return
	}
	r.Report(evFinding(ev, "server "+ev.SrcText(),
		"The server at "+ev.SrcText()+" answered "+an(method, false)+" with "+itoa(m.Status)+" (frame "+itoa(ev.Frame())+", Call-ID "+quote(m.CallID)+
			"): "+an(method, false)+" cannot be re-sent with credentials (RFC 3261 22.1). Exempt "+method+" from authentication on the server."))
}
