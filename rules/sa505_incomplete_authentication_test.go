package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

func TestSA505(t *testing.T) {
	uri := "sip:" + realm
	const nonce = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b"
	// challenged is a REGISTER and its 401, never answered.
	challenged := func(t0 time.Duration, n int, ch string) []pkt {
		r := req("REGISTER", uri, "probe-"+itoa(n), 1, "u"+itoa(n), "Expires: 600")
		return []pkt{up(t0, r), down(t0+10*time.Millisecond, resp(401, "Unauthorized", r, "WWW-Authenticate: "+ch))}
	}
	// Per TS 33.203 N.2.1.1 the registrar offers SHA-256 then MD5, here
	// each with its own nonce; the UE answers the SHA-256 one.
	twoOffers := func() []pkt {
		shaNonce, md5Nonce := nonce+"a", nonce+"b"
		first := req("REGISTER", uri, "reg-1", 1, "t1", "Expires: 600")
		second := req("REGISTER", uri, "reg-1", 2, "t2", "Expires: 600",
			"Authorization: "+answer{nonce: shaNonce, method: "REGISTER", uri: uri, alg: digest.SHA256}.String())
		return []pkt{
			up(0, first),
			down(10*time.Millisecond, resp(401, "Unauthorized", first,
				"WWW-Authenticate: "+chal(shaNonce, `qop="auth"`, "algorithm=SHA-256"),
				"WWW-Authenticate: "+chal(md5Nonce, `qop="auth"`, "algorithm=MD5"))),
			up(20*time.Millisecond, second),
			down(30*time.Millisecond, resp(200, "OK", second)),
		}
	}
	invite := func() []pkt {
		i := req("INVITE", "sip:bob@"+realm, "call-1", 1, "i1")
		return []pkt{up(0, i), down(10*time.Millisecond, resp(407, "Proxy Authentication Required", i,
			"Proxy-Authenticate: "+chal(nonce+"p", `qop="auth"`, "algorithm=MD5")))}
	}

	ruleTest(t, "SA505", []ruleCase{
		{name: "REGISTER challenged, never answered, capture goes on", creds: alice, fire: 1,
			pkts: flows(challenged(0, 1, chal(nonce+"1", `qop="auth"`, "algorithm=MD5")), h56Keepalive(40*time.Second, 1)),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 2) || f.Severity != finding.Low || f.Key != "client 10.0.0.1 server "+srvAddr || !f.Time.Equal(base.Add(10*time.Millisecond)) {
					t.Errorf("finding %+v, want the 401's frame [2]", f)
				}
			}},
		{name: "three probes (one Call-ID each) challenged and dropped by one client: folded", creds: alice, fire: 1,
			pkts: flows(challenged(0, 1, chal(nonce+"1", `qop="auth"`)), challenged(1*time.Second, 2, chal(nonce+"2", `qop="auth"`)),
				challenged(2*time.Second, 3, chal(nonce+"3", `qop="auth"`)), h56Keepalive(40*time.Second, 1)),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 3 || !h56Frames(fs[0].Frames, 2) {
					t.Errorf("finding %+v, want count 3, first frame [2]", fs[0])
				}
			}},
		{name: "INVITE challenged with 407, never answered", creds: alice, fire: 1,
			pkts: flows(invite(), h56Keepalive(40*time.Second, 1))},
		{name: "challenge answered and accepted", creds: alice,
			pkts: flows(register{}.pkts(), h56Keepalive(40*time.Second, 1))},
		{name: "challenge unanswered, capture ends within the window", creds: alice,
			pkts: flows(challenged(0, 1, chal(nonce+"1", `qop="auth"`)), h56Keepalive(20*time.Second, 1))},
		{name: "stale=true challenge unanswered (SA204's)", creds: alice,
			pkts: flows(challenged(0, 1, chal(nonce+"1", `qop="auth"`, "stale=true")), h56Keepalive(40*time.Second, 1))},
		{name: "SHA-256 and MD5 offered with their own nonces, SHA-256 answered", creds: alice,
			pkts: flows(twoOffers(), h56Keepalive(40*time.Second, 1))},
	})
}
