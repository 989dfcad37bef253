package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA503(t *testing.T) {
	uri := "sip:" + realm
	const (
		// base64 RAND||AUTN nonces of two AKA challenges.
		n1 = "I1U8vl7nT4q+Aowv9qKNQVXzKLQ1d7m5Sp/6w1Tfr7M="
		n2 = "mot8bV5PP+4bKjlMXW6Nj1Xzuy9Vc3u5Sp/6w1Tfr7M="
	)
	akaChal := func(nonce string) string { return chal(nonce, "algorithm=AKAv1-MD5", `qop="auth"`) }
	creds := func(user, nonce, response string, extra ...string) string {
		v := `Authorization: Digest username="` + user + `", realm="` + realm + `", nonce="` + nonce + `", uri="` + uri +
			`", response="` + response + `", algorithm=AKAv1-MD5, qop=auth, nc=00000001, cnonce="0a4f113b"`
		for _, e := range extra {
			v += ", " + e
		}
		return v
	}
	// aka is one IMS AKA round of user's UE: REGISTER (IMPI, empty
	// response) / 401 AKA (nonce) / REGISTER answering with the given
	// extra parameters and response / final answer.
	aka := func(t0 time.Duration, user, callID, nonce, response string, final int, extra ...string) []pkt {
		first := reqFrom(user, ueAddr, "REGISTER", uri, callID, 1, callID+"a", "Expires: 600000",
			`Authorization: Digest username="`+user+`@example.com", realm="example.com", nonce="", uri="sip:example.com", response=""`)
		second := reqFrom(user, ueAddr, "REGISTER", uri, callID, 2, callID+"b", "Expires: 600000", creds(user+"@example.com", nonce, response, extra...))
		reason := map[int]string{200: "OK", 401: "Unauthorized"}[final]
		var last string
		if final == 401 {
			last = resp(401, reason, second, "WWW-Authenticate: "+akaChal(n2))
		} else {
			last = resp(final, reason, second)
		}
		return []pkt{
			up(t0, first),
			down(t0+10*time.Millisecond, resp(401, "Unauthorized", first, "WWW-Authenticate: "+akaChal(nonce))),
			up(t0+20*time.Millisecond, second),
			down(t0+30*time.Millisecond, last),
		}
	}
	const (
		resp1 = "5c8b9e2a7d3f4b1c9a6e0d2f8b7c3a15" // over the empty password (RFC 3310 3.4)
		res   = "a54211d5e3ba50bf6c0d5e2f1a3b4c7d"
		auts  = `auts="8LCyRwOmoXuDH+hLOE8="`
	)

	ruleTest(t, "SA503", []ruleCase{
		{name: "one synchronization failure after a SIM swap", fire: 1,
			pkts: aka(0, "alice", "aka-1", n1, resp1, 401, auts),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 2, 3, 4) || f.Severity != finding.Low || f.Count != 1 || f.Key != "user alice@example.com" {
					t.Errorf("finding %+v, want low, frames [2 3 4] (challenge, auts, answer)", f)
				}
			}},
		{name: "repeated synchronization failures for one IMPI: medium", fire: 1,
			pkts: flows(aka(0, "alice", "aka-1", n1, resp1, 401, auts), aka(30*time.Second, "alice", "aka-2", n2, resp1, 401, auts),
				aka(60*time.Second, "alice", "aka-3", n1, resp1, 401, auts)),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if f.Severity != finding.Medium || f.Count != 3 || !h56Frames(f.Frames, 2, 3, 4) {
					t.Errorf("finding %+v, want medium, count 3, first frames [2 3 4]", f)
				}
			}},
		{name: "one synchronization failure each for two IMPIs: two low", fire: 2,
			pkts: flows(aka(0, "alice", "aka-1", n1, resp1, 401, auts), aka(30*time.Second, "bob", "aka-b", n2, resp1, 401, auts)),
			check: func(t *testing.T, fs []*finding.Finding) {
				for _, f := range fs {
					if f.Severity != finding.Low || f.Count != 1 {
						t.Errorf("finding %+v, want low once", f)
					}
				}
			}},
		{name: "AKA authentication with RES, no auts", pkts: aka(0, "alice", "aka-1", n1, res, 200)},
		{name: "network authentication failure (empty response, no auts)", pkts: aka(0, "alice", "aka-1", n1, "", 401)},
	})
}
