package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA402(t *testing.T) {
	ms := time.Millisecond
	// The authenticated INVITE rings, and the caller hangs up: CANCEL
	// (same branch and CSeq number as the INVITE), answered cancelStatus;
	// when the CANCEL is accepted the INVITE ends with 487 and its ACK.
	cancelled := func(c h34Call, cancelStatus int, hdr string) []pkt {
		ps := c.pkts()[:4]
		_, inv := c.invites()
		n := itoa(c.n)
		cancel := req("CANCEL", h34Callee, c.id(), 2*c.n+2, "i2"+n)
		ring := resp(180, "Ringing", inv)
		reason := map[int]string{200: "OK", 401: "Unauthorized", 407: "Proxy Authentication Required", 481: "Call/Transaction Does Not Exist"}[cancelStatus]
		var extra []string
		if hdr != "" {
			extra = append(extra, hdr+": "+chal("d5c7e9a2b5f3c8e1a9b7d4c2e6a0f1b3"+n, `qop="auth"`, "algorithm=MD5"))
		}
		ps = append(ps,
			down(c.t0+100*ms, ring),
			up(c.t0+3*time.Second, cancel),
			down(c.t0+3*time.Second+10*ms, resp(cancelStatus, reason, cancel, extra...)))
		if cancelStatus == 200 {
			ps = append(ps,
				down(c.t0+3*time.Second+20*ms, resp(487, "Request Terminated", inv)),
				up(c.t0+3*time.Second+30*ms, h34Tagged(req("ACK", h34Callee, c.id(), 2*c.n+2, "i2"+n, "Proxy-Authorization: "+answer{nonce: c.nonceValue(), method: "INVITE", uri: h34Callee}.String()))))
		}
		return ps
	}
	ruleTest(t, "SA402", []ruleCase{
		{name: "CANCEL of a ringing call answered with 407", creds: alice, fire: 1,
			pkts: cancelled(h34Call{}, 407, "Proxy-Authenticate"),
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{7}, "server "+srvAddr, 1)(t, fs)
				h34Severity(t, fs, finding.Medium)
			}},
		{name: "CANCEL answered with 401 in two calls: folded", creds: alice, fire: 1,
			pkts:  flows(cancelled(h34Call{}, 401, "WWW-Authenticate"), cancelled(h34Call{t0: 60 * time.Second, n: 1}, 401, "WWW-Authenticate")),
			check: h34One([]int{7}, "server "+srvAddr, 2)},
		{name: "CANCEL accepted, INVITE ends with 487", creds: alice, pkts: cancelled(h34Call{}, 200, "")},
		{name: "CANCEL after the call was answered: 481", creds: alice, pkts: cancelled(h34Call{}, 481, "")},
		{name: "the INVITE challenged, not the CANCEL", creds: alice, pkts: h34Call{ackAuth: h34Same}.pkts()},
	})
}
