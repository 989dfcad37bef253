package rules

import (
	"strings"
	"testing"
)

func TestSA201(t *testing.T) {
	const n = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0"
	uri := "sip:" + realm
	// A re-REGISTER on the same nonce with nc 1 again (a verbatim replay),
	// or with nc 2 (fine).
	again := func(nc uint32, status int) []pkt {
		r := req("REGISTER", uri, "reg-1", 3, "r3", "Expires: 600", "Authorization: "+answer{nonce: n, method: "REGISTER", uri: uri, nc: nc}.String())
		reason := map[int]string{200: "OK", 401: "Unauthorized", 403: "Forbidden"}[status]
		return []pkt{up(30e9, r), down(30e9+1e7, resp(status, reason, r))}
	}
	ruleTest(t, "SA201", []ruleCase{
		{name: "nc 1 replayed, accepted, with credentials", creds: alice, fire: 1, pkts: flows(register{}.pkts(), again(1, 200))},
		{name: "nc 1 replayed, accepted, no credentials", fire: 1, pkts: flows(register{}.pkts(), again(1, 200))},
		{name: "nc 2, accepted", creds: alice, pkts: flows(register{}.pkts(), again(2, 200))},
		{name: "nc 1 replayed, rejected", creds: alice, pkts: flows(register{}.pkts(), again(1, 403))},
		// A capture on two links: the proxy at srvAddr forwards the
		// authenticated REGISTER, credentials unchanged, to the registrar.
		// The copy is the same exchange on another hop, not a replay.
		{name: "the same REGISTER forwarded by a proxy", creds: alice, pkts: forwarded(register{}.pkts())},
	})
}

// forwarded adds, after the third packet of a registration (the
// REGISTER with credentials, from the UE to the proxy at srvAddr), its
// copy forwarded by the proxy to a registrar (one more Via), and the
// registrar's 200 back to the proxy.
func forwarded(ps []pkt) []pkt {
	const registrar = "198.51.100.9:5060"
	r := ps[2].text
	start, rest, _ := strings.Cut(r, "\r\n")
	copyReq := start + "\r\nVia: SIP/2.0/UDP " + srvAddr + ";branch=z9hG4bKproxy1\r\n" + rest
	out := append([]pkt(nil), ps[:3]...)
	out = append(out,
		pkt{ps[2].at + 2e6, srvAddr, registrar, copyReq, ps[2].tr},
		pkt{ps[2].at + 5e6, registrar, srvAddr, resp(200, "OK", copyReq), ps[2].tr})
	return append(out, ps[3:]...)
}
