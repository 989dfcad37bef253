package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA602(t *testing.T) {
	uri := "sip:" + realm
	const nonce = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b"
	// probe is one svwar-style probe: a REGISTER for an extension from
	// host, answered with a challenge when the account exists, or with
	// the given status when it does not.
	probe := func(at time.Duration, n int, ext, host string, exists bool, unknown int) []pkt {
		r := reqFrom(ext, host, "REGISTER", uri, "enum-"+itoa(n), 1, "e"+itoa(n), "User-Agent: Zoiper rv2.10")
		a := resp(unknown, map[int]string{404: "Not Found", 403: "Forbidden", 604: "Does Not Exist Anywhere"}[unknown], r)
		if exists {
			a = resp(401, "Unauthorized", r, "WWW-Authenticate: "+chal(nonce+itoa(n), `qop="auth"`))
		}
		return []pkt{up(at, r).from(host, srvAddr), down(at+5*time.Millisecond, a).from(srvAddr, host)}
	}
	// sweep probes count extensions 100, 101, ... from host; the ones in
	// known exist.
	sweep := func(count int, host string, unknown int, known ...int) []pkt {
		var ps []pkt
		for i := range count {
			exists := false
			for _, k := range known {
				exists = exists || k == i
			}
			ps = append(ps, probe(time.Duration(i)*200*time.Millisecond, i, itoa(100+i), host, exists, unknown)...)
		}
		return ps
	}

	ruleTest(t, "SA602", []ruleCase{
		{name: "ten extensions probed, 401 for existing and 404 for unknown ones", fire: 1,
			pkts: sweep(10, h56Attacker, 404, 3, 7),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 2, 20) || f.Severity != finding.Medium || f.Key != "source 192.0.2.66" || f.Client != h56Attacker {
					t.Errorf("finding %+v, want the first answer and the tenth [2 20]", f)
				}
			}},
		// A source is tracked from its first "no such user" answer: the
		// probe of the first, existing, user does not count.
		{name: "four extensions with threshold 3, 604 for unknown", cfg: Config{EnumerationUsers: 3}, fire: 1,
			pkts: sweep(4, h56Attacker, 604, 0, 2),
			check: func(t *testing.T, fs []*finding.Finding) {
				if !strings.Contains(fs[0].Message, "at least 3 users") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "twenty extensions probed: reported once", fire: 1,
			pkts: sweep(20, h56Attacker, 404, 1, 15),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 1 {
					t.Errorf("count %d, want 1", fs[0].Count)
				}
			}},
		{name: "ten extensions probed, the server challenges every one alike", pkts: sweep(10, h56Attacker, 404, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{name: "ten extensions probed, every one unknown (404)", pkts: sweep(10, h56Attacker, 404)},
		{name: "nine extensions probed, answers differ, below the threshold", pkts: sweep(9, h56Attacker, 404, 3)},
		{name: "ten extensions from ten hosts, answers differ", pkts: func() []pkt {
			var ps []pkt
			for i := range 10 {
				ps = append(ps, probe(time.Duration(i)*time.Second, i, itoa(100+i), "192.0.2."+itoa(10+i)+":5060", i%2 == 0, 404)...)
			}
			return ps
		}()},
	})
}
