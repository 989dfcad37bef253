package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA107(t *testing.T) {
	withURI := func(uri string) string {
		return answer{nonce: h12nonce(0), method: "REGISTER", uri: uri}.String()
	}
	bob := "sip:bob@" + realm
	ruleTest(t, "SA107", []ruleCase{
		{name: "REGISTER whose digest uri names another registrar, accepted", creds: alice, fire: 1,
			pkts: register{auth: withURI("sip:registrar2." + realm)}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.Medium, "alice", 1)
				if !strings.Contains(fs[0].Message, `"sip:registrar2.example.com"`) {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "INVITE to bob with credentials computed for carol, accepted, no credentials known", fire: 1,
			pkts: h12call{auth: answer{nonce: "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", method: "INVITE", uri: "sip:carol@" + realm}.String()}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 4, 5)
			}},
		{name: "INVITE with the user part in another case, accepted", creds: alice, fire: 1,
			pkts: h12call{auth: answer{nonce: "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", method: "INVITE", uri: "sip:Bob@" + realm}.String()}.pkts()},
		{name: "same uri", creds: alice,
			pkts: register{}.pkts()},
		{name: "uri differs only in the case of scheme and host", creds: alice,
			pkts: register{auth: withURI("SIP:EXAMPLE.COM")}.pkts()},
		{name: "INVITE uri differs only in the host's case", creds: alice,
			pkts: h12call{auth: answer{nonce: "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", method: "INVITE", uri: "sip:bob@EXAMPLE.com"}.String(), uri: bob}.pkts()},
		{name: "uri mismatch rejected", creds: alice,
			pkts: register{auth: withURI("sip:registrar2." + realm), status: 403}.pkts()},
	})
}
