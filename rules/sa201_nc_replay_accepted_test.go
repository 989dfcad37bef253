package rules

import (
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
	})
}
