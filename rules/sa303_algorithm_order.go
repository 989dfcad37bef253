package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA303 algorithm-order: a 401/407 lists MD5 before SHA-256. The UE takes
// the first algorithm it supports (TS 33.203 N.2.1.1), so MD5 first means
// MD5 for every UE that supports both. Occurrences fold per server and
// realm.
type sa303 struct{}

var sa303Info = finding.RuleInfo{
	ID: "SA303", Name: "algorithm-order", Severity: finding.Low,
	Clause:  "TS 33.203 N.2.1.1",
	Summary: "A challenge lists MD5 before SHA-256 (the UE takes the first it supports).",
	Help:    "Clients that support both will use MD5. List the SHA-256 challenge before the MD5 one.",
}

func (sa303) Info() finding.RuleInfo { return sa303Info }

func (sa303) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	if ev.Msg.Request || ev.Retransmission {
		return
	}
	md5First := false
	for c := range digestChallenges(ev) {
		a := challengeAlgorithm(c.Challenge)
		if isMD5Family(a) {
			md5First = true
		}
		if isStrong(a) {
			if md5First {
				r.Report(evFinding(ev, "server "+ev.SrcText()+" realm "+c.Challenge.Realm,
					"The challenge of frame "+itoa(ev.Frame())+" from "+ev.SrcText()+" lists MD5 before "+a.String()+
						": UEs take the first they support, so they will use MD5. Put SHA-256 first."))
			}
			return
		}
	}
}
