package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA401(t *testing.T) {
	// The call's final ACK (the last packet) answered by the server with
	// a challenge: the server authenticates every request, ACK included.
	challengedAck := func(c h34Call, status int) []pkt {
		ps := c.pkts()
		ack := ps[len(ps)-1]
		reason, hdr := "Proxy Authentication Required", "Proxy-Authenticate: "
		if status == 401 {
			reason, hdr = "Unauthorized", "WWW-Authenticate: "
		}
		nonce := "c7e9a2b5f3c8e1a9b7d4c2e6a0f1b3d5" + c.id()
		return append(ps, down(ack.at+10*time.Millisecond, resp(status, reason, ack.text, hdr+chal(nonce, `qop="auth"`, "algorithm=MD5"))))
	}
	// A retransmitted ACK and its second 407 (the first one lost).
	again := challengedAck(h34Call{}, 407)
	ack, ch := again[5], again[6]
	ack.at, ch.at = ch.at+500*time.Millisecond, ch.at+510*time.Millisecond
	again = append(again, ack, ch)
	// After the call, the callee's BYE challenged by the proxy: BYE can
	// be re-sent with credentials.
	bye := h34Tagged(req("BYE", h34Callee, "call-0", 3, "b30"))
	byePkts := flows(h34Call{ackAuth: h34Same}.pkts(), []pkt{
		up(10*time.Second, bye),
		down(10*time.Second+10*time.Millisecond, resp(407, "Proxy Authentication Required", bye,
			"Proxy-Authenticate: "+chal("e6a0f1b3d5c7e9a2b5f3c8e1a9b7d4c2", `qop="auth"`, "algorithm=MD5"))),
	})
	ruleTest(t, "SA401", []ruleCase{
		{name: "ACK of the 200 answered with 407", creds: alice, fire: 1,
			pkts: challengedAck(h34Call{}, 407),
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{7}, "server "+srvAddr, 1)(t, fs)
				h34Severity(t, fs, finding.Medium)
				if fs[0].CallID != "call-0" {
					t.Errorf("Call-ID %q", fs[0].CallID)
				}
			}},
		{name: "ACK answered with 401 in two calls: folded", creds: alice, fire: 1,
			pkts:  flows(challengedAck(h34Call{ackAuth: h34Same, challengeStatus: 401}, 401), challengedAck(h34Call{t0: 60 * time.Second, n: 1, ackAuth: h34Same, challengeStatus: 401}, 401)),
			check: h34One([]int{7}, "server "+srvAddr, 2)},
		{name: "retransmitted ACK challenged again counts once", creds: alice, fire: 1, pkts: again,
			check: h34One([]int{7}, "server "+srvAddr, 1)},
		{name: "INVITE challenged, ACK of the 407 and of the 200 not", creds: alice, pkts: h34Call{ackAuth: h34Same}.pkts()},
		{name: "BYE challenged with 407", creds: alice, pkts: byePkts},
	})
}
