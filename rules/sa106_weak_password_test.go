package rules

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

func TestSA106(t *testing.T) {
	auth := func(user, pw string, n int) string {
		return answer{user: user, pw: pw, nonce: h12nonce(n), method: "REGISTER", uri: h12regURI}.String()
	}
	const weak = "Summer2024!"
	words := []string{"123456", "password", "qwerty", weak, "letmein"}
	noPassword := func(pw string) func(t *testing.T, fs []*finding.Finding) {
		return func(t *testing.T, fs []*finding.Finding) {
			for _, f := range fs {
				if strings.Contains(f.Message, pw) {
					t.Errorf("the password in %q", f.Message)
				}
			}
		}
	}
	weakAlice := []analyzer.Credential{{Username: "alice", Realm: realm, Secret: digest.Secret{Password: []byte(weak)}}}
	ruleTest(t, "SA106", []ruleCase{
		{name: "password in the wordlist", cfg: Config{Crack: h12crack(words...)}, fire: 1,
			pkts: register{auth: auth("alice", weak, 0)}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.High, "alice", 1)
				if !strings.Contains(fs[0].Message, "wordlist") || !strings.Contains(fs[0].Message, "(11 characters)") {
					t.Errorf("message %q", fs[0].Message)
				}
				noPassword(weak)(t, fs)
			}},
		{name: "two users, one in the wordlist, with credentials known", creds: weakAlice, cfg: Config{Crack: h12crack(words...)}, fire: 1,
			pkts: flows(register{auth: auth("alice", weak, 0)}.pkts(),
				h12impu("sip:bob@"+realm, register{t0: 5e9, n: 1, callID: "reg-2", auth: auth("bob", "x7#Kq9!mZp2$Lw4v", 1)}.pkts())),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12check(t, fs[0], finding.High, "alice", 1)
				noPassword(weak)(t, fs)
			}},
		{name: "password equals the username", fire: 1,
			pkts: register{auth: auth("alice", "alice", 0)}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 3, 4)
				h12check(t, fs[0], finding.High, "alice", 1)
				if !strings.Contains(fs[0].Message, "equals the username (5 characters)") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "password equals the realm", fire: 1,
			pkts: register{auth: auth("alice", realm, 0)}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				if !strings.Contains(fs[0].Message, "equals the realm") {
					t.Errorf("message %q", fs[0].Message)
				}
			}},
		{name: "IMS: password equals the user part of the IMPU, not the IMPI", fire: 1,
			pkts: h12impu("sip:+15551234567@"+realm, register{auth: auth("2620112345@ims."+realm, "+15551234567", 0)}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				if !strings.Contains(fs[0].Message, "the user part of the IMPU") || fs[0].Username != "2620112345@ims."+realm {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "a scanner's guess rejected, then the user's own weak password accepted", fire: 1,
			pkts: flows(register{auth: auth("alice", "123456", 0), status: 403}.pkts(),
				register{t0: 5e9, n: 1, auth: auth("alice", "alice", 1)}.pkts()),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 6, 7, 8)
			}},
		{name: "INVITE: password equals the realm", fire: 1,
			pkts: h12call{auth: answer{pw: realm, nonce: "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", method: "INVITE", uri: "sip:bob@" + realm}.String()}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2, 4, 5)
			}},
		{name: "INVITE: password happens to be the callee's number, not the caller's identity",
			pkts: h12call{uri: "sip:4711@" + realm, auth: answer{pw: "4711", nonce: "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c", method: "INVITE", uri: "sip:4711@" + realm}.String()}.pkts()},
		{name: "strong password, wordlist without it", cfg: Config{Crack: h12crack(words...)},
			pkts: register{}.pkts()},
		{name: "password in the wordlist but no wordlist given",
			pkts: register{auth: auth("alice", weak, 0)}.pkts()},
		{name: "password is the username plus digits (not trivial, no wordlist)",
			pkts: register{auth: auth("alice", "alice2024", 0)}.pkts()},
		{name: "a scanner guesses the username as password and is refused", creds: alice,
			pkts: register{auth: auth("alice", "alice", 0), status: 403}.pkts()},
		{name: "a scanner's wordlist guess is refused", cfg: Config{Crack: h12crack(words...)},
			pkts: flows(register{auth: auth("alice", "qwerty", 0), status: 401,
				final: []string{"WWW-Authenticate: " + chal(h12nonce(1), `qop="auth"`)}}.pkts())},
	})
}
