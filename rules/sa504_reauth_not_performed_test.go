package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA504(t *testing.T) {
	// alice registers (frames 1-4); the S-CSCF then asks her to
	// re-authenticate with a reg-event NOTIFY (TS 24.229 5.4.1.6), which
	// her UE acknowledges with a 200 (frames 5-6).
	initial := register{}.pkts()
	ask := func(at time.Duration, cseq int, body string) []pkt {
		n := h56Notify(at, cseq, body)
		return []pkt{n, h56NotifyOK(at+5*time.Millisecond, n)}
	}
	reauth := h56Reginfo("re-authenticate", h56Contact{state: "active", event: "registered", expires: 590})
	shortened := h56Reginfo("active", h56Contact{state: "active", event: "shortened", expires: 60})

	ruleTest(t, "SA504", []ruleCase{
		{name: "re-authenticate ignored, capture goes on past the window", creds: alice, fire: 1,
			pkts: flows(initial, ask(10*time.Second, 1, reauth), h56Keepalive(320*time.Second, 1)),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 5) || f.Key != "aor "+h56AOR || f.Severity != finding.Medium || !f.Time.Equal(base.Add(10*time.Second)) {
					t.Errorf("finding %+v, want the NOTIFY's frame [5] at 10 s", f)
				}
			}},
		{name: "contact shortened (RFC 3680 form), UE re-registers only after the window", creds: alice, fire: 1,
			cfg:  Config{ReauthWindow: 60 * time.Second},
			pkts: flows(initial, ask(10*time.Second, 1, shortened), register{t0: 90 * time.Second, n: 1}.pkts())},
		{name: "asked twice, ignored twice: folded", creds: alice, fire: 1,
			cfg:  Config{ReauthWindow: 60 * time.Second},
			pkts: flows(initial, ask(10*time.Second, 1, reauth), ask(100*time.Second, 2, reauth), h56Keepalive(200*time.Second, 1)),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 2 || !h56Frames(fs[0].Frames, 5) {
					t.Errorf("finding %+v, want count 2, first frame [5]", fs[0])
				}
			}},
		{name: "re-authenticate with a shortened contact in one NOTIFY counts once", creds: alice, fire: 1,
			pkts: flows(initial, ask(10*time.Second, 1, h56Reginfo("re-authenticate", h56Contact{state: "active", event: "shortened", expires: 60})),
				h56Keepalive(320*time.Second, 1)),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 1 {
					t.Errorf("count %d, want 1: one NOTIFY is one request to re-authenticate", fs[0].Count)
				}
			}},
		{name: "re-authenticate followed by a re-registration within the window", creds: alice,
			pkts: flows(initial, ask(10*time.Second, 1, reauth), register{t0: 12 * time.Second, n: 1}.pkts(), h56Keepalive(320*time.Second, 1))},
		{name: "re-authenticate, capture ends before the window", creds: alice,
			pkts: flows(initial, ask(10*time.Second, 1, reauth), h56Keepalive(200*time.Second, 1))},
		{name: "ordinary reg-event (refreshed), no re-authentication asked", creds: alice,
			pkts: flows(initial, ask(10*time.Second, 1, h56Reginfo("active", h56Contact{state: "active", event: "refreshed", expires: 590})),
				h56Keepalive(320*time.Second, 1))},
	})
}
