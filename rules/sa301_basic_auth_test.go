package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA301(t *testing.T) {
	basic := h34Basic("alice", password)
	basicReg := register{challenge: `Basic realm="` + realm + `"`, auth: basic}
	uri := "sip:" + realm
	// A REGISTER with Basic credentials sent straight away (no challenge
	// in the capture), accepted.
	pre := req("REGISTER", uri, "reg-1", 1, "r10", "Expires: 600", "Authorization: "+basic)
	// A 401 offering Digest (SHA-256, MD5) and Basic; the UE answers Digest.
	mixed := register{challenge: chal("5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b0", `qop="auth"`, "algorithm=MD5") + `, Basic realm="` + realm + `"`}
	// A call: the proxy wants Digest, the UAS Basic; the INVITE carries
	// a Digest Proxy-Authorization and a Basic Authorization.
	call := h34Call{}
	_, second := call.invites()
	second = strings.Replace(second, "\r\nContent-Length", "\r\nAuthorization: "+basic+"\r\nContent-Length", 1)
	callPkts := call.pkts()
	callPkts[3].text = second
	callPkts[4].text = resp(200, "OK", second)
	ruleTest(t, "SA301", []ruleCase{
		{name: "Basic challenge answered with Basic credentials", creds: alice, fire: 2,
			pkts: basicReg.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h34Severity(t, fs, finding.Critical)
				keys := map[string][]int{}
				for _, f := range fs {
					keys[f.Key] = f.Frames
					if strings.Contains(f.Message, password) || strings.Contains(f.Message, basic[len("Basic "):]) {
						t.Errorf("the password in %q", f.Message)
					}
				}
				if got := keys["challenge server "+srvAddr]; len(got) != 1 || got[0] != 2 {
					t.Errorf("challenge finding frames %v, want [2] (keys %v)", got, keys)
				}
				if got := keys["credentials user alice server "+srvAddr]; len(got) != 1 || got[0] != 3 {
					t.Errorf("credentials finding frames %v, want [3] (keys %v)", got, keys)
				}
			}},
		{name: "Basic credentials without a challenge, twice: folded", creds: alice, fire: 1,
			pkts: flows(
				[]pkt{up(0, pre), down(10*time.Millisecond, resp(200, "OK", pre))},
				[]pkt{up(60*time.Second, strings.Replace(pre, "r10", "r11", 1)), down(60*time.Second+10*time.Millisecond, resp(200, "OK", strings.Replace(pre, "r10", "r11", 1)))}),
			check: h34One([]int{1}, "credentials user alice server "+srvAddr, 2)},
		{name: "401 offers Basic next to Digest, UE answers Digest", creds: alice, fire: 1,
			pkts:  mixed.pkts(),
			check: h34One([]int{2}, "challenge server "+srvAddr, 1)},
		{name: "Basic Authorization next to a Digest Proxy-Authorization", creds: alice, fire: 1,
			pkts:  callPkts,
			check: h34One([]int{4}, "credentials user alice server "+srvAddr, 1)},
		{name: "Digest challenge answered with Digest", creds: alice, pkts: register{}.pkts()},
		{name: "Digest call through a proxy, ACK repeats the credentials", creds: alice, pkts: h34Call{ackAuth: h34Same}.pkts()},
		{name: "401 with another non-Digest scheme (Bearer)", pkts: []pkt{
			up(0, req("REGISTER", uri, "reg-1", 1, "r10", "Expires: 600")),
			down(10*time.Millisecond, resp(401, "Unauthorized", req("REGISTER", uri, "reg-1", 1, "r10", "Expires: 600"),
				`WWW-Authenticate: Bearer realm="`+realm+`", scope="sip"`)),
		}},
	})
}

func TestContainsFoldASCII(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"Basic dXNlcjpwdw==", true}, {"BASIC x", true}, {"  bAsIc x", true}, {"Digest username=\"basic\"", true},
		{"Digest username=\"alice\"", false}, {"Basi", false}, {"", false},
		{"Digest nonce=\"abcdef0123456789bb\", realm=\"b\"", false}, {"Digest nonce=\"abcdef0123456789\", x=BaSiC", true},
		{"Digest nonce=\"0123456789abcdefb\", bbasic", true},
	} {
		if got := containsFoldASCII(c.s, "basic"); got != c.want {
			t.Errorf("containsFoldASCII(%q) = %v", c.s, got)
		}
		if got := mayBeBasic(c.s); got != c.want {
			t.Errorf("mayBeBasic(%q) = %v", c.s, got)
		}
	}
	// Whatever digest.Auth.IsBasic would call Basic passes the filter.
	if !mayBeBasic("Ba\u017Fic dXNlcjpwdw==") || !mayBeBasic("Digest username=\"\u00e9\"") || !mayBeBasic("Digest username=\"alice\", x=\u00e9") {
		t.Error("mayBeBasic refuses a non-ASCII value")
	}
}
