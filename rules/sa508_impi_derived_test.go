package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA508(t *testing.T) {
	uri := "sip:" + realm
	// imsRegister is an IMS registration whose first REGISTER carries the
	// IMPI in an Authorization with empty nonce and response (TS 24.229
	// 5.1.1.2.1), then answers the challenge.
	imsRegister := func() []pkt {
		const nonce = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0"
		first := req("REGISTER", uri, "reg-1", 1, "s1", "Expires: 600",
			`Authorization: Digest username="alice", realm="example.com", nonce="", uri="sip:example.com", response=""`)
		second := req("REGISTER", uri, "reg-1", 2, "s2", "Expires: 600",
			"Authorization: "+answer{nonce: nonce, method: "REGISTER", uri: uri}.String())
		return []pkt{
			up(0, first),
			down(10*time.Millisecond, resp(401, "Unauthorized", first, "WWW-Authenticate: "+chal(nonce, `qop="auth"`, "algorithm=MD5"))),
			up(20*time.Millisecond, second),
			down(30*time.Millisecond, resp(200, "OK", second)),
		}
	}

	ruleTest(t, "SA508", []ruleCase{
		{name: "first REGISTER without Authorization", creds: alice, fire: 1,
			pkts: register{}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 1) || f.Severity != finding.Info || f.Key != "server "+srvAddr+" domain "+realm || f.Count != 1 {
					t.Errorf("finding %+v, want info on frame [1]", f)
				}
			}},
		{name: "every re-registration starts without Authorization, retransmitted once: folded", creds: alice, fire: 1,
			pkts: func() []pkt {
				ps := flows(register{}.pkts(), register{t0: 300 * time.Second, n: 1}.pkts())
				again := ps[0]
				again.at = 5 * time.Millisecond // before the 401
				return append(ps[:1], append([]pkt{again}, ps[1:]...)...)
			}(),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 2 || !h56Frames(fs[0].Frames, 1) {
					t.Errorf("finding %+v, want count 2 (the retransmission not counted), first frame [1]", fs[0])
				}
			}},
		{name: "IMS UE sends its IMPI in the first REGISTER", creds: alice, pkts: imsRegister()},
		{name: "INVITE without credentials is no registration", creds: alice,
			pkts: []pkt{up(0, req("INVITE", "sip:bob@"+realm, "call-1", 1, "i1"))}},
	})
}
