package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA405(t *testing.T) {
	uri := "sip:" + realm
	// A proxy on the path challenges the registration: 407 with
	// Proxy-Authenticate, the REGISTER again with Proxy-Authorization,
	// then 200.
	proxied := func(t0 time.Duration, n int) []pkt {
		s := itoa(n)
		nonce := "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b" + s
		first := req("REGISTER", uri, "reg-1", 2*n+1, "r1"+s, "Expires: 600")
		second := req("REGISTER", uri, "reg-1", 2*n+2, "r2"+s, "Expires: 600",
			"Proxy-Authorization: "+answer{nonce: nonce, method: "REGISTER", uri: uri}.String())
		ms := time.Millisecond
		return []pkt{
			up(t0, first),
			down(t0+10*ms, resp(407, "Proxy Authentication Required", first, "Proxy-Authenticate: "+chal(nonce, `qop="auth"`, "algorithm=MD5"))),
			up(t0+20*ms, second),
			down(t0+30*ms, resp(200, "OK", second)),
		}
	}
	retransmitted := proxied(0, 0)
	dup := retransmitted[1]
	dup.at += 500 * time.Millisecond
	retransmitted = append(retransmitted[:2:2], dup, retransmitted[2], retransmitted[3])
	ruleTest(t, "SA405", []ruleCase{
		{name: "REGISTER challenged with 407", creds: alice, fire: 1, pkts: proxied(0, 0),
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{2}, "server "+srvAddr, 1)(t, fs)
				h34Severity(t, fs, finding.Low)
			}},
		{name: "two registrations challenged with 407: folded", creds: alice, fire: 1,
			pkts:  flows(proxied(0, 0), proxied(60*time.Second, 1)),
			check: h34One([]int{2}, "server "+srvAddr, 2)},
		{name: "retransmitted 407 counts once", creds: alice, fire: 1, pkts: retransmitted,
			check: h34One([]int{2}, "server "+srvAddr, 1)},
		{name: "REGISTER challenged with 401", creds: alice, pkts: register{}.pkts()},
		{name: "INVITE challenged with 407", creds: alice, pkts: h34Call{ackAuth: h34Same}.pkts()},
	})
}
