package rules

import (
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA504 reauth-not-performed: the network asked a UE to re-authenticate
// (a reg-event NOTIFY with registration state re-authenticate, or a
// contact event shortened) and no REGISTER from the UE followed within
// the window. The S-CSCF then de-registers the user (TS 24.229 5.4.1.6,
// seed 003): the UE's stack ignores the reg-event. Judged only when the
// capture goes on past the window; one NOTIFY is one request, however many
// of its contacts are shortened.
type sa504 struct {
	span time.Duration
	now  time.Time
}

var sa504Info = finding.RuleInfo{
	ID: "SA504", Name: "reauth-not-performed", Severity: finding.Medium,
	Clause:  "TS 24.229 5.4.1.6 (seed 003)",
	Summary: "The network asked a UE to re-authenticate (reg-event) and no re-registration followed within the window.",
	Help:    "The UE ignores network-initiated re-authentication and will be de-registered. Check that the UE subscribes to reg-event and re-registers when asked.",
}

func (*sa504) Info() finding.RuleInfo { return sa504Info }

func (s *sa504) Tick(now time.Time, _ analyzer.Reporter) { s.now = now }

func (s *sa504) Registration(g *analyzer.Registration, r analyzer.Reporter) {
	judged := 0 // the frame of the last NOTIFY judged: one NOTIFY is one request
	for i, e := range g.Events {
		if e.Origin != "reg-event" || e.Event != "re-authenticate" && e.Event != "shortened" {
			continue
		}
		if e.Frame == judged {
			continue
		}
		judged = e.Frame
		deadline := e.Time.Add(s.span)
		if s.now.Before(deadline) {
			continue // the capture ends before the window does
		}
		followed := false
		for _, later := range g.Events[i+1:] {
			if later.Time.After(deadline) {
				break
			}
			if later.Origin == "register" && later.Event != "expired" {
				followed = true
				break
			}
		}
		if followed {
			continue
		}
		r.Report(finding.Finding{
			Input: g.Input, Frames: []int{e.Frame}, Time: e.Time, Key: "aor " + g.AOR,
			Message: "The network asked " + quote(g.AOR) + " to re-authenticate (reg-event " + e.Event + ", frame " + itoa(e.Frame) +
				") and no REGISTER followed within " + s.span.String() + ": the UE ignores network-initiated re-authentication and will be de-registered.",
		})
	}
}
