package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA102(t *testing.T) {
	const next = "a8d3f1c7e2b94d6f8e0c1b2a3d4e5f60"
	rechallenge := "WWW-Authenticate: " + chal(next, `qop="auth"`, "algorithm=MD5")
	wrong := answer{pw: "Winter2025", nonce: h12nonce(0), method: "REGISTER", uri: h12regURI}.String()
	ruleTest(t, "SA102", []ruleCase{
		{name: "right password answered 403", creds: alice, fire: 1,
			pkts: register{status: 403}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.Medium, "alice", 1)
				if fs[0].Exchange != "e1" || !strings.Contains(fs[0].Message, "403") {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "right password re-challenged without stale", creds: alice, fire: 1,
			pkts: register{status: 401, final: []string{rechallenge}}.pkts()},
		{name: "right password on an INVITE answered 407 again", creds: alice, fire: 1,
			pkts: h12call{status: 407, final: []string{"Proxy-Authenticate: " + chal(next, `qop="auth"`)}}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 4, 5)
			}},
		{name: "right password re-challenged with stale=true", creds: alice,
			pkts: register{status: 401, final: []string{"WWW-Authenticate: " + chal(next, `qop="auth"`, "algorithm=MD5", "stale=true")}}.pkts()},
		{name: "right password, REGISTER answered 423 Interval Too Brief", creds: alice,
			pkts: register{status: 423, final: []string{"Min-Expires: 3600"}}.pkts()},
		{name: "right password, REGISTER answered 503 (overload)", creds: alice,
			pkts: register{status: 503, final: []string{"Retry-After: 30"}}.pkts()},
		{name: "wrong password answered 403", creds: alice,
			pkts: register{auth: wrong, status: 403}.pkts()},
		{name: "right password answered 403, no credentials known",
			pkts: register{status: 403}.pkts()},
		{name: "right password answered 403 over a nonce the capture never issued", creds: alice,
			pkts: register{status: 403}.pkts()[2:]},
		{name: "proxy credentials right, then the callee's 401", creds: alice,
			pkts: h12call{status: 401, final: []string{"WWW-Authenticate: " + chal(next, `qop="auth"`)}}.pkts()},
	})
}
