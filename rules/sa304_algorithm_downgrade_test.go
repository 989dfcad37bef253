package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

func TestSA304(t *testing.T) {
	const n = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0"
	uri := "sip:" + realm
	// The TS 33.203 N.2.1.1 challenge: SHA-256 first, then MD5, the same
	// nonce (RFC 7616 3.9.1).
	shaFirst := func(nonce string) string {
		return chal(nonce, `qop="auth"`, "algorithm=SHA-256") + "\r\nWWW-Authenticate: " + chal(nonce, `qop="auth"`, "algorithm=MD5")
	}
	with := func(nonce string, alg digest.Algorithm) string {
		return answer{nonce: nonce, method: "REGISTER", uri: uri, alg: alg}.String()
	}
	// An MD5 answer without the algorithm parameter (RFC 7616 3.4: MD5).
	noAlg := strings.Replace(with(n, digest.MD5), ", algorithm=MD5", "", 1)
	// A challenge per algorithm, each with its own nonce.
	const n2 = "9d4c2e6a0f1b3d5c7e9a2b5f3c8e1a9b"
	ownNonces := chal(n2, `qop="auth"`, "algorithm=SHA-256") + "\r\nWWW-Authenticate: " + chal(n, `qop="auth"`, "algorithm=MD5")
	// The UE's first REGISTER answered straight away (no challenge in the
	// capture), with MD5.
	blind := req("REGISTER", uri, "reg-1", 2, "r20", "Expires: 600", "Authorization: "+with(n, digest.MD5))
	ruleTest(t, "SA304", []ruleCase{
		{name: "SHA-256 and MD5 offered, UE answers MD5", creds: alice, fire: 1,
			pkts: register{challenge: shaFirst(n), auth: with(n, digest.MD5)}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{2, 3, 4}, "user alice server "+srvAddr, 1)(t, fs)
				h34Severity(t, fs, finding.Medium)
				if !strings.Contains(fs[0].Message, "offered SHA-256") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "SHA-256 and MD5 offered, UE answers without algorithm (MD5), twice: folded", creds: alice, fire: 1,
			pkts: flows(register{challenge: shaFirst(n), auth: noAlg}.pkts(),
				register{t0: 60 * time.Second, n: 1, challenge: shaFirst(n[:len(n)-1] + "1"),
					auth: strings.Replace(with(n[:len(n)-1]+"1", digest.MD5), ", algorithm=MD5", "", 1)}.pkts()),
			check: h34One([]int{2, 3, 4}, "user alice server "+srvAddr, 2)},
		{name: "UE answers SHA-512-256, which was not offered", creds: alice, fire: 1,
			pkts: register{challenge: shaFirst(n), auth: with(n, digest.SHA512_256)}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				if !strings.Contains(fs[0].Message, "did not offer") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "SHA-256 and MD5 offered with a nonce each, UE answers MD5", creds: alice, fire: 1,
			pkts:  register{challenge: ownNonces, auth: with(n, digest.MD5)}.pkts(),
			check: h34One([]int{2, 3, 4}, "user alice server "+srvAddr, 1)},
		{name: "SHA-256 and MD5 offered, UE answers SHA-256", creds: alice,
			pkts: register{challenge: shaFirst(n), auth: with(n, digest.SHA256)}.pkts()},
		{name: "SHA-256 and MD5 offered with a nonce each, UE answers SHA-256", creds: alice,
			pkts: register{challenge: ownNonces, auth: with(n2, digest.SHA256)}.pkts()},
		{name: "MD5 only offered, UE answers MD5", creds: alice, pkts: register{}.pkts()},
		{name: "MD5 answer, challenge not in the capture", creds: alice,
			pkts: []pkt{up(0, blind), down(10*time.Millisecond, resp(200, "OK", blind))}},
	})
}
