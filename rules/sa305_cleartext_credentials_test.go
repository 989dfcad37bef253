package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/finding"
)

func TestSA305(t *testing.T) {
	uri := "sip:" + realm
	// The IMS initial REGISTER (TS 24.229 5.1.1.2): an Authorization with
	// the IMPI, an empty nonce and response, nothing to attack.
	initial := req("REGISTER", uri, "reg-1", 1, "r10", "Expires: 600",
		`Authorization: Digest username="alice", realm="`+realm+`", nonce="", uri="`+uri+`", response=""`)
	initialPkts := []pkt{up(0, initial), down(10*time.Millisecond, resp(401, "Unauthorized", initial,
		"WWW-Authenticate: "+chal("5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0", `qop="auth"`, "algorithm=MD5")))}
	ruleTest(t, "SA305", []ruleCase{
		{name: "digest registration over UDP, twice: folded", creds: alice, fire: 1,
			pkts: flows(register{}.pkts(), register{t0: 60 * time.Second, n: 1}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{2, 3, 4}, "server "+srvAddr+" transport udp", 2)(t, fs)
				h34Severity(t, fs, finding.Low)
			}},
		{name: "WebRTC client over plain WebSocket", creds: alice, fire: 1,
			pkts:  h34Over(capture.WS, register{}.pkts()),
			check: h34One([]int{2, 3, 4}, "server "+srvAddr+" transport ws", 1)},
		{name: "authenticated INVITE over TCP", creds: alice, fire: 1,
			pkts:  h34Over(capture.TCP, h34Call{ackAuth: h34Same}.pkts()),
			check: h34One([]int{2, 4, 5}, "server "+srvAddr+" transport tcp", 1)},
		{name: "digest registration over TLS", creds: alice, pkts: h34Over(capture.TLS, register{}.pkts())},
		{name: "WebRTC client over secure WebSocket", creds: alice, pkts: h34Over(capture.WSS, register{}.pkts())},
		{name: "IMS initial REGISTER with an empty response over UDP", creds: alice, pkts: initialPkts},
		{name: "Basic credentials over UDP (SA301's)", creds: alice,
			pkts: register{challenge: `Basic realm="` + realm + `"`, auth: h34Basic("alice", password)}.pkts()},
	})
}
