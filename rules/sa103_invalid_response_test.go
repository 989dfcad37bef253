package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA103(t *testing.T) {
	wrong := func(n int) string {
		return answer{pw: "s3cret-Pas", nonce: h12nonce(n), method: "REGISTER", uri: h12regURI}.String()
	}
	ruleTest(t, "SA103", []ruleCase{
		{name: "typo in the password, 403", creds: alice, fire: 1,
			pkts: register{auth: wrong(0), status: 403}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.Info, "alice", 1)
				if !strings.Contains(fs[0].Key, "10.0.0.1") || strings.Contains(fs[0].Message, password) {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "the same client fails twice (401 then 403): one finding, count 2", creds: alice, fire: 1,
			pkts: flows(register{auth: wrong(0), status: 401, final: []string{"WWW-Authenticate: " + chal(h12nonce(1), `qop="auth"`)}}.pkts(),
				register{t0: 5e9, n: 1, auth: wrong(1), status: 403}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12check(t, fs[0], finding.Info, "alice", 2)
			}},
		{name: "two clients fail: two findings", creds: alice, fire: 2,
			pkts: flows(register{auth: wrong(0), status: 403}.pkts(),
				h12move(register{t0: 5e9, n: 1, callID: "reg-2", auth: wrong(1), status: 403}.pkts(), ue2Addr))},
		{name: "wrong password accepted (SA101, not this)", creds: alice,
			pkts: register{auth: wrong(0)}.pkts()},
		{name: "right password rejected (SA102, not this)", creds: alice,
			pkts: register{status: 403}.pkts()},
		{name: "wrong password rejected, no credentials known",
			pkts: register{auth: wrong(0), status: 403}.pkts()},
		{name: "right password in RFC 2069 form rejected (qop downgrade, not a wrong password)", creds: alice,
			pkts: register{auth: answer{qop: "-", nonce: h12nonce(0), method: "REGISTER", uri: h12regURI}.String(), status: 403}.pkts()},
	})
}
