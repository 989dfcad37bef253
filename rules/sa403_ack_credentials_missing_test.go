package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA403(t *testing.T) {
	const nonce = "b1e8d2c47a9f03e65d1c8b7a2f4e6d9c0"
	// Some UAs compute a new digest for the ACK instead of copying the
	// INVITE's.
	forAck := answer{nonce: nonce, method: "ACK", uri: h34Callee, nc: 2}.String()
	// The INVITE's value again, with the parameters on folded lines.
	refolded := strings.ReplaceAll(answer{nonce: nonce, method: "INVITE", uri: h34Callee}.String(), ", ", ",\r\n  ")
	// An INVITE that is not challenged (the proxy trusts the UE), answered
	// 200 and ACKed without credentials.
	inv := req("INVITE", h34Callee, "call-0", 1, "i10", "User-Agent: Linphone/5.2.0")
	plain := []pkt{up(0, inv), down(time.Second, resp(200, "OK", inv)),
		up(time.Second+10*time.Millisecond, h34Tagged(req("ACK", h34Callee, "call-0", 1, "a10")))}
	// The INVITE's credentials are over a nonce the proxy no longer
	// takes: 407 with stale=true and a new nonce, the ACK of that 407
	// (without credentials: the INVITE was not authenticated), the
	// INVITE again over the new nonce, 200, and an ACK that repeats them.
	const nonce2 = "0f1b3d5c7e9a2b5f3c8e1a9b7d4c2e6a"
	stale := h34Call{}.pkts()[:4]
	_, inv2 := h34Call{}.invites()
	inv3 := req("INVITE", h34Callee, "call-0", 3, "i30", "User-Agent: Linphone/5.2.0",
		"Proxy-Authorization: "+answer{nonce: nonce2, method: "INVITE", uri: h34Callee}.String())
	ms := time.Millisecond
	stale = append(stale,
		down(40*ms, resp(407, "Proxy Authentication Required", inv2, "Proxy-Authenticate: "+chal(nonce2, `qop="auth"`, "algorithm=MD5", "stale=true"))),
		up(50*ms, h34Tagged(req("ACK", h34Callee, "call-0", 2, "i20"))),
		up(60*ms, inv3),
		down(time.Second, resp(200, "OK", inv3)),
		up(time.Second+10*ms, h34Tagged(req("ACK", h34Callee, "call-0", 3, "a30", "Proxy-Authorization: "+answer{nonce: nonce2, method: "INVITE", uri: h34Callee}.String()))))
	ruleTest(t, "SA403", []ruleCase{
		{name: "ACK of the 200 without Proxy-Authorization", creds: alice, fire: 1,
			pkts: h34Call{}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				// The 407, the INVITE with credentials, the 200, the ACK.
				h34One([]int{2, 4, 5, 6}, "client Linphone/5.2.0 server "+srvAddr, 1)(t, fs)
				h34Severity(t, fs, finding.Low)
				if !strings.Contains(fs[0].Message, "missing Proxy-Authorization") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "ACK with a digest of its own", creds: alice, fire: 1,
			pkts: h34Call{ackAuth: forAck}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				if !strings.Contains(fs[0].Message, "different Proxy-Authorization") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "ACK of a 486 without the credentials (non-2xx ACK)", creds: alice, fire: 1,
			pkts:  h34Call{status: 486}.pkts(),
			check: h34One([]int{2, 4, 5, 6}, "", 1)},
		{name: "UAS challenge (401): ACK without Authorization, two calls: folded", creds: alice, fire: 1,
			pkts: flows(h34Call{challengeStatus: 401}.pkts(), h34Call{t0: 60 * time.Second, n: 1, challengeStatus: 401}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{2, 4, 5, 6}, "client Linphone/5.2.0 server "+srvAddr, 2)(t, fs)
				if !strings.Contains(fs[0].Message, "missing Authorization") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		// The INVITE carries the UAS's Authorization too (after a 401 from
		// the callee); its ACK repeats only the Proxy-Authorization.
		{name: "ACK repeats one of the INVITE's two credentials", creds: alice, fire: 1, pkts: func() []pkt {
			ps := h34Call{ackAuth: h34Same}.pkts()
			uas := "Authorization: " + answer{realm: "bob.example.com", nonce: "uasnonce", method: "INVITE", uri: h34Callee}.String()
			ps[3].text = strings.Replace(ps[3].text, "Content-Length:", uas+"\r\nContent-Length:", 1)
			return ps
		}()},
		{name: "ACK repeats the Proxy-Authorization", creds: alice, pkts: h34Call{ackAuth: h34Same}.pkts()},
		{name: "ACK repeats the Proxy-Authorization, folded differently", creds: alice, pkts: h34Call{ackAuth: refolded}.pkts()},
		{name: "non-2xx ACK repeats the credentials", creds: alice, pkts: h34Call{status: 486, ackAuth: h34Same}.pkts()},
		{name: "INVITE not authenticated, ACK without credentials", creds: alice, pkts: plain},
		{name: "INVITE re-challenged (stale nonce), ACK of the 407 without credentials", creds: alice, pkts: stale},
	})
}
