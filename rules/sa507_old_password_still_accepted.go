package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA507 old-password-still-accepted: with two credentials for one user
// (a password change: two rows in the credentials file), the server
// accepted the older one after the newer one had been used successfully.
// TS 33.203 N.2.5 keeps the old H(A1) only until the new one works;
// accepting it after that keeps a leaked or retired password alive.
// Needs known credentials.
type sa507 struct{}

var sa507Info = finding.RuleInfo{
	ID: "SA507", Name: "old-password-still-accepted", Severity: finding.Medium,
	Clause:  "TS 33.203 N.2.5",
	Summary: "With two credentials for one user, the older one was still accepted after the newer one had been used successfully.",
	Help:    "A retired (perhaps leaked) password still works. Make the server drop the old H(A1) once the new one has been used successfully.",
}

func (sa507) Info() finding.RuleInfo { return sa507Info }

func (sa507) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.Result.Cause != digest.CauseSupersededSecret || !accepted(ex) {
		return
	}
	r.Report(exFinding(ex, "user "+ex.Username+" "+ex.Realm,
		"The server accepted ("+status(ex)+") the old password of "+who(ex)+" ("+frameOf(ex)+") after the new one had been used successfully: "+
			"a retired password still works. Drop the old H(A1) once the new one is in use (TS 33.203 N.2.5)."))
}
