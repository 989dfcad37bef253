package rules

import (
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA101(t *testing.T) {
	wrong := func(nonce string) string {
		return answer{pw: "not-the-password", nonce: nonce, method: "REGISTER", uri: "sip:" + realm}.String()
	}
	const n = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0"
	ruleTest(t, "SA101", []ruleCase{
		{name: "wrong password answered 200", creds: alice, fire: 1,
			pkts: register{auth: wrong(n)}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				if got := fs[0].Frames; len(got) != 3 || got[0] != 2 || got[1] != 3 || got[2] != 4 {
					t.Errorf("frames %v, want challenge, request and answer [2 3 4]", got)
				}
				if fs[0].Severity != finding.Critical || fs[0].Exchange != "e1" || fs[0].Username != "alice" {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "wrong password, twice, both accepted", creds: alice, fire: 2,
			pkts: flows(register{auth: wrong(n)}.pkts(), register{t0: 60e9, n: 1, auth: wrong(n[:len(n)-1] + "1")}.pkts())},
		{name: "right password accepted", creds: alice, pkts: register{}.pkts()},
		{name: "wrong password rejected", creds: alice, pkts: register{auth: wrong(n), status: 403}.pkts()},
		{name: "wrong password accepted but no credentials known", pkts: register{auth: wrong(n)}.pkts()},
	})
}
