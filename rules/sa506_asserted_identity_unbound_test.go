package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA506(t *testing.T) {
	// alice registers from 10.0.0.1:5060 (frames 1-4); the 200 returns
	// her implicit registration set.
	registered := register{final: []string{"Contact: <sip:alice@" + ueAddr + ">;expires=600",
		"P-Associated-URI: <sip:alice@example.com>, <tel:+15551230001>"}}.pkts()
	invite := func(at time.Duration, src string, n int, pai string, extra ...string) pkt {
		i := reqFrom("alice", src, "INVITE", "sip:bob@"+realm, "call-"+itoa(n), 1, "i"+itoa(n),
			append([]string{"P-Asserted-Identity: " + pai, "Content-Type: application/sdp"}, extra...)...)
		return up(at, i).from(src, srvAddr)
	}

	ruleTest(t, "SA506", []ruleCase{
		{name: "registered UE asserts someone else's identity", creds: alice, fire: 1,
			pkts: flows(registered, []pkt{invite(10*time.Second, ueAddr, 1, `"Bob" <sip:bob@example.com>`)}),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 5) || f.Severity != finding.High || f.Key != "identity sip:bob@example.com source "+ueAddr || f.Client != ueAddr {
					t.Errorf("finding %+v, want the INVITE's frame [5]", f)
				}
			}},
		{name: "unregistered host asserts alice, twice: folded", creds: alice, fire: 1,
			pkts: flows(registered, []pkt{invite(10*time.Second, h56Attacker, 1, "<sip:alice@example.com>"),
				invite(20*time.Second, h56Attacker, 2, "<sip:alice@example.com>")}),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 2 || !h56Frames(fs[0].Frames, 5) {
					t.Errorf("finding %+v, want count 2, first frame [5]", fs[0])
				}
			}},
		{name: "same host, another port than the one registered", creds: alice, fire: 1,
			pkts: flows(registered, []pkt{invite(10*time.Second, "10.0.0.1:5062", 1, "<sip:alice@example.com>")})},
		// alice de-registers (the 200 lists no binding), then still
		// asserts her identity from there.
		{name: "de-registered UE asserts its former IMPU", creds: alice, fire: 1,
			pkts: flows(registered, register{t0: 5 * time.Second, n: 1, final: nil}.pkts()[2:], []pkt{invite(10*time.Second, ueAddr, 1, "<sip:alice@example.com>")})},
		{name: "registered UE asserts its own IMPU", creds: alice,
			pkts: flows(registered, []pkt{invite(10*time.Second, ueAddr, 1, `"Alice" <sip:alice@example.com;user=phone>`)})},
		{name: "registered UE asserts an implicitly registered tel URI", creds: alice,
			pkts: flows(registered, []pkt{invite(10*time.Second, ueAddr, 1, "<tel:+15551230001>")})},
		{name: "request relayed by a proxy (two Vias) asserting the caller", creds: alice,
			pkts: flows(registered, []pkt{up(10*time.Second, msg("INVITE sip:bob@"+realm+" SIP/2.0", []string{
				"Via: SIP/2.0/UDP " + proxyAddr + ";branch=z9hG4bKpx1",
				"Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKue9",
				"Max-Forwards: 69",
				"From: <sip:carol@example.com>;tag=caroltag",
				"To: <sip:bob@example.com>",
				"Call-ID: call-9", "CSeq: 1 INVITE",
				"Contact: <sip:carol@10.0.0.9:5060>",
				"P-Asserted-Identity: <sip:carol@example.com>",
			}, "")).from(proxyAddr, srvAddr)})},
		// A B2BUA or trunk (one Via: it originates its leg) asserting its
		// callers toward a server that is no registrar: network elements
		// assert identities (the Avaya corpus capture is such traffic).
		{name: "B2BUA asserts its callers to a server that registers nobody",
			pkts: []pkt{invite(0, proxyAddr, 1, "<sip:carol@example.com>"), invite(time.Second, proxyAddr, 2, "<sip:dave@example.com>")}},
		{name: "registration rejected (403), then the UE asserts alice anyway", creds: alice, fire: 1,
			pkts: flows(register{auth: answer{pw: "wrong", nonce: "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0", method: "REGISTER", uri: "sip:" + realm}.String(), status: 403}.pkts(),
				[]pkt{invite(10*time.Second, ueAddr, 1, "<sip:alice@example.com>")})},
	})
}
