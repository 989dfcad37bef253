package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/digest"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA302(t *testing.T) {
	const n = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0"
	// RFC 7616 3.9.1: one WWW-Authenticate per algorithm, the same nonce.
	both := chal(n, `qop="auth"`, "algorithm=SHA-256") + "\r\nWWW-Authenticate: " + chal(n, `qop="auth"`, "algorithm=MD5")
	retransmitted := register{}.pkts()
	retransmitted = append(retransmitted[:2:2], retransmitted[1], retransmitted[2], retransmitted[3])
	retransmitted[2].at += 5 * time.Millisecond
	ruleTest(t, "SA302", []ruleCase{
		{name: "401 offers algorithm=MD5 only", creds: alice, fire: 1, pkts: register{}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{2}, "server "+srvAddr+" realm "+realm, 1)(t, fs)
				h34Severity(t, fs, finding.Medium)
			}},
		{name: "401 without algorithm (MD5), two registrations: folded", creds: alice, fire: 1,
			pkts: flows(register{challenge: chal(n, `qop="auth"`)}.pkts(),
				register{t0: 60 * time.Second, n: 1, challenge: chal(n[:len(n)-1]+"1", `qop="auth"`)}.pkts()),
			check: h34One([]int{2}, "server "+srvAddr+" realm "+realm, 2)},
		{name: "407 to an INVITE offers MD5-sess only", creds: alice, fire: 1,
			pkts: h34Call{challenge: chal("b1e8d2c47a9f03e65d1c8b7a2f4e6d9c0", `qop="auth"`, "algorithm=MD5-sess"),
				auth: answer{nonce: "b1e8d2c47a9f03e65d1c8b7a2f4e6d9c0", method: "INVITE", uri: h34Callee, alg: digest.MD5Sess}.String(), ackAuth: h34Same}.pkts(),
			check: h34One([]int{2}, "", 1)},
		{name: "retransmitted MD5-only 401 counts once", creds: alice, fire: 1, pkts: retransmitted,
			check: h34One([]int{2}, "", 1)},
		{name: "401 offers SHA-256 first, then MD5", creds: alice,
			pkts: register{challenge: both, auth: answer{nonce: n, method: "REGISTER", uri: "sip:" + realm, alg: digest.SHA256}.String()}.pkts()},
		{name: "401 offers SHA-256 only", creds: alice,
			pkts: register{challenge: chal(n, `qop="auth"`, "algorithm=SHA-256")}.pkts()},
		{name: "IMS AKA challenge (AKAv1-MD5 is not an MD5 password digest)",
			pkts: register{challenge: chal("3q2+7wAAAAA3q2+7wAAAAA3q2+7wAAAAA3q2+7wAAAAA=", `qop="auth"`, "algorithm=AKAv1-MD5")}.pkts()},
	})
}
