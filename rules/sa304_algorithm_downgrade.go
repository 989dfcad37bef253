package rules

import (
	"slices"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA304 algorithm-downgrade: a client answered with MD5 although the
// challenge offered SHA-256, or with an algorithm the challenge did not
// offer at all. The UE must take the first algorithm it supports in the
// server's order (TS 33.203 N.2.1.1, SM6/SM7); MD5 where SHA-256 was
// offered is a weak client or an attacker who rewrote the challenge.
// Judged when the challenge is in the capture. Folds per user and server.
type sa304 struct{}

var sa304Info = finding.RuleInfo{
	ID: "SA304", Name: "algorithm-downgrade", Severity: finding.Medium,
	Clause:  "TS 33.203 N.2.1.1 (SM6/SM7)",
	Summary: "A client answered with MD5 although SHA-256 was offered, or with an algorithm that was not offered.",
	Help:    "The client (or something rewriting the challenge) picks the weaker algorithm. Update the client to support SHA-256, and make the server refuse algorithms it did not offer.",
}

func (sa304) Info() finding.RuleInfo { return sa304Info }

func (sa304) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	ch := ex.Result.Challenge
	if ex.Scheme != "Digest" || ch == nil || len(ch.Algorithms) == 0 || ex.Result.Cause == digest.CauseInitial {
		return
	}
	used := ex.Credentials.Algorithm
	if ex.Credentials.AlgorithmName == "" {
		used = digest.MD5
	}
	why := ""
	switch {
	case used == 0 || !slices.Contains(ch.Algorithms, used):
		why = "answered with " + quote(ex.Algorithm) + ", which the challenge did not offer"
	case isMD5Family(used) && slices.ContainsFunc(ch.Algorithms, isStrong):
		why = "answered with " + used.String() + " although the challenge offered SHA-256"
	default:
		return
	}
	r.Report(exFinding(ex, "user "+ex.Username+" server "+ex.Server,
		"The client of "+who(ex)+" "+why+" ("+frameOf(ex)+", server answered "+status(ex)+"). Update the client to use the strongest algorithm offered; make the server refuse others."))
}
