package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA502(t *testing.T) {
	uri := "sip:" + realm
	const (
		rand = "WjJkMmEzNTk2YTBjNGQ4ZmI1YTM3ZWQ2NjFmNDVjY2FkZjY4NDM0NjExN2I="
		ck   = `ck="9b5d3f0e2c7a4186b0d9e1f2a3b4c5d6"`
		ik   = `ik="1e2d3c4b5a69788796a5b4c3d2e1f0a9"`
	)
	akaChal := func(keys ...string) string {
		return chal(rand, append([]string{"algorithm=AKAv1-MD5", `qop="auth"`}, keys...)...)
	}
	initialAuth := `Authorization: Digest username="alice@example.com", realm="example.com", nonce="", uri="sip:example.com", response=""`

	// An IMS AKA registration through a P-CSCF: the UE's REGISTER (one
	// Via), the P-CSCF's copy to the S-CSCF (two Vias), the S-CSCF's 401
	// to the P-CSCF (two Vias, with CK and IK for the P-CSCF), and the
	// P-CSCF's 401 to the UE (one Via) with uecKeys.
	viaPCSCF := "Via: SIP/2.0/UDP " + proxyAddr + ";branch=z9hG4bKpc1"
	viaUE := "Via: SIP/2.0/UDP " + ueAddr + ";branch=z9hG4bKr10"
	common := []string{
		"From: <sip:alice@example.com>;tag=alicetag", "To: <sip:alice@example.com>",
		"Call-ID: aka-reg-1", "CSeq: 1 REGISTER",
	}
	throughPCSCF := func(toUE ...string) []pkt {
		first := req("REGISTER", uri, "aka-reg-1", 1, "r10", "Expires: 600000", initialAuth)
		relayed := msg("REGISTER "+uri+" SIP/2.0", append(append([]string{viaPCSCF, viaUE, "Max-Forwards: 69"}, common...),
			"Contact: <sip:alice@"+ueAddr+">", "Expires: 600000", "Path: <sip:term@"+proxyAddr+";lr>", initialAuth), "")
		toP := msg("SIP/2.0 401 Unauthorized", append(append([]string{viaPCSCF, viaUE}, common...),
			"WWW-Authenticate: "+akaChal(ck, ik)), "")
		toP = strings.Replace(toP, "To: <sip:alice@example.com>", "To: <sip:alice@example.com>;tag=scscf", 1)
		return []pkt{
			up(0, first).from(ueAddr, proxyAddr),
			up(5*time.Millisecond, relayed).from(proxyAddr, srvAddr),
			down(10*time.Millisecond, toP).from(srvAddr, proxyAddr),
			down(15*time.Millisecond, resp(401, "Unauthorized", first, "WWW-Authenticate: "+akaChal(toUE...))).from(proxyAddr, ueAddr),
		}
	}
	// A registrar that answers the UE itself (one Via), twice.
	direct := func(t0 time.Duration, n int, keys ...string) []pkt {
		r := req("REGISTER", uri, "aka-reg-2", n, "d"+itoa(n), "Expires: 600000", initialAuth)
		return []pkt{up(t0, r), down(t0+10*time.Millisecond, resp(401, "Unauthorized", r, "WWW-Authenticate: "+akaChal(keys...)))}
	}

	ruleTest(t, "SA502", []ruleCase{
		{name: "P-CSCF forwards the 401 to the UE with ck and ik", fire: 1, pkts: throughPCSCF(ck, ik),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 4) || f.Severity != finding.Critical || f.Key != "server "+proxyAddr || f.Client != ueAddr {
					t.Errorf("finding %+v, want frame [4] from the P-CSCF to the UE", f)
				}
				if strings.Contains(f.Message, "9b5d3f0e") || strings.Contains(f.Message, "1e2d3c4b") {
					t.Errorf("the keys are in the message: %s", f.Message)
				}
			}},
		{name: "registrar answering the UE directly leaks ik only, twice: folded", fire: 1,
			pkts: flows(direct(0, 1, ik), direct(60*time.Second, 2, ik)),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 2 || !h56Frames(fs[0].Frames, 2) || fs[0].Key != "server "+srvAddr {
					t.Errorf("finding %+v, want 2 folded, first frame [2]", fs[0])
				}
			}},
		{name: "P-CSCF strips ck and ik (S-CSCF to P-CSCF carries them)", pkts: throughPCSCF()},
		{name: "AKA challenge to the UE without keys", pkts: direct(0, 1)},
		{name: "retransmitted 401 with keys counts once", fire: 1,
			pkts: func() []pkt {
				ps := direct(0, 1, ck, ik)
				again := ps[1]
				again.at = 500 * time.Millisecond
				return append(ps, again)
			}(),
			check: func(t *testing.T, fs []*finding.Finding) {
				if fs[0].Count != 1 {
					t.Errorf("count %d, want 1 (the retransmission is not a new exposure)", fs[0].Count)
				}
			}},
	})
}
