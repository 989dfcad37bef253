package rules

import (
	"strings"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA503 aka-sync-failure: a UE answered an AKA challenge with auts: its
// sequence number and the HSS's are out of step (TS 33.203 6.1.3). Once
// is routine after a SIM swap or HSS restore; repeated for one IMPI it
// points at replayed challenges (an attacker re-sending an old AUTN) or
// a broken SQN scheme, and is raised to medium.
type sa503 struct {
	seen *window[int]
}

var sa503Info = finding.RuleInfo{
	ID: "SA503", Name: "aka-sync-failure", Severity: finding.Low,
	Clause:  "TS 33.203 6.1.3",
	Summary: "An AKA synchronization failure (auts) was sent; medium when repeated for one IMPI.",
	Help:    "Once is routine. Repeated failures for one IMPI mean replayed challenges or an HSS sequence number problem: check the HSS's SQN handling and look for old AUTNs re-sent.",
}

func (*sa503) Info() finding.RuleInfo { return sa503Info }

func (s *sa503) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.AKA != "sync-failure" && ex.Credentials.AUTS == "" {
		return
	}
	user := strings.ToLower(ex.Username)
	n, _ := s.seen.get(user)
	n++
	s.seen.put(user, ex.Time, n)
	f := exFinding(ex, "user "+user,
		"The UE of "+who(ex)+" reported an AKA synchronization failure (auts, "+frameOf(ex)+"): its SQN and the HSS's are out of step.")
	if n > 1 {
		f.Severity = finding.Medium
		f.Message = "The UE of " + who(ex) + " reported AKA synchronization failures " + itoa(n) + " times (last " + frameOf(ex) +
			"): replayed challenges or an HSS sequence-number problem."
	}
	r.Report(f)
}
