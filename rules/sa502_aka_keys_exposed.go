package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA502 aka-keys-exposed: a challenge carrying ck= or ik= goes toward the
// UE. The S-CSCF gives the P-CSCF the cipher and integrity keys in the
// 401, and the P-CSCF must strip them before forwarding it (TS 33.203
// 6.1.1, SM5/SM6): whoever sees them on the access side can decrypt and
// forge the protected traffic. A response is toward the UE when one Via
// is left (the UE's own). The keys are never shown.
type sa502 struct{}

var sa502Info = finding.RuleInfo{
	ID: "SA502", Name: "aka-keys-exposed", Severity: finding.Critical,
	Clause:  "TS 33.203 6.1.1 (SM5, SM6)",
	Summary: "A challenge carrying ck= or ik= parameters is sent toward the UE (the P-CSCF must strip CK and IK).",
	Help:    "The IPsec keys of the UE's security association are exposed on the access network. Make the P-CSCF remove ck and ik from the 401 before forwarding it.",
}

func (sa502) Info() finding.RuleInfo { return sa502Info }

func (sa502) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	m := ev.Msg
	if m.Request || ev.Retransmission || m.Vias > 1 {
		return
	}
	for c := range digestChallenges(ev) {
		if c.Challenge.AKAKeys {
			r.Report(evFinding(ev, "server "+ev.SrcText(),
				"The 401 of frame "+itoa(ev.Frame())+" from "+ev.SrcText()+" to the UE at "+ev.DstText()+" carries ck/ik (values not shown): "+
					"the UE's IPsec keys are on the access network. The P-CSCF must strip them."))
			return
		}
	}
}
