package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA104(t *testing.T) {
	// RAND || AUTN, base64 (TS 33.203 6.1.1).
	const akaNonce = "CjsAuVNwqTmL0Q9YTgqIVuMrr0l8IRJSVpqOUpPWxKI="
	right := answer{nonce: h12nonce(0), method: "REGISTER", uri: h12regURI}.String()
	ruleTest(t, "SA104", []ruleCase{
		{name: "200 to a digest REGISTER without Authentication-Info", creds: alice, fire: 1,
			pkts: register{}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.Medium, "alice", 1)
				if fs[0].Key != "server "+srvAddr+" realm "+realm {
					t.Errorf("key %q", fs[0].Key)
				}
			}},
		{name: "Authentication-Info with nextnonce only, twice: folded per server", fire: 1,
			pkts: flows(register{final: []string{`Authentication-Info: nextnonce="0f9e8d7c6b5a49382716f5e4d3c2b1a0"`}}.pkts(),
				register{t0: 60e9, n: 1, final: []string{`Authentication-Info: nextnonce="1f9e8d7c6b5a49382716f5e4d3c2b1a0"`}}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 2 || !strings.Contains(fs[0].Message, "rspauth") {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "200 with a right rspauth", creds: alice,
			pkts: register{final: []string{"Authentication-Info: " + h12authInfo(right, password)}}.pkts()},
		{name: "IMS AKA registration: AUTN authenticated the network", creds: alice,
			pkts: register{
				challenge: `Digest realm="` + realm + `", nonce="` + akaNonce + `", algorithm=AKAv1-MD5, qop="auth"`,
				auth: `Digest username="alice@` + realm + `", realm="` + realm + `", nonce="` + akaNonce + `", uri="sip:` + realm +
					`", response="6629fae49393a05397450978507c4ef1", algorithm=AKAv1-MD5, qop=auth, nc=00000001, cnonce="0a4f113b"`,
			}.pkts()},
		{name: "REGISTER rejected: no 2xx to carry rspauth", creds: alice,
			pkts: register{status: 403}.pkts()},
		{name: "200 to an authenticated INVITE without Proxy-Authentication-Info", creds: alice,
			pkts: h12call{}.pkts()},
		{name: "200 to a REGISTER without credentials", creds: alice,
			pkts: func() []pkt {
				r := req("REGISTER", h12regURI, "reg-1", 1, "r10", "Expires: 600")
				return []pkt{up(0, r), down(1e7, resp(200, "OK", r))}
			}()},
	})
}
