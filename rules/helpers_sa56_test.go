package rules

import (
	"strconv"
	"strings"
	"time"
)

// Shared helpers of the SA5xx and SA6xx tests.

// h56Attacker is a host that sends forged or probing requests.
const h56Attacker = "192.0.2.66:5060"

// h56AOR is alice's IMPU, as the registration timelines key it.
const h56AOR = "sip:alice@example.com"

// h56Contact is one <contact> of a reginfo document (RFC 3680).
type h56Contact struct {
	state, event string // state active or terminated; event registered, shortened, deactivated, ...
	expires      int    // written when >= 0
	uri          string // default alice's contact at the UE
}

// h56Reginfo is an RFC 3680 reginfo document with one registration of
// alice in the given state (active, terminated, re-authenticate).
func h56Reginfo(state string, contacts ...h56Contact) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n")
	b.WriteString(`<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">` + "\n")
	b.WriteString(`  <registration aor="` + h56AOR + `" id="r1" state="` + state + `">` + "\n")
	for i, c := range contacts {
		if c.uri == "" {
			c.uri = "sip:alice@" + ueAddr
		}
		b.WriteString(`    <contact id="c` + strconv.Itoa(i+1) + `" state="` + c.state + `" event="` + c.event + `"`)
		if c.expires >= 0 {
			b.WriteString(` expires="` + strconv.Itoa(c.expires) + `"`)
		}
		b.WriteString(">\n      <uri>" + c.uri + "</uri>\n    </contact>\n")
	}
	b.WriteString("  </registration>\n</reginfo>\n")
	return b.String()
}

// h56Notify is a reg-event NOTIFY from the S-CSCF to the UE on the
// subscription dialog "sub-1" (CSeq cseq), carrying a reginfo body.
func h56Notify(at time.Duration, cseq int, body string) pkt {
	n := strconv.Itoa(cseq)
	return down(at, msg("NOTIFY sip:alice@"+ueAddr+" SIP/2.0", []string{
		"Via: SIP/2.0/UDP " + srvAddr + ";branch=z9hG4bKntfy" + n,
		"Max-Forwards: 70",
		"From: <" + h56AOR + ">;tag=scscf1",
		"To: <" + h56AOR + ">;tag=alicetag",
		"Call-ID: sub-1",
		"CSeq: " + n + " NOTIFY",
		"Contact: <sip:scscf@" + srvAddr + ">",
		"Event: reg",
		"Subscription-State: active;expires=600000",
		"Content-Type: application/reginfo+xml",
	}, body))
}

// h56NotifyOK is the UE's 200 to a NOTIFY of h56Notify.
func h56NotifyOK(at time.Duration, notify pkt) pkt {
	return up(at, resp(200, "OK", notify.text))
}

// h56Remap moves the UE side of packets built with up/down to another
// endpoint (the text is unchanged: a spoofing host keeps alice's Via).
func h56Remap(ps []pkt, ue string) []pkt {
	out := make([]pkt, len(ps))
	for i, p := range ps {
		switch {
		case p.src == ueAddr:
			p.src = ue
		case p.dst == ueAddr:
			p.dst = ue
		}
		out[i] = p
	}
	return out
}

// h56Keepalive is an OPTIONS from the server and the UE's 200: traffic
// that moves the capture clock on without touching authentication or
// registrations.
func h56Keepalive(at time.Duration, n int) []pkt {
	o := msg("OPTIONS sip:alice@"+ueAddr+" SIP/2.0", []string{
		"Via: SIP/2.0/UDP " + srvAddr + ";branch=z9hG4bKka" + strconv.Itoa(n),
		"Max-Forwards: 70",
		"From: <sip:ping@" + realm + ">;tag=ka" + strconv.Itoa(n),
		"To: <sip:alice@" + ueAddr + ">",
		"Call-ID: keepalive-" + strconv.Itoa(n),
		"CSeq: 1 OPTIONS",
	}, "")
	return []pkt{down(at, o), up(at+5*time.Millisecond, resp(200, "OK", o))}
}

// h56Frames reports whether got equals want.
func h56Frames(got []int, want ...int) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}
