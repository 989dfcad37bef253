package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA103 invalid-response: a client sent a wrong digest response and the
// server refused it. That is the system working, so it is info; it is
// kept because a run of them is a guessing attack (SA601) or a
// misconfigured phone. Occurrences fold per user and client.
type sa103 struct{}

var sa103Info = finding.RuleInfo{
	ID: "SA103", Name: "invalid-response", Severity: finding.Info,
	Clause:  "TS 33.203 N.2.2.1",
	Summary: "A client sent a wrong digest response and the server rejected it (an ordinary failure; feeds SA601).",
	Help:    "A device has a wrong password configured, or someone is guessing. Many of them in a short time are reported as SA601 brute-force.",
}

func (sa103) Info() finding.RuleInfo { return sa103Info }

func (sa103) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.Result.Verdict != digest.Invalid || ex.Result.Cause != digest.CauseWrongDigest || !refused(ex) {
		return
	}
	key := "user " + ex.Username + " " + ex.Realm + " from " + host(ex.Client)
	if r.Again(key, ex.Time) {
		return
	}
	r.Report(exFinding(ex, key,
		an(ex.Method, true)+" from "+who(ex)+" at "+ex.Client+" ("+frameOf(ex)+") carried a wrong "+ex.Algorithm+
			" response and the server refused it ("+status(ex)+"): a wrong password on the device, or a guess."))
}
