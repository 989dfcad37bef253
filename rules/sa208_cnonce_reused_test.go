package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA208(t *testing.T) {
	// register{n: i} answers with the default cnonce 0a4f113b; with
	// cnonce(i) a fresh one.
	fresh := func(r register, cnonce string) register {
		r.auth = answer{nonce: h12nonce(r.n), method: "REGISTER", uri: h12regURI, cnonce: cnonce}.String()
		return r
	}
	n := h12nonce(0)
	ruleTest(t, "SA208", []ruleCase{
		{name: "the same cnonce with the next registration's nonce", creds: alice, fire: 1,
			pkts: flows(register{}.pkts(), register{t0: 600e9, n: 1}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 3, 6, 7, 8)
				h12check(t, fs[0], finding.Low, "alice", 1)
				if fs[0].Key != "user alice cnonce 0a4f113b" || !strings.Contains(fs[0].Message, "frame 3") {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "a constant cnonce over three registrations: folded", fire: 1,
			pkts: flows(register{}.pkts(), register{t0: 600e9, n: 1}.pkts(), register{t0: 1200e9, n: 2}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12check(t, fs[0], finding.Low, "alice", 2)
			}},
		{name: "a fresh cnonce for each nonce", creds: alice,
			pkts: flows(fresh(register{}, "6b8b4567").pkts(), fresh(register{t0: 600e9, n: 1}, "327b23c6").pkts())},
		{name: "the same cnonce on one nonce with nc 1 then 2", creds: alice,
			pkts: flows(register{}.pkts(), h12reregister(30e9, 3, "r3", answer{nonce: n, method: "REGISTER", uri: h12regURI, nc: 2}.String(), 200))},
		{name: "two users happen to draw the same cnonce", creds: alice,
			pkts: flows(register{}.pkts(), h12move(h12impu("sip:bob@"+realm, register{t0: 5e9, n: 1, callID: "reg-bob",
				auth: answer{user: "bob", pw: "b0b-Pass", nonce: h12nonce(1), method: "REGISTER", uri: h12regURI}.String()}.pkts()), ue2Addr))},
	})
}
