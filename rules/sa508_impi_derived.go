package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA508 impi-derived: a REGISTER without Authorization. An IMS UE sends
// its IMPI in the first REGISTER (an Authorization with an empty
// response); without one, the S-CSCF derives the IMPI from the IMPU (TS
// 33.203 N.2.1.1 note 2a), which works only where the two are derived
// from each other. Information for lab engineers; folds per registrar and
// domain.
type sa508 struct{}

var sa508Info = finding.RuleInfo{
	ID: "SA508", Name: "impi-derived", Severity: finding.Info,
	Clause:  "TS 33.203 N.2.1.1 note 2a",
	Summary: "A REGISTER without Authorization: the IMPI is derived from the IMPU.",
	Help:    "The registrar has to guess the private identity from the public one. IMS UEs should send Authorization with their IMPI in the initial REGISTER.",
}

func (sa508) Info() finding.RuleInfo { return sa508Info }

func (sa508) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	m := ev.Msg
	if !m.Request || ev.Retransmission || m.Method != "REGISTER" {
		return
	}
	for _, f := range m.Auth {
		if f.Kind == analyzer.Authorization {
			return
		}
	}
	domain := userAtHost(m.ToURI)
	if i := lastAt(domain); i >= 0 {
		domain = domain[i+1:]
	}
	key := "server " + ev.DstText() + " domain " + domain
	if r.Again(key, ev.Time) {
		return
	}
	r.Report(evFinding(ev, key,
		"A REGISTER for "+quote(m.ToURI)+" (frame "+itoa(ev.Frame())+") carries no Authorization: the registrar at "+ev.DstText()+
			" derives the IMPI from the IMPU."))
}

func lastAt(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '@' {
			return i
		}
	}
	return -1
}
