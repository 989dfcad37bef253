package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA202(t *testing.T) {
	n := h12nonce(0)
	nc := func(c uint32) string {
		return answer{nonce: n, method: "REGISTER", uri: h12regURI, nc: c}.String()
	}
	ruleTest(t, "SA202", []ruleCase{
		{name: "nc 1 sent again, rejected", creds: alice, fire: 1,
			pkts: flows(register{}.pkts(), h12reregister(30e9, 3, "r3", nc(1), 403)),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 5, 6)
				h12check(t, fs[0], finding.Medium, "alice", 1)
				if !strings.HasSuffix(fs[0].Key, n+" 00000001") {
					t.Errorf("key %q", fs[0].Key)
				}
			}},
		{name: "nc 1 sent again and accepted, no credentials known", fire: 1,
			pkts: flows(register{}.pkts(), h12reregister(30e9, 3, "r3", nc(1), 200))},
		{name: "nc goes back from 3 to 2", creds: alice, fire: 1,
			pkts: flows(register{}.pkts(), h12reregister(30e9, 3, "r3", nc(3), 200), h12reregister(60e9, 4, "r4", nc(2), 200)),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 7, 8)
			}},
		{name: "nc 2 on the same nonce", creds: alice,
			pkts: flows(register{}.pkts(), h12reregister(30e9, 3, "r3", nc(2), 200))},
		{name: "the same REGISTER retransmitted (same branch)", creds: alice,
			pkts: func() []pkt {
				ps := register{}.pkts()
				return flows(ps[:3], []pkt{up(500e6, ps[2].text)}, ps[3:])
			}()},
		{name: "a forged nc 5 with a wrong digest, then the client's own nc 2", creds: alice,
			pkts: flows(register{}.pkts(),
				h12reregister(20e9, 3, "r3", answer{pw: "guess", nonce: n, method: "REGISTER", uri: h12regURI, nc: 5}.String(), 403),
				h12reregister(30e9, 4, "r4", nc(2), 200))},
		{name: "nc 1 again but on a new nonce", creds: alice,
			pkts: flows(register{}.pkts(), register{t0: 30e9, n: 1}.pkts())},
	})
}
