package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA601(t *testing.T) {
	uri := "sip:" + realm
	const nonce = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b"
	// guess is one password guess by user from host: REGISTER / 401 /
	// REGISTER with a wrong password / final (403, or with stale a 401
	// stale=true, which is no failure).
	guess := func(t0 time.Duration, n int, user, from string, stale bool) []pkt {
		id := itoa(n)
		callID := "bf-" + id
		first := reqFrom(user, from, "REGISTER", uri, callID, 1, "g1"+id, "Expires: 600")
		second := reqFrom(user, from, "REGISTER", uri, callID, 2, "g2"+id, "Expires: 600",
			"Authorization: "+answer{user: user, pw: "guess-" + id, nonce: nonce + id, method: "REGISTER", uri: uri}.String())
		last := resp(403, "Forbidden", second)
		if stale {
			last = resp(401, "Unauthorized", second, "WWW-Authenticate: "+chal(nonce+id+"s", `qop="auth"`, "stale=true"))
		}
		return []pkt{
			up(t0, first).from(from, srvAddr),
			down(t0+10*time.Millisecond, resp(401, "Unauthorized", first, "WWW-Authenticate: "+chal(nonce+id, `qop="auth"`))).from(srvAddr, from),
			up(t0+20*time.Millisecond, second).from(from, srvAddr),
			down(t0+30*time.Millisecond, last).from(srvAddr, from),
		}
	}
	// burst is count guesses, every gap, for the users from the hosts
	// (cycled).
	burst := func(count int, gap time.Duration, users, hosts []string, stale bool) []pkt {
		var ps []pkt
		for i := range count {
			ps = append(ps, guess(time.Duration(i)*gap, i, users[i%len(users)], hosts[i%len(hosts)], stale)...)
		}
		return ps
	}
	one := []string{"alice"}
	attacker := []string{h56Attacker}

	ruleTest(t, "SA601", []ruleCase{
		{name: "five wrong passwords for alice from one host in 10 s: one finding", creds: alice, fire: 1,
			pkts: burst(5, 2*time.Second, one, attacker, false),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 3, 7, 11, 15, 18, 19, 20) || f.Severity != finding.High || f.Count != 1 ||
					!f.Time.Equal(base.Add(20*time.Millisecond)) || f.Key != "user alice "+realm {
					t.Errorf("finding %+v, want the five guesses [3 7 11 15 18 19 20] from the first at 20 ms", f)
				}
			}},
		{name: "credential stuffing: five users from one host", fire: 1,
			pkts: burst(5, time.Second, []string{"alice", "bob", "carol", "dave", "erin"}, attacker, false),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Key != "source 192.0.2.66" {
					t.Errorf("key %q, want the source", fs[0].Key)
				}
			}},
		{name: "distributed guessing: alice from five hosts", creds: alice, fire: 1,
			pkts: burst(5, time.Second, one, []string{"192.0.2.61:5060", "192.0.2.62:5060", "192.0.2.63:5060", "192.0.2.64:5060", "192.0.2.65:5060"}, false)},
		{name: "two bursts a quarter hour apart: folded", creds: alice, fire: 1,
			pkts: flows(burst(5, time.Second, one, attacker, false),
				func() []pkt {
					var ps []pkt
					for i := range 5 {
						ps = append(ps, guess(15*time.Minute+time.Duration(i)*time.Second, 10+i, "alice", h56Attacker, false)...)
					}
					return ps
				}()),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 2 {
					t.Errorf("count %d, want 2 bursts folded", fs[0].Count)
				}
			}},
		{name: "threshold 3 (configured)", creds: alice, cfg: Config{BruteForceCount: 3}, fire: 1,
			pkts: burst(3, time.Second, one, attacker, false)},
		{name: "four failures, one short of the threshold", creds: alice, pkts: burst(4, time.Second, one, attacker, false)},
		{name: "five failures spread over five minutes", creds: alice, pkts: burst(5, 70*time.Second, one, attacker, false)},
		{name: "five stale=true re-challenges are no failures", creds: alice, pkts: burst(5, time.Second, one, attacker, true)},
	})
}
