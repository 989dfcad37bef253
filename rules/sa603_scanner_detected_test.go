package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA603(t *testing.T) {
	// options is an OPTIONS ping from host with the given From display
	// name and User-Agent, as svmap sends them, and the server's 200.
	options := func(at time.Duration, n int, host, display, ua string) []pkt {
		from := "From: <sip:100@" + realm + ">;tag=sv" + itoa(n)
		if display != "" {
			from = `From: "` + display + `" <sip:100@` + realm + ">;tag=sv" + itoa(n)
		}
		o := msg("OPTIONS sip:100@"+realm+" SIP/2.0", []string{
			"Via: SIP/2.0/UDP " + host + ";branch=z9hG4bKsv" + itoa(n) + ";rport",
			"Max-Forwards: 70",
			from,
			"To: <sip:100@" + realm + ">",
			"Call-ID: scan-" + itoa(n),
			"CSeq: 1 OPTIONS",
			"Contact: <sip:100@" + host + ">",
			"User-Agent: " + ua,
			"Accept: application/sdp",
		}, "")
		return []pkt{up(at, o).from(host, srvAddr), down(at+5*time.Millisecond, resp(200, "OK", o)).from(srvAddr, host)}
	}

	ruleTest(t, "SA603", []ruleCase{
		{name: "svmap OPTIONS sweep (friendly-scanner), three pings: folded", fire: 1,
			pkts: flows(options(0, 1, h56Attacker, "sipvicious", "friendly-scanner"), options(time.Second, 2, h56Attacker, "sipvicious", "friendly-scanner"),
				options(2*time.Second, 3, h56Attacker, "sipvicious", "friendly-scanner")),
			check: func(t *testing.T, fs []*finding.Finding) {
				f := fs[0]
				if !h56Frames(f.Frames, 1) || f.Count != 3 || f.Severity != finding.Medium || f.Key != "source 192.0.2.66 scanner friendly-scanner" {
					t.Errorf("finding %+v, want frame [1], count 3", f)
				}
			}},
		{name: "scanner named in the From display name only", fire: 1,
			pkts: options(0, 1, h56Attacker, "sipvicious", "Asterisk PBX 18.9.0")},
		{name: "two scanners from one host: sipcli and VaxSIPUserAgent", fire: 2,
			pkts: flows(options(0, 1, h56Attacker, "", "sipcli/v1.8"), options(time.Second, 2, h56Attacker, "", "VaxSIPUserAgent/3.1"))},
		{name: "ordinary softphone", pkts: options(0, 1, ueAddr, "Alice", "Linphone/5.2.0 (belle-sip/5.2.0)")},
		{name: "a caller named Siwar (contains iwar)", pkts: options(0, 1, ueAddr, "Siwar Haddad", "Yealink SIP-T46S 66.86.0.15")},
		{name: "a softphone called SIPClient (contains sipcli)", pkts: options(0, 1, ueAddr, "Alice", "Acme SIPClient 2.1")},
	})
}

// TestToLower: toLower agrees with strings.ToLower on ASCII, non-ASCII
// (the Kelvin sign lowers to an ASCII k) and too long text.
func TestToLower(t *testing.T) {
	for _, s := range []string{"", "friendly-scanner", "SIPVicious/0.3", "SipArmy\u212Anife", strings.Repeat("SIPcli", 60), "ÉCOLE sipcli"} {
		var buf [256]byte
		if got, want := toLower(s, &buf), strings.ToLower(s); got != want {
			t.Errorf("toLower(%q) = %q, want %q", s, got, want)
		}
	}
}
