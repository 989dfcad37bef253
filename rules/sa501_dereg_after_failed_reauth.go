package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA501 dereg-after-failed-reauth: a re-registration of a registered
// IMPU (registered by a REGISTER 2xx, or reported active by a reg-event)
// failed authentication, and the network then ended the registration (a
// reg-event NOTIFY with deactivated, rejected, probation, unregistered or
// terminated: the binding is gone) before any successful registration.
// Only an end on the registration's own timer (expired) or a
// de-registration by the UE (a REGISTER 2xx) is the ordinary end. A failed
// re-authentication must leave the registration alone (TS 33.203 6.1.1,
// TS 24.229 5.4.1.2.2, seed 003): otherwise anyone who sends one bad
// REGISTER in a subscriber's name de-registers the subscriber, a denial
// of service against IMS.
type sa501 struct{}

var sa501Info = finding.RuleInfo{
	ID: "SA501", Name: "dereg-after-failed-reauth", Severity: finding.High,
	Clause:  "TS 24.229 5.4.1.2.2 (seed 003); TS 33.203 6.1.1",
	Summary: "A re-registration of an already registered IMPU failed authentication and the network then ended that registration.",
	Help:    "Anyone can de-register a subscriber with one forged REGISTER. Keep the existing registration when a re-authentication fails (TS 24.229 5.4.1.2.2).",
}

func (sa501) Info() finding.RuleInfo { return sa501Info }

func (sa501) Registration(g *analyzer.Registration, r analyzer.Reporter) {
	live := false
	var failed *analyzer.RegEvent
	for i := range g.Events {
		e := &g.Events[i]
		switch {
		case e.Origin == "register" && (e.Event == "registered" || e.Event == "refreshed" || e.Event == "shortened"):
			live, failed = true, nil
		case e.Origin == "reg-event" && (e.Event == "registered" || e.Event == "created" || e.Event == "refreshed" || e.Event == "shortened"):
			// The network reports the binding active: registered, even when
			// the REGISTER that made it is not in the capture.
			live = true
		case e.Origin == "register" && e.Event == "rejected" && e.Status != 401 && e.Status != 407:
			if live && failed == nil {
				failed = e
			}
		case e.Origin == "reg-event" && (e.Event == "deactivated" || e.Event == "rejected" || e.Event == "terminated" ||
			e.Event == "probation" || e.Event == "unregistered"):
			if failed != nil {
				r.Report(finding.Finding{
					Input: g.Input, Frames: []int{failed.Frame, e.Frame}, Time: failed.Time,
					Key: "aor " + g.AOR,
					Message: "The re-registration of " + quote(g.AOR) + " failed (" + itoa(failed.Status) + ", frame " + itoa(failed.Frame) +
						") and the network then ended the registration (reg-event " + e.Event + ", frame " + itoa(e.Frame) +
						"): one forged REGISTER de-registers a subscriber. Keep the registration when a re-authentication fails.",
				})
				failed = nil
			}
			live = false
		case e.Event == "unregistered" || e.Event == "expired":
			live, failed = false, nil
		}
	}
}
