package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA109(t *testing.T) {
	bob := "sip:bob@" + realm
	ruleTest(t, "SA109", []ruleCase{
		{name: "alice's credentials register bob's AOR", creds: alice, fire: 1,
			pkts: h12impu(bob, register{}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.High, "alice", 1)
				if fs[0].Key != "user alice identity "+bob || !strings.Contains(fs[0].Message, "(To)") {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "INVITE From bob authenticated as alice", creds: alice, fire: 1,
			pkts: h12call{from: "bob", uri: "sip:carol@" + realm}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 4, 5)
				if !strings.Contains(fs[0].Message, "(From)") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "IMPU not among the P-Associated-URIs alice's registration listed", creds: alice, fire: 1,
			pkts: flows(register{final: []string{"P-Associated-URI: <sip:alice@" + realm + ">, <sip:+15551234567@" + realm + ">"}}.pkts(),
				h12impu("sip:+15559876543@"+realm, register{t0: 5e9, n: 1, callID: "reg-2"}.pkts()))},
		{name: "INVITE asserting bob (P-Asserted-Identity) authenticated as alice", creds: alice, fire: 1,
			pkts: h12call{extra: []string{"P-Asserted-Identity: <" + bob + ">"}, uri: "sip:carol@" + realm}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Key != "user alice identity "+bob || !strings.Contains(fs[0].Message, "(P-Asserted-Identity)") {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "alice registers her own AOR", creds: alice,
			pkts: register{}.pkts()},
		{name: "IMS IMPI user@realm registers sip:IMPI", creds: alice,
			pkts: register{auth: answer{user: "alice@" + realm, nonce: h12nonce(0), method: "REGISTER", uri: h12regURI}.String()}.pkts()},
		{name: "a second IMPU the network associated with alice", creds: alice,
			pkts: flows(register{final: []string{"P-Associated-URI: <sip:alice@" + realm + ">, <sip:+15551234567@" + realm + ">"}}.pkts(),
				h12impu("sip:+15551234567@"+realm, register{t0: 5e9, n: 1, callID: "reg-2"}.pkts()))},
		{name: "anonymous INVITE (RFC 3323) authenticated as alice", creds: alice,
			pkts: h12anon(h12call{from: "anonymous", extra: []string{"Privacy: id"}}.pkts())},
		{name: "INVITE asserting alice's sip and tel URIs", creds: alice,
			pkts: h12call{extra: []string{"P-Asserted-Identity: <sip:alice@" + realm + ">, <tel:+15551234567>"}}.pkts()},
		{name: "INVITE From bob authenticated as alice, rejected", creds: alice,
			pkts: h12call{from: "bob", status: 403}.pkts()},
		{name: "alice's credentials for bob's AOR rejected", creds: alice,
			pkts: h12impu(bob, register{status: 403}.pkts())},
	})
}

// h12anon makes the From of a call anonymous (RFC 3323).
func h12anon(pkts []pkt) []pkt {
	out := slices.Clone(pkts)
	for i := range out {
		out[i].text = strings.ReplaceAll(out[i].text, "From: <sip:anonymous@"+realm+">", `From: "Anonymous" <sip:anonymous@anonymous.invalid>`)
	}
	return out
}
