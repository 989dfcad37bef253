package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA108(t *testing.T) {
	inRealm := func(r string, n int) string {
		return answer{realm: r, nonce: h12nonce(n), method: "REGISTER", uri: h12regURI}.String()
	}
	ruleTest(t, "SA108", []ruleCase{
		{name: "credentials for another domain accepted", creds: alice, fire: 1,
			pkts: register{auth: inRealm("other.net", 0)}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.Medium, "alice", 1)
				if !strings.Contains(fs[0].Message, `"other.net"`) || !strings.Contains(fs[0].Message, `"example.com"`) {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "IMS home domain instead of the challenge's realm, rejected", fire: 1,
			pkts: register{auth: inRealm("ims.mnc001.mcc001.3gppnetwork.org", 0), status: 403}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				if !strings.Contains(fs[0].Message, "403") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "proxy challenge realm answered with the registrar's realm", creds: alice, fire: 1,
			pkts: h12call{challenge: `Digest realm="proxy.example.com", nonce="7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", qop="auth"`}.pkts()},
		{name: "realm of the challenge", creds: alice,
			pkts: register{}.pkts()},
		{name: "proxy challenge answered in its realm", creds: alice,
			pkts: h12call{challenge: `Digest realm="proxy.example.com", nonce="7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", qop="auth"`,
				auth: answer{realm: "proxy.example.com", nonce: "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", method: "INVITE", uri: "sip:bob@" + realm}.String()}.pkts()},
		{name: "another realm but the challenge is not in the capture", creds: alice,
			pkts: register{auth: inRealm("other.net", 0)}.pkts()[2:]},
	})
}
