package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA302 md5-only: a 401/407 offers MD5 and no SHA-256. TS 33.203 N.2.1.1
// puts SHA-256 first and keeps MD5 for backwards compatibility only; MD5
// digests are cheap to attack offline (billions of guesses a second on a
// GPU). Occurrences fold per server and realm.
type sa302 struct{}

var sa302Info = finding.RuleInfo{
	ID: "SA302", Name: "md5-only", Severity: finding.Medium,
	Clause:  "TS 33.203 N.2.1.1 (SHA-256 first, MD5 for backwards compatibility)",
	Summary: "A challenge offers MD5 and no SHA-256.",
	Help:    "Every captured response can be attacked offline at MD5 speed. Offer SHA-256 (first) next to MD5, and MD5 only while old clients need it.",
}

func (sa302) Info() finding.RuleInfo { return sa302Info }

func (sa302) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	if ev.Msg.Request || ev.Retransmission {
		return
	}
	chs := digestChallenges(ev)
	md5, strong := false, false
	realm := ""
	for c := range chs {
		a := challengeAlgorithm(c.Challenge)
		md5 = md5 || isMD5Family(a)
		strong = strong || isStrong(a)
		if realm == "" {
			realm = c.Challenge.Realm
		}
	}
	if !md5 || strong {
		return
	}
	key := "server " + ev.SrcText() + " realm " + realm
	if r.Again(key, ev.Time) {
		return
	}
	r.Report(evFinding(ev, key,
		"The challenge of frame "+itoa(ev.Frame())+" from "+ev.SrcText()+" (realm "+quote(realm)+") offers MD5 only: "+
			"every captured response can be attacked offline at MD5 speed. Offer SHA-256 first."))
}
