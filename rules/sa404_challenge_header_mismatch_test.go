package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA404(t *testing.T) {
	const n = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0"
	uri := "sip:" + realm
	first := req("REGISTER", uri, "reg-1", 1, "r10", "Expires: 600")
	// A REGISTER answered status with the given header lines.
	answered := func(at time.Duration, branch string, status int, extra ...string) []pkt {
		r := req("REGISTER", uri, "reg-1", 1, branch, "Expires: 600")
		reason := map[int]string{401: "Unauthorized", 403: "Forbidden", 407: "Proxy Authentication Required"}[status]
		return []pkt{up(at, r), down(at+10*time.Millisecond, resp(status, reason, r, extra...))}
	}
	inv := req("INVITE", h34Callee, "call-0", 1, "i10")
	ruleTest(t, "SA404", []ruleCase{
		{name: "401 without WWW-Authenticate", creds: alice, fire: 1,
			pkts: []pkt{up(0, first), down(10*time.Millisecond, resp(401, "Unauthorized", first))},
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{2}, "server "+srvAddr+" status 401", 1)(t, fs)
				h34Severity(t, fs, finding.Medium)
			}},
		{name: "407 to an INVITE with WWW-Authenticate (swapped)", creds: alice, fire: 1,
			pkts: []pkt{up(0, inv), down(10*time.Millisecond, resp(407, "Proxy Authentication Required", inv,
				"WWW-Authenticate: "+chal(n, `qop="auth"`, "algorithm=MD5")))},
			check: func(t *testing.T, fs []*finding.Finding) {
				h34One([]int{2}, "server "+srvAddr+" status 407", 1)(t, fs)
				if want := "WWW-Authenticate instead of Proxy-Authenticate"; !strings.Contains(fs[0].Message, want) {
					t.Errorf("message %q, want %q", fs[0].Message, want)
				}
			}},
		{name: "401 with Proxy-Authenticate, twice: folded", creds: alice, fire: 1,
			pkts: flows(answered(0, "r10", 401, "Proxy-Authenticate: "+chal(n, `qop="auth"`)),
				answered(60*time.Second, "r11", 401, "Proxy-Authenticate: "+chal(n[:len(n)-1]+"1", `qop="auth"`))),
			check: h34One([]int{2}, "server "+srvAddr+" status 401", 2)},
		{name: "401 with WWW-Authenticate", creds: alice, pkts: register{}.pkts()},
		{name: "407 with Proxy-Authenticate", creds: alice, pkts: h34Call{ackAuth: h34Same}.pkts()},
		{name: "401 with both headers", creds: alice,
			pkts: answered(0, "r10", 401, "WWW-Authenticate: "+chal(n, `qop="auth"`), "Proxy-Authenticate: "+chal(n, `qop="auth"`))},
		{name: "403 without a challenge", creds: alice, pkts: answered(0, "r10", 403)},
	})
}
