package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA207 qop-missing: a Digest challenge carries no qop. Without qop the
// client answers in the RFC 2069 form, with no cnonce and no nc: replay
// protection and client-chosen randomness are gone. TS 33.203 N.2.1.1
// says qop shall be "auth". Occurrences fold per server and realm.
type sa207 struct{}

var sa207Info = finding.RuleInfo{
	ID: "SA207", Name: "qop-missing", Severity: finding.High,
	Clause:  "TS 33.203 N.2.1.1 (qop shall be \"auth\")",
	Summary: "A challenge carries no qop, so cnonce and nc replay protection are off.",
	Help:    "Responses carry no nonce-count and can be replayed while the nonce lives. Configure the server to send qop=\"auth\" in every challenge.",
}

func (sa207) Info() finding.RuleInfo { return sa207Info }

func (sa207) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	if ev.Msg.Request || ev.Retransmission {
		return
	}
	for c := range digestChallenges(ev) {
		if len(c.Challenge.QOP) > 0 {
			continue
		}
		r.Report(evFinding(ev, "server "+ev.SrcText()+" realm "+c.Challenge.Realm,
			"The "+c.Kind.String()+" challenge of frame "+itoa(ev.Frame())+" from "+ev.SrcText()+" (realm "+quote(c.Challenge.Realm)+
				") has no qop: answers carry no nonce-count and can be replayed. Configure qop=\"auth\"."))
		return
	}
}
