package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA203(t *testing.T) {
	n := h12nonce(0)
	const next = "a8d3f1c7e2b94d6f8e0c1b2a3d4e5f60"
	old := func(c uint32) string { return answer{nonce: n, method: "REGISTER", uri: h12regURI, nc: c}.String() }
	again := func(stale bool) string {
		ps := []string{`qop="auth"`, "algorithm=MD5"}
		if stale {
			ps = append(ps, "stale=true")
		}
		return "WWW-Authenticate: " + chal(next, ps...)
	}
	// 400 s after the challenge: past the reference's 300 s lifetime.
	const late = 400e9
	ruleTest(t, "SA203", []ruleCase{
		{name: "right digest over an expired nonce re-challenged without stale", creds: alice, fire: 1,
			pkts: flows(register{}.pkts(), h12reregister(late, 3, "r3", old(2), 401, again(false))),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 5, 6)
				h12check(t, fs[0], finding.Medium, "alice", 1)
				if !strings.Contains(fs[0].Message, "expired") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "right digest, nc replayed, re-challenged without stale", creds: alice, fire: 1,
			pkts: flows(register{}.pkts(), h12reregister(30e9, 3, "r3", old(1), 401, again(false))),
			check: func(t *testing.T, fs []*finding.Finding) {
				if !strings.Contains(fs[0].Message, "nonce-count") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "right digest over a nonce a later REGISTER challenge ended", creds: alice, fire: 1,
			pkts: flows(register{}.pkts(), register{t0: 30e9, n: 1}.pkts(), h12reregister(60e9, 5, "r5", old(2), 401, again(false))),
			check: func(t *testing.T, fs []*finding.Finding) {
				if !strings.Contains(fs[0].Message, "ended") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "expired nonce re-challenged with stale=true", creds: alice,
			pkts: flows(register{}.pkts(), h12reregister(late, 3, "r3", old(2), 401, again(true)))},
		{name: "wrong password over an expired nonce re-challenged without stale", creds: alice,
			pkts: flows(register{}.pkts(), h12reregister(late, 3, "r3",
				answer{pw: "guess", nonce: n, method: "REGISTER", uri: h12regURI, nc: 2}.String(), 401, again(false)))},
		{name: "expired nonce re-challenged without stale, no credentials known",
			pkts: flows(register{}.pkts(), h12reregister(late, 3, "r3", old(2), 401, again(false)))},
		{name: "fresh nonce, nc 2, accepted", creds: alice,
			pkts: flows(register{}.pkts(), h12reregister(30e9, 3, "r3", old(2), 200))},
	})
}
