package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

func TestSA303(t *testing.T) {
	const n = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0"
	// Two WWW-Authenticate fields, one per algorithm, the same nonce
	// (RFC 7616 3.9.1), in the given order.
	two := func(nonce, first, second string) string {
		return chal(nonce, `qop="auth"`, "algorithm="+first) + "\r\nWWW-Authenticate: " + chal(nonce, `qop="auth"`, "algorithm="+second)
	}
	shaAnswer := func(nonce string) string {
		return answer{nonce: nonce, method: "REGISTER", uri: "sip:" + realm, alg: digest.SHA256}.String()
	}
	const cn = "b1e8d2c47a9f03e65d1c8b7a2f4e6d9c0"
	ruleTest(t, "SA303", []ruleCase{
		{name: "MD5 listed before SHA-256", creds: alice, fire: 1,
			pkts: register{challenge: two(n, "MD5", "SHA-256")}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{2}, "server "+srvAddr+" realm "+realm, 1)(t, fs)
				h34Severity(t, fs, finding.Low)
			}},
		{name: "MD5 (no algorithm parameter) before SHA-256, two registrations: folded", creds: alice, fire: 1,
			pkts: flows(
				register{challenge: chal(n, `qop="auth"`) + "\r\nWWW-Authenticate: " + chal(n, `qop="auth"`, "algorithm=SHA-256")}.pkts(),
				register{t0: 60 * time.Second, n: 1, challenge: chal(n[:len(n)-1]+"1", `qop="auth"`) + "\r\nWWW-Authenticate: " + chal(n[:len(n)-1]+"1", `qop="auth"`, "algorithm=SHA-256")}.pkts()),
			check: h34One([]int{2}, "server "+srvAddr+" realm "+realm, 2)},
		{name: "407 lists MD5-sess before SHA-512-256", creds: alice, fire: 1,
			pkts: h34Call{challenge: chal(cn, `qop="auth"`, "algorithm=MD5-sess") + "\r\nProxy-Authenticate: " + chal(cn, `qop="auth"`, "algorithm=SHA-512-256"),
				auth: answer{nonce: cn, method: "INVITE", uri: h34Callee, alg: digest.MD5Sess}.String(), ackAuth: h34Same}.pkts(),
			check: h34One([]int{2}, "", 1)},
		{name: "SHA-256 listed before MD5 (TS 33.203 order)", creds: alice,
			pkts: register{challenge: two(n, "SHA-256", "MD5"), auth: shaAnswer(n)}.pkts()},
		{name: "MD5 only (no SHA-256 to put first)", creds: alice, pkts: register{}.pkts()},
		{name: "SHA-256 only", creds: alice,
			pkts: register{challenge: chal(n, `qop="auth"`, "algorithm=SHA-256"), auth: shaAnswer(n)}.pkts()},
	})
}
