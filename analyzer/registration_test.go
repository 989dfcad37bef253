package analyzer

import (
	"fmt"
	"strings"
	"testing"
)

func register(branch string, cseq int, extra ...string) string {
	return fmt.Sprintf("REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%s\nFrom: <sip:alice@example.com>;tag=a%d\nTo: <sip:alice@example.com>\nCall-ID: reg1\nCSeq: %d REGISTER\n%sContent-Length: 0\n\n",
		branch, cseq, cseq, strings.Join(extra, ""))
}

func registerResp(status int, branch string, cseq int, extra ...string) string {
	return fmt.Sprintf("SIP/2.0 %d X\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%s\nFrom: <sip:alice@example.com>;tag=a%d\nTo: <sip:alice@example.com>;tag=r\nCall-ID: reg1\nCSeq: %d REGISTER\n%sContent-Length: 0\n\n",
		status, branch, cseq, cseq, strings.Join(extra, ""))
}

func regNotify(branch, body string) string {
	return fmt.Sprintf("NOTIFY sip:alice@192.0.2.1 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK%s\nFrom: <sip:alice@example.com>;tag=s1\nTo: <sip:alice@example.com>;tag=u1\nCall-ID: sub1\nCSeq: 3 NOTIFY\nEvent: reg\nSubscription-State: active;expires=600\nContent-Type: application/reginfo+xml\nContent-Length: %d\n\n%s",
		branch, len(body), body)
}

func events(r *Registration) string {
	var s []string
	for _, e := range r.Events {
		s = append(s, e.Event+":"+e.Contact)
	}
	return strings.Join(s, " ")
}

func TestRegistrationTimeline(t *testing.T) {
	c1, c2 := "Contact: <sip:alice@192.0.2.1:5060>;expires=600\n", "Contact: <sip:alice@198.51.100.7>\n"
	var regs []*Registration
	_, _, a := feed(t, Config{OnRegistration: func(r *Registration) { regs = append(regs, r) }},
		register("1", 1, c1), registerResp(401, "1", 1, "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n\"\n"),
		register("2", 2, c1), registerResp(200, "2", 2, c1, "P-Associated-URI: <sip:alice@example.com>, <tel:+15551234>\n"),
		register("3", 3, c1), registerResp(200, "3", 3, c1), // refreshed
		register("3b", 3, c1), registerResp(200, "3b", 3, "Contact: <sip:alice@192.0.2.1:5060>;expires=300\n"), // shortened
		register("4", 4, c2, "Expires: 60\n"), registerResp(200, "4", 4, "Contact: <sip:alice@192.0.2.1:5060>;expires=596, <sip:alice@198.51.100.7>;expires=60\n"),
		register("5", 5, c1), registerResp(403, "5", 5), // a failed re-registration keeps the bindings
		register("6", 6, "Contact: <sip:alice@198.51.100.7>;expires=0\n"), registerResp(200, "6", 6), // no Contact in the 2xx
		regNotify("7", `<?xml version="1.0"?><reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="partial">`+
			`<registration aor="sip:alice@example.com" id="a" state="terminated"><contact id="c" state="terminated" event="deactivated">`+
			`<uri>sip:alice@192.0.2.1:5060</uri></contact></registration></reginfo>`),
	)
	if len(regs) != 1 || a.Stats().Registrations != 1 {
		t.Fatalf("%d registrations (stats %d)", len(regs), a.Stats().Registrations)
	}
	r := regs[0]
	want := "registered:sip:alice@192.0.2.1:5060 refreshed:sip:alice@192.0.2.1:5060 shortened:sip:alice@192.0.2.1:5060 registered:sip:alice@198.51.100.7 " +
		"rejected: unregistered:sip:alice@198.51.100.7 deactivated:sip:alice@192.0.2.1:5060 terminated:"
	if got := events(r); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
	if r.AOR != "sip:alice@example.com" || r.State != "unregistered" || len(r.Bindings) != 0 || strings.Join(r.Implicit, ",") != "sip:alice@example.com,tel:+15551234" {
		t.Errorf("registration %+v", r)
	}
	if r.Events[4].Status != 403 || r.Events[6].Origin != "reg-event" || r.Events[0].Frame != 4 {
		t.Errorf("event details: %+v", r.Events)
	}
}

func TestRegistrationExpiryAndStar(t *testing.T) {
	var regs []*Registration
	feed(t, Config{OnRegistration: func(r *Registration) { regs = append(regs, r) }},
		register("1", 1, "Contact: <sip:a@192.0.2.1>;expires=2\n", "Contact: <sip:b@192.0.2.1>\n", "Expires: 100\n"),
		registerResp(200, "1", 1, "Contact: <sip:a@192.0.2.1>;expires=2, <sip:b@192.0.2.1>;expires=100\n"),
		"OPTIONS sip:x SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKo\nCall-ID: o\nCSeq: 1 OPTIONS\n\n",
		"OPTIONS sip:x SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKp\nCall-ID: o\nCSeq: 2 OPTIONS\n\n",
		"OPTIONS sip:x SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\nCall-ID: o\nCSeq: 3 OPTIONS\n\n",
		register("2", 2, "Contact: *\n", "Expires: 0\n"), registerResp(200, "2", 2),
	)
	if len(regs) != 1 {
		t.Fatalf("%d registrations", len(regs))
	}
	if got := events(regs[0]); got != "registered:sip:a@192.0.2.1 registered:sip:b@192.0.2.1 expired:sip:a@192.0.2.1 unregistered:sip:b@192.0.2.1" {
		t.Errorf("events: %s", got)
	}
	if len(regs[0].Bindings) != 0 || regs[0].State != "unregistered" {
		t.Errorf("state %s", regs[0].State)
	}
}
