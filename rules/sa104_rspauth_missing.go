package rules

import (
	"strings"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA104 rspauth-missing: a 2xx to an authenticated REGISTER carries no
// Authentication-Info with rspauth. Without it the UE cannot check that
// the network knew its password too (mutual authentication, TS 33.203
// N.2.1.1 SM10), so a fake registrar goes unnoticed. IMS AKA (which
// authenticates the network through AUTN) is not concerned. Occurrences
// fold per server and realm.
type sa104 struct{}

var sa104Info = finding.RuleInfo{
	ID: "SA104", Name: "rspauth-missing", Severity: finding.Medium,
	Clause:  "TS 33.203 N.2.1.1 (SM10)",
	Summary: "A 2xx to an authenticated REGISTER carries no Authentication-Info with rspauth: the UE cannot authenticate the network.",
	Help:    "Without rspauth the UE cannot tell the real registrar from an impostor. Enable Authentication-Info (rspauth) on 2xx responses to REGISTER.",
}

func (sa104) Info() finding.RuleInfo { return sa104Info }

func (sa104) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.Method != "REGISTER" || ex.Scheme != "Digest" || ex.Status < 200 || ex.Status > 299 ||
		ex.RspAuth != "missing" || strings.HasPrefix(strings.ToUpper(ex.Algorithm), "AKA") || ex.Nonce == "" {
		return
	}
	key := "server " + ex.Server + " realm " + ex.Realm
	if r.Again(key, ex.Time) {
		return
	}
	r.Report(exFinding(ex, key,
		"The "+status(ex)+" to the authenticated REGISTER of "+who(ex)+" ("+framesLabel(ex.ResponseFrames)+") has no Authentication-Info rspauth: "+
			"the UE cannot verify that the network knows its password. Configure the registrar to send rspauth."))
}
