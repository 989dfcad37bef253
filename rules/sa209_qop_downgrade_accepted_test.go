package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA209(t *testing.T) {
	rfc2069 := answer{qop: "-", nonce: h12nonce(0), method: "REGISTER", uri: h12regURI}.String()
	ruleTest(t, "SA209", []ruleCase{
		{name: `qop="auth" offered, RFC 2069 answer accepted`, creds: alice, fire: 1,
			pkts: register{auth: rfc2069}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.High, "alice", 1)
				if !strings.Contains(fs[0].Message, `qop="auth"`) {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "RFC 2069 answer accepted, no credentials known", fire: 1,
			pkts: register{auth: rfc2069}.pkts()},
		{name: "INVITE: qop offered in the 407, RFC 2069 answer let through", creds: alice, fire: 1,
			pkts: h12call{auth: answer{qop: "-", nonce: "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", method: "INVITE", uri: "sip:bob@" + realm}.String()}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 4, 5)
			}},
		{name: "no qop offered, RFC 2069 answer accepted (SA207, not this)", creds: alice,
			pkts: register{challenge: chal(h12nonce(0), "algorithm=MD5"), auth: rfc2069}.pkts()},
		{name: "RFC 2069 answer rejected", creds: alice,
			pkts: register{auth: rfc2069, status: 403}.pkts()},
		{name: "qop=auth answer accepted", creds: alice,
			pkts: register{}.pkts()},
		{name: "RFC 2069 answer over a nonce not in the capture, accepted", creds: alice,
			pkts: register{auth: rfc2069}.pkts()[2:]},
	})
}
