package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA207(t *testing.T) {
	rfc2069 := func(n int) string {
		return answer{qop: "-", nonce: h12nonce(n), method: "REGISTER", uri: h12regURI}.String()
	}
	noQOP := func(n int) register {
		return register{t0: 0, n: n, challenge: chal(h12nonce(n), "algorithm=MD5"), auth: rfc2069(n)}
	}
	second := noQOP(1)
	second.t0 = 60e9
	ruleTest(t, "SA207", []ruleCase{
		{name: "401 without qop, answered in RFC 2069 form", creds: alice, fire: 1,
			pkts: noQOP(0).pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2)
				h12check(t, fs[0], finding.High, "", 1)
				if fs[0].Key != "server "+srvAddr+" realm "+realm || !strings.Contains(fs[0].Message, "WWW-Authenticate") {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "407 without qop for an INVITE", creds: alice, fire: 1,
			pkts: h12call{challenge: chal("7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c"),
				auth: answer{qop: "-", nonce: "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", method: "INVITE", uri: "sip:bob@" + realm}.String()}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2)
				if !strings.Contains(fs[0].Message, "Proxy-Authenticate") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "every challenge of the server lacks qop: folded", fire: 1,
			pkts: flows(noQOP(0).pkts(), second.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12check(t, fs[0], finding.High, "", 2)
			}},
		{name: `qop="auth"`, creds: alice,
			pkts: register{}.pkts()},
		{name: `qop="auth,auth-int"`, creds: alice,
			pkts: register{challenge: chal(h12nonce(0), `qop="auth,auth-int"`, "algorithm=MD5")}.pkts()},
		{name: "SHA-256 and MD5 challenges, both with qop", creds: alice,
			pkts: register{challenge: chal(h12nonce(0), `qop="auth"`, "algorithm=SHA-256") + ", " + chal(h12nonce(0), `qop="auth"`, "algorithm=MD5")}.pkts()},
		{name: "the 401 without qop retransmitted: one occurrence", creds: alice, fire: 1,
			pkts: func() []pkt {
				ps := noQOP(0).pkts()
				return flows(ps[:2], []pkt{down(500e6, ps[1].text)}, ps[2:])
			}(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12check(t, fs[0], finding.High, "", 1)
			}},
	})
}
