package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA105(t *testing.T) {
	right := answer{nonce: h12nonce(0), method: "REGISTER", uri: h12regURI}.String()
	info := func(v string) []string { return []string{"Authentication-Info: " + v} }
	ruleTest(t, "SA105", []ruleCase{
		{name: "rspauth computed with another password (an impostor registrar)", creds: alice, fire: 1,
			pkts: register{final: info(h12authInfo(right, "guessed"))}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.High, "alice", 1)
				if strings.Contains(fs[0].Message, password) {
					t.Errorf("password in %q", fs[0].Message)
				}
			}},
		{name: "the server echoes the client's response as rspauth", creds: alice, fire: 1,
			pkts: register{final: info(`qop=auth, rspauth="` + h12creds(right).Response + `", cnonce="0a4f113b", nc=00000001`)}.pkts()},
		{name: "right rspauth but another cnonce", creds: alice, fire: 1,
			pkts: register{final: info(strings.Replace(h12authInfo(right, password), `cnonce="0a4f113b"`, `cnonce="deadbeef"`, 1))}.pkts()},
		{name: "right rspauth", creds: alice,
			pkts: register{final: info(h12authInfo(right, password))}.pkts()},
		{name: "wrong rspauth, but no credentials known",
			pkts: register{final: info(h12authInfo(right, "guessed"))}.pkts()},
		{name: "no rspauth at all (SA104, not this)", creds: alice,
			pkts: register{}.pkts()},
	})
}
