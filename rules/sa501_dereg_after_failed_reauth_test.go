package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA501(t *testing.T) {
	const nonce = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b"
	uri := "sip:" + realm
	// alice registers from her UE (frames 1-4, registered at frame 4).
	initial := register{}.pkts()
	// A forged re-REGISTER in alice's name from another host, with a
	// guessed password: 401, then 403 (frames 5-8, rejected at frame 8).
	forged := func(t0 time.Duration, n int) []pkt {
		bad := answer{pw: "guess-1234", nonce: nonce + itoa(n), method: "REGISTER", uri: uri}.String()
		return h56Remap(register{t0: t0, n: n, callID: "evil-" + itoa(n), auth: bad, status: 403}.pkts(), h56Attacker)
	}
	notify := func(at time.Duration, cseq int, body string) []pkt {
		n := h56Notify(at, cseq, body)
		return []pkt{n, h56NotifyOK(at+5*time.Millisecond, n)}
	}
	deactivated := h56Reginfo("terminated", h56Contact{state: "terminated", event: "deactivated", expires: -1})
	active := func(event string, expires int) string {
		return h56Reginfo("active", h56Contact{state: "active", event: event, expires: expires})
	}

	ruleTest(t, "SA501", []ruleCase{
		{name: "forged re-REGISTER rejected 403, then reg-event deactivated", creds: alice, fire: 1,
			pkts: flows(initial, forged(60*time.Second, 1), notify(61*time.Second, 2, deactivated)),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 8, 9) {
					t.Errorf("frames %v, want the 403 and the NOTIFY [8 9]", f.Frames)
				}
				if f.Key != "aor "+h56AOR || f.Severity != finding.High || f.Count != 1 || !f.Time.Equal(base.Add(60*time.Second+30*time.Millisecond)) {
					t.Errorf("finding %+v", f)
				}
			}},
		{name: "forged re-REGISTER, then the whole registration terminated, twice: folded", creds: alice, fire: 1,
			pkts: flows(initial, forged(60*time.Second, 1),
				notify(61*time.Second, 2, h56Reginfo("terminated", h56Contact{state: "terminated", event: "rejected", expires: -1})),
				register{t0: 120 * time.Second, n: 2}.pkts(), forged(180*time.Second, 3),
				notify(181*time.Second, 3, h56Reginfo("terminated"))),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 2 || !h56Frames(fs[0].Frames, 8, 9) {
					t.Errorf("count %d frames %v, want 2 folded and the first episode's [8 9]", fs[0].Count, fs[0].Frames)
				}
			}},
		{name: "registration known only from the reg-event, forged REGISTER, contact on probation", creds: alice, fire: 1,
			pkts: flows(notify(0, 1, active("registered", 3600)), forged(60*time.Second, 1),
				notify(61*time.Second, 2, h56Reginfo("terminated", h56Contact{state: "terminated", event: "probation", expires: -1}))),
			check: func(t *testing.T, fs []*finding.Finding) {
				if !h56Frames(fs[0].Frames, 6, 7) {
					t.Errorf("frames %v, want the 403 and the NOTIFY [6 7]", fs[0].Frames)
				}
			}},
		{name: "forged re-REGISTER rejected, then reg-event unregistered", creds: alice, fire: 1,
			pkts: flows(initial, forged(60*time.Second, 1),
				notify(61*time.Second, 2, h56Reginfo("terminated", h56Contact{state: "terminated", event: "unregistered", expires: -1})))},
		{name: "forged re-REGISTER rejected, registration kept (reg-event active)", creds: alice,
			pkts: flows(initial, forged(60*time.Second, 1), notify(61*time.Second, 2, active("registered", 539)))},
		{name: "administrative deactivation without a failed re-registration", creds: alice,
			pkts: flows(initial, register{t0: 60 * time.Second, n: 1}.pkts(), notify(61*time.Second, 2, deactivated))},
		{name: "failed initial registration (nothing registered), then reg-event rejected", creds: alice,
			pkts: flows(forged(0, 1), notify(1*time.Second, 2, h56Reginfo("terminated", h56Contact{state: "terminated", event: "rejected", expires: -1})))},
		{name: "failed re-REGISTER, then a successful one, then deactivated", creds: alice,
			pkts: flows(initial, forged(60*time.Second, 1), register{t0: 90 * time.Second, n: 2}.pkts(), notify(91*time.Second, 2, deactivated))},
		{name: "failed re-REGISTER, then the binding expires on its timer", creds: alice,
			pkts: flows(initial, forged(60*time.Second, 1),
				notify(601*time.Second, 2, h56Reginfo("terminated", h56Contact{state: "terminated", event: "expired", expires: -1})))},
	})
}
