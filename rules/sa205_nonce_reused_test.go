package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA205(t *testing.T) {
	const shared = "d41d8cd98f00b204e9800998ecf8427e"
	bob := func(t0 time.Duration, nonce string) []pkt {
		return h12move(h12impu("sip:bob@"+realm, register{t0: t0, n: 1, callID: "reg-bob", nonce: nonce,
			auth: answer{user: "bob", pw: "b0b-Pass", nonce: nonce, method: "REGISTER", uri: h12regURI}.String()}.pkts()), ue2Addr)
	}
	ruleTest(t, "SA205", []ruleCase{
		{name: "alice and bob challenged with the same nonce", fire: 1,
			pkts: flows(register{nonce: shared}.pkts(), bob(5e9, shared)),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 6)
				h12check(t, fs[0], finding.High, "", 1)
				if fs[0].Key != "nonce "+shared || !strings.Contains(fs[0].Message, "sip:bob@example.com") {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "alice's REGISTER and her INVITE challenged with the same nonce", creds: alice, fire: 1,
			pkts: flows(register{nonce: shared}.pkts(), h12call{t0: 10e9, nonce: shared}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 6)
			}},
		{name: "a third dialog gets it too: folded", fire: 1,
			pkts: flows(register{nonce: shared}.pkts(), bob(5e9, shared), h12call{t0: 10e9, nonce: shared}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12check(t, fs[0], finding.High, "", 2)
			}},
		{name: "each challenge its own nonce",
			pkts: flows(register{}.pkts(), bob(5e9, h12nonce(1)), h12call{t0: 10e9}.pkts())},
		{name: "the same challenge on both hops through the proxy", creds: alice,
			pkts: func() []pkt {
				ps := register{nonce: shared}.pkts()
				first := ps[0].text
				viaProxy := "Via: SIP/2.0/UDP " + proxyAddr + ";branch=z9hG4bKp10\r\n"
				relayed := strings.Replace(first, "\r\n", "\r\n"+viaProxy, 1)
				ch := "WWW-Authenticate: " + chal(shared, `qop="auth"`, "algorithm=MD5")
				return flows([]pkt{
					ps[0].from(ueAddr, proxyAddr),
					pkt{at: 1e6, src: proxyAddr, dst: srvAddr, text: relayed},
					pkt{at: 9e6, src: srvAddr, dst: proxyAddr, text: resp(401, "Unauthorized", relayed, ch)},
					ps[1].from(proxyAddr, ueAddr),
				}, ps[2:])
			}()},
		// A proxy relaying the 401 may rewrite To (a host part of its
		// own): still the same dialog, the same challenge.
		{name: "the same challenge relayed with To rewritten", pkts: func() []pkt {
			ps := register{}.pkts()
			relayed := strings.Replace(ps[1].text, "To: <sip:alice@"+realm+">", "To: <sip:alice@192.0.2.1>", 1)
			return append(ps[:2:2], pkt{ps[1].at + 1e6, proxyAddr, ueAddr, relayed, ps[1].tr})
		}()},
		{name: "the 401 retransmitted", creds: alice,
			pkts: func() []pkt {
				ps := register{nonce: shared}.pkts()
				return flows(ps[:2], []pkt{down(500e6, ps[1].text)}, ps[2:])
			}()},
	})
}
