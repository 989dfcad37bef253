package rules

import (
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

func TestSA507(t *testing.T) {
	uri := "sip:" + realm
	const nonce = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b"
	// A password change: the HSS holds the old password (first row) and
	// the new one (second row) until the new one has worked (N.2.5).
	changed := []analyzer.Credential{
		{Username: "alice", Realm: realm, Secret: digest.Secret{Password: []byte("Old-Passw0rd")}},
		{Username: "alice", Realm: realm, Secret: digest.Secret{Password: []byte("New-Passw0rd")}},
	}
	with := func(n int, pw string, status int) []pkt {
		return register{t0: time.Duration(n) * 120 * time.Second, n: n, status: status,
			auth: answer{pw: pw, nonce: nonce + itoa(n), method: "REGISTER", uri: uri}.String()}.pkts()
	}

	ruleTest(t, "SA507", []ruleCase{
		{name: "old, new, then old again accepted", creds: changed, fire: 1,
			pkts: flows(with(0, "Old-Passw0rd", 200), with(1, "New-Passw0rd", 200), with(2, "Old-Passw0rd", 200)),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 10, 11, 12) || f.Severity != finding.Medium || f.Exchange != "e3" ||
					f.Username != "alice" || f.Key != "user alice "+realm {
					t.Errorf("finding %+v, want exchange e3, frames [10 11 12] (challenge, old password, 200)", f)
				}
			}},
		{name: "new password used, then the old one accepted twice: folded", creds: changed, fire: 1,
			pkts: flows(with(0, "New-Passw0rd", 200), with(1, "Old-Passw0rd", 200), with(2, "Old-Passw0rd", 200)),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 2 || !h56Frames(fs[0].Frames, 6, 7, 8) {
					t.Errorf("finding %+v, want count 2, first frames [6 7 8]", fs[0])
				}
			}},
		{name: "old password accepted while the new one was never used", creds: changed,
			pkts: flows(with(0, "Old-Passw0rd", 200), with(1, "Old-Passw0rd", 200))},
		{name: "new password used, then the old one rejected", creds: changed,
			pkts: flows(with(0, "New-Passw0rd", 200), with(1, "Old-Passw0rd", 403))},
		{name: "one credential row only: an unknown password accepted is SA101's", creds: alice,
			pkts: flows(with(0, password, 200), with(1, "Old-Passw0rd", 200))},
	})
}
