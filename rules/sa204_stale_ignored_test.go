package rules

import (
	"testing"

	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

func TestSA204(t *testing.T) {
	n := h12nonce(0)
	const next = "a8d3f1c7e2b94d6f8e0c1b2a3d4e5f60"
	const shaNonce = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	const late = 400e9 // past the 300 s nonce lifetime
	staleAgain := "WWW-Authenticate: " + chal(next, `qop="auth"`, "algorithm=MD5", "stale=true")
	old := func(c uint32) string { return answer{nonce: n, method: "REGISTER", uri: h12regURI, nc: c}.String() }
	fresh := answer{nonce: next, method: "REGISTER", uri: h12regURI}.String()
	stale := flows(register{}.pkts(), h12reregister(late, 3, "r3", old(2), 401, staleAgain))
	ruleTest(t, "SA204", []ruleCase{
		{name: "no retry after stale=true; the UE's keep-alives go on", creds: alice, fire: 1,
			pkts: flows(stale, h12options(late+60e9, "k1")),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 6)
				h12check(t, fs[0], finding.Low, "alice", 1)
				if fs[0].Key != "client 10.0.0.1 server "+srvAddr {
					t.Errorf("key %q", fs[0].Key)
				}
			}},
		{name: "retry with the old nonce again instead of the new one", fire: 1,
			pkts: flows(stale, h12reregister(late+1e9, 4, "r4", old(3), 403), h12options(late+60e9, "k1"))},
		{name: "retry with the new nonce", creds: alice,
			pkts: flows(stale, h12reregister(late+1e9, 4, "r4", fresh, 200), h12options(late+60e9, "k1"))},
		{name: "stale=true with SHA-256 and MD5 challenges, retry answers the SHA-256 one", creds: alice,
			pkts: flows(register{}.pkts(),
				h12reregister(late, 3, "r3", old(2), 401,
					"WWW-Authenticate: "+chal(shaNonce, `qop="auth"`, "algorithm=SHA-256", "stale=true"),
					"WWW-Authenticate: "+chal(next, `qop="auth"`, "algorithm=MD5", "stale=true")),
				h12reregister(late+1e9, 4, "r4", answer{alg: digest.SHA256, nonce: shaNonce, method: "REGISTER", uri: h12regURI}.String(), 200),
				h12options(late+60e9, "k1"))},
		{name: "stale=true with SHA-256 and MD5 challenges, no retry: one finding", creds: alice, fire: 1,
			pkts: flows(register{}.pkts(),
				h12reregister(late, 3, "r3", old(2), 401,
					"WWW-Authenticate: "+chal(shaNonce, `qop="auth"`, "algorithm=SHA-256", "stale=true"),
					"WWW-Authenticate: "+chal(next, `qop="auth"`, "algorithm=MD5", "stale=true")),
				h12options(late+60e9, "k1")),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12check(t, fs[0], finding.Low, "alice", 1)
			}},
		{name: "no retry, but the capture ends within the window", creds: alice,
			pkts: flows(stale, h12options(late+10e9, "k1"))},
		{name: "no retry after a challenge without stale (a wrong password)", creds: alice,
			pkts: flows(register{}.pkts(), h12reregister(late, 3, "r3", old(2), 401, "WWW-Authenticate: "+chal(next, `qop="auth"`)),
				h12options(late+60e9, "k1"))},
	})
}
