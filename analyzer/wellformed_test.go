package analyzer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/capture"
)

// wfInvite is a typical INVITE with an SDP body.
const wfInvite = "INVITE sip:bob.moore6223@sip.example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 10.4.120.143:5060;branch=z9hG4bK-524287-1---6b374dbc4999aa24;rport\r\n" +
	"Max-Forwards: 70\r\n" +
	"From: \"Mallory\" <sip:mallory.taylor8546@sip.example.com>;tag=6efcb68911\r\n" +
	"To: <sip:bob.moore6223@sip.example.com>\r\n" +
	"Call-ID: 575f3487cdbc8cc7240e56d7\r\n" +
	"CSeq: 301 INVITE\r\n" +
	"Contact: <sip:mallory.taylor8546@10.4.120.143:5060>\r\n" +
	"Content-Type: application/sdp\r\n" +
	"Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, UPDATE\r\n" +
	"Supported: replaces, timer, 100rel\r\n" +
	"User-Agent: Zoiper rv2.10.20.3\r\n" +
	"Content-Length: 142\r\n" +
	"\r\n" +
	"v=0\r\n" +
	"o=- 3917 3917 IN IP4 10.4.120.143\r\n" +
	"s=-\r\n" +
	"c=IN IP4 10.4.120.143\r\n" +
	"t=0 0\r\n" +
	"m=audio 40000 RTP/AVP 0 8 101\r\n" +
	"a=rtpmap:101 telephone-event/8000\r\n" +
	"a=sendrecv\r\n"

// wfOK is a typical 200 OK to an INVITE through a proxy.
const wfOK = "SIP/2.0 200 OK\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK87asdks7;received=192.0.2.10;rport=5060, SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK77ef4c2312983.1\r\n" +
	"Record-Route: <sip:192.0.2.10;lr;ftag=9fxced76sl>, <sip:[2001:db8::10]:5060;lr;transport=udp>\r\n" +
	"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n" +
	"To: \"Bob, the builder\" <sip:bob@biloxi.example.com>;tag=8321234356\r\n" +
	"Call-ID: 3848276298220188511@atlanta.example.com\r\n" +
	"CSeq: 1 INVITE\r\n" +
	"Contact: <sip:bob@192.0.2.4;transport=udp>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";expires=3600\r\n" +
	"P-Asserted-Identity: \"Bob\" <sip:+15551234567@biloxi.example.com;user=phone>\r\n" +
	"Content-Length: 0\r\n" +
	"\r\n"

// wfParses reports whether Counter.Parse accepts raw.
func wfParses(raw []byte) error {
	_, err := NewCounter(1 << 16).Parse(raw)
	return err
}

// wfMessages returns the SIP messages of a capture.
func wfMessages(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var msgs [][]byte
	dec := capture.NewDecoder(capture.DefaultLimits(), func(m *capture.Message) {
		if _, ok := capture.ParseStartLine(m.Raw); ok {
			msgs = append(msgs, append([]byte(nil), m.Raw...))
		}
	})
	if _, err := capture.Read(context.Background(), f, path, dec, nil); err != nil {
		t.Logf("%s: %v", path, err) // truncated fixtures end early
	}
	dec.Close()
	return msgs
}

// wfCheck checks that wellFormed implies a successful parse and returns
// how many messages it accepted.
func wfCheck(t *testing.T, name string, msgs [][]byte) (accepted int) {
	t.Helper()
	logged := 0
	for i, raw := range msgs {
		if !wellFormed(raw) {
			if testing.Verbose() && logged < 3 {
				logged++
				t.Logf("%s #%d rejected:\n%s", name, i, raw)
			}
			continue
		}
		accepted++
		if err := wfParses(raw); err != nil {
			t.Errorf("%s #%d: wellFormed but Parse fails: %v\n%q", name, i, err, raw)
		}
	}
	return accepted
}

// lfHead turns the line ends of s's header section into bare LFs.
func lfHead(s string) string {
	head, body, _ := strings.Cut(s, "\r\n\r\n")
	return strings.ReplaceAll(head, "\r\n", "\n") + "\n\n" + body
}

// wfTricky are messages near the edge of what sipgo accepts.
var wfTricky = func() []string {
	r := func(old, new string) string { return strings.Replace(okRegister, old, new, 1) }
	inv := func(old, new string) string { return strings.Replace(wfInvite, old, new, 1) }
	ok := func(old, new string) string { return strings.Replace(wfOK, old, new, 1) }
	return []string{
		okRegister,
		wfInvite,
		wfOK,
		// TestCounterMalformed's.
		strings.ReplaceAll(okRegister, "\r\n", "\n"),
		strings.ReplaceAll(strings.TrimSuffix(okRegister, "Content-Length: 0\r\n\r\n"), "\r\n", "\n") + "Content-Length: 4\n\r\nab\r\n",
		"OPTIONS sip:b@example.com SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nf: <sip:a@example.com>;tag=1\r\nt: <sip:b@example.com>\r\ni: 1@h\r\nCSeq: 2 OPTIONS\r\nl: 0\r\n\r\n",
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n", ""),
		r("Call-ID: a84b4c76e66710@192.0.2.1\r\n", ""),
		r("Content-Length: 0", "Content-Length: 40") + "short",
		r("Content-Length: 0", "Content-Length: bad"),
		r("REGISTER sip:example.com", "REGISTER sip:fec0::1:5060"),
		// Start lines.
		r("REGISTER sip:example.com SIP/2.0", "REGISTER  sip:example.com SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:example.com SIP/2.0 "),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:example.com SIP/3.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER * SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:* SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:example.com:50x SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:example.com: SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:[2001:db8::1 SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:[2001:db8::1]:5060;transport=tcp SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:user:pass@example.com;x=y?h=v&i=j SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:%61lice@example.com SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:a@b@example.com SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:example.com;maddr=a@b:c SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER tel:+15551234567;phone-context=example.com SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER http://example.com/ SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip://example.com SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "register sip:example.com SIP/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "REGISTER sip:example.com sip/2.0"),
		r("REGISTER sip:example.com SIP/2.0", "SIP/2.0 200 SIPOK"),
		r("REGISTER sip:example.com SIP/2.0", "SIP/2.0 200 sip"),
		r("REGISTER sip:example.com SIP/2.0", "SIP/2.0 200"),
		r("REGISTER sip:example.com SIP/2.0", "SIP/2.0 200 "),
		r("REGISTER sip:example.com SIP/2.0", "SIP/2.0 99999 Big"),
		r("REGISTER sip:example.com SIP/2.0", "SIP/2.0 2OO OK"),
		r("REGISTER sip:example.com SIP/2.0", "SIP/2.0 200 Very OK indeed \x01\xff"),
		"\r\n" + okRegister,
		// Line ends.
		strings.Replace(okRegister, "\r\n", "\n", 3),
		strings.Replace(okRegister, "\r\nMax-Forwards", "\rMax-Forwards", 1),
		strings.Replace(okRegister, "\r\nMax-Forwards", "\nMax-Forwards", 1),
		strings.TrimSuffix(okRegister, "\r\n"),
		strings.TrimSuffix(okRegister, "\r\n\r\n"),
		strings.ReplaceAll(okRegister, "\r\n", "\n") + "body\r\n",
		strings.ReplaceAll(okRegister, "\r\n", "\r\r\n"),
		r("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n X-Fold: 1\r\n"),
		r("Max-Forwards: 70\r\n", "X-Long: a\r\n folded\r\n"),
		r("To: <sip:alice@example.com>\r\n", "To:\r\n <sip:alice@example.com>\r\n"),
		r("Max-Forwards: 70\r\n", "X-LF: a\nb\r\n"),
		r("Max-Forwards: 70\r\n", "X-LF: a\nVia: SIP/2.0/UDP h\r\n"),
		// Header names.
		r("Max-Forwards: 70\r\n", "Max-Forwards : 70\r\n"),
		r("Max-Forwards: 70\r\n", "NoColon\r\n"),
		r("Max-Forwards: 70\r\n", ": 70\r\n"),
		r("Max-Forwards: 70\r\n", "MAX-FORWARDS: 70\r\n"),
		r("Call-ID:", "call-id:"),
		r("Call-ID:", "CALL-ID:"),
		r("Call-ID:", "i:"),
		r("Call-ID:", "I:"),
		r("CSeq:", "CSEQ:"),
		r("Via:", "VIA:"),
		r("From:", "f :"),
		// Numbers.
		r("Max-Forwards: 70", "Max-Forwards: -1"),
		r("Max-Forwards: 70", "Max-Forwards: 99999999999"),
		r("Max-Forwards: 70", "Max-Forwards: 7 0"),
		r("Max-Forwards: 70", "Max-Forwards: "),
		r("CSeq: 1 REGISTER", "CSeq: 2147483648 REGISTER"),
		r("CSeq: 1 REGISTER", "CSeq: 2147483647 REGISTER"),
		r("CSeq: 1 REGISTER", "CSeq: -1 REGISTER"),
		r("CSeq: 1 REGISTER", "CSeq: 1"),
		r("CSeq: 1 REGISTER", "CSeq: 1 "),
		r("CSeq: 1 REGISTER", "CSeq: REGISTER 1"),
		r("CSeq: 1 REGISTER", "CSeq: 1  REGISTER"),
		r("CSeq: 1 REGISTER", "CSeq: 1\tREGISTER"),
		r("CSeq: 1 REGISTER", "CSeq: 00000000001 REGISTER"),
		r("Content-Length: 0", "Content-Length: 99999999999999999999"),
		r("Content-Length: 0", "Content-Length: 4294967296"),
		r("Content-Length: 0", "Content-Length: 70000") + strings.Repeat("x", 70000),
		r("Content-Length: 0", "Content-Length: 60000") + strings.Repeat("x", 60000),
		r("Content-Length: 0", "Content-Length: 5") + "hello",
		r("Content-Length: 0", "Content-Length: 5") + "hello world",
		r("Content-Length: 0", "Content-Length: 5\r\nContent-Length: 50") + "hello",
		r("Content-Length: 0", "Content-Length: 50\r\nContent-Length: 5") + "hello",
		r("Content-Length: 0\r\n", "") + "body without length",
		r("Content-Length: 0", "l: +5") + "hello",
		// Call-ID and Content-Type.
		r("Call-ID: a84b4c76e66710@192.0.2.1", "Call-ID:"),
		r("Call-ID: a84b4c76e66710@192.0.2.1", "Call-ID:  \t "),
		r("Call-ID: a84b4c76e66710@192.0.2.1", "Call-ID: \v"),
		r("Call-ID: a84b4c76e66710@192.0.2.1", "Call-ID: \u00a0"),
		r("Call-ID: a84b4c76e66710@192.0.2.1", "Call-ID: a b"),
		r("Max-Forwards: 70", "Content-Type:"),
		r("Max-Forwards: 70", "c: text/plain ; charset=utf-8"),
		// Via.
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;received=2001:db8::1"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP [2001:db8::1;branch=z9hG4bK1"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP fec0::1:5060;branch=z9hG4bK1"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0 UDP h"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP / 2.0 / UDP h;branch=1"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP h;branch=1,"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP h;branch=1, x"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP h;branch=1, SIP/2.0/TCP [::1]"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP h;branch=1, SIP/2.0/TCP [::1"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP h1, SIP/2.0/TCP h2:5060;branch=2"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "v: SIP/2.0/UDP h1:5060;rport;branch=z9hG4bK1\r\nv: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK2"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP h;branch=\"a,b\", SIP/2.0/UDP h2"),
		r("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", "Via: SIP/2.0/UDP h:99999999999;branch=1"),
		// Addresses.
		r("From: <sip:alice@example.com>;tag=1928301774", "From: sip:alice@example.com;tag=1928301774"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: sip:alice@example.com:5060 ;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: sip:alice@example.com:50x;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: <sip:alice@example.com:50x>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: \"Alice \\\"A\\\" Liddell\" <sip:alice@example.com>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: \"Alice\"<sip:alice@example.com>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: \"Alice <sip:alice@example.com>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: \"Alice\" sip:alice@example.com;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: \"Alice\";tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: Alice Liddell <sip:alice@example.com>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: \"Алиса\" <sip:alice@example.com>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: <sip:alice@example.com;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: <sip:*>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: *"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: <>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: <sip:alice@[2001:db8::1]>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: <tel:+15551234567>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: <urn:service:sos>;tag=1"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: <sip:alice@example.com>;tag=1, <sip:b@c>"),
		r("From: <sip:alice@example.com>;tag=1928301774", "From: <sip:alice@example.com> ; tag = 1"),
		r("To: <sip:alice@example.com>", "To: <sip:alice@example.com"),
		r("To: <sip:alice@example.com>", "To: <sip:alice@ex ample.com>"),
		r("To: <sip:alice@example.com>", "To: < sip:alice@example.com >"),
		r("To: <sip:alice@example.com>", "To: sip:alice@example.com"),
		r("To: <sip:alice@example.com>", "t: sip:+15551234567;phone-context=ims.example@example.com;user=phone"),
		r("To: <sip:alice@example.com>", "To: <sip:+15551234567;phone-context=ims.example@example.com;user=phone>"),
		r("Max-Forwards: 70", "Contact: *"),
		r("Max-Forwards: 70", "Contact: <sip:a@192.0.2.1:5060>;expires=0, <sip:a@[2001:db8::1]:5062;transport=tcp>;q=0.5"),
		r("Max-Forwards: 70", "Contact: <sip:a@192.0.2.1:5060>,"),
		r("Max-Forwards: 70", "Contact: <sip:a@192.0.2.1:5060>, ,<sip:b@h>"),
		r("Max-Forwards: 70", "Contact: sip:a@192.0.2.1:5060, sip:b@h:5060"),
		r("Max-Forwards: 70", "Contact: sip:a@192.0.2.1:5060 , sip:b@h"),
		r("Max-Forwards: 70", "m: \"A, B\" <sip:a@h>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";reg-id=1"),
		r("Max-Forwards: 70", "m: \"A\\\", B\" <sip:a@h:1>"),
		r("Max-Forwards: 70", "Contact: <sip:a@h>;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\";video;+g.3gpp.smsip"),
		r("Max-Forwards: 70", "Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>"),
		r("Max-Forwards: 70", "Route: <sip:p1.example.com;lr>, <sip:p2.example.com:x;lr>"),
		r("Max-Forwards: 70", "Record-Route: <sip:[2001:db8::1];lr>"),
		r("Max-Forwards: 70", "Record-Route: <sip:p1:5060;lr"),
		r("Max-Forwards: 70", "Refer-To: <sip:bob@biloxi.example.com?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>"),
		r("Max-Forwards: 70", "Refer-To: <sip:bob@biloxi.example.com:x>"),
		r("Max-Forwards: 70", "Referred-By: <sip:carol@chicago.example.com>;cid=\"20398823.2UWQFN309shb3@chicago.example.com\""),
		r("Max-Forwards: 70", "Referred-By: <sip:carol@chicago.example.com:>"),
		r("Max-Forwards: 70", "r: <sip:a@b:x>"),
		r("Max-Forwards: 70", "b: <sip:a@b:x>"),
		// Generic headers.
		r("Max-Forwards: 70", "WWW-Authenticate: Digest realm=\"atlanta.example.com\", nonce=\"84f1c1ae6cbe5ua9c8e88dfa3ecm3459\", qop=\"auth\", algorithm=MD5"),
		r("Max-Forwards: 70", "X-Bin: \x00\x01\xff"),
		r("Max-Forwards: 70", "Subject:"),
		// Sizes.
		r("Max-Forwards: 70", "X-Pad: "+strings.Repeat("a", 65600)),
		strings.ReplaceAll(r("Max-Forwards: 70", strings.Repeat("X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 2340)), "\r\n", "\n"),
		strings.ReplaceAll(r("Content-Length: 0", "Content-Length: 65000"), "\r\n", "\n") + strings.Repeat("y", 65000),
		// Misc from the INVITE and the OK.
		inv("Content-Length: 142", "Content-Length: 143"),
		inv("Content-Length: 142", "Content-Length: 141"),
		inv("Content-Type: application/sdp", "Content-Type: "),
		ok("Record-Route: <sip:192.0.2.10;lr;ftag=9fxced76sl>, ", "Record-Route: "),
		ok("SIP/2.0 200 OK", "SIP/2.0 180 Ringing"),
		ok("SIP/2.0 200 OK", "SIP/2.0 183 Session Progress"),
		ok("To: \"Bob, the builder\"", "To: Bob, the builder"),
		strings.ReplaceAll(wfInvite, "\r\n", "\n"),
		strings.ReplaceAll(wfOK, "\r\n", "\n"),
		// Bare LF headers with CRs elsewhere.
		lfHead(wfInvite),
		lfHead(wfOK) + "\r\n",
		lfHead(strings.Replace(wfOK, "Content-Length: 0", "Content-Length: 2", 1)) + "\r\n",
		strings.Replace(lfHead(wfInvite), "\n\nv=0", "\n\r\nv=0", 1),
		strings.Replace(lfHead(wfInvite), "Max-Forwards: 70\n", "Max-Forwards: 70\r\n", 1),
		strings.Replace(lfHead(wfInvite), "Max-Forwards: 70\n", "X-CR: a\rb\n", 1),
		strings.Replace(lfHead(wfInvite), "INVITE ", "SIPX ", 1),
		"INVITE sip:a@b SIP/2.0\nX:y\r\n" + strings.SplitN(okRegister, "\r\n", 2)[1],
		"SIP/2.0 200 OK\nX:y\r\n" + strings.SplitN(okRegister, "\r\n", 2)[1],
		"SIP/2.0 200 OK\n" + strings.ReplaceAll(strings.SplitN(okRegister, "\r\n", 2)[1], "\r\n", "\n") + "a:b\r\nc:d\r\n\r\n",
		"SIP/2.0 200 OK\n" + strings.ReplaceAll(strings.SplitN(okRegister, "\r\n", 2)[1], "\r\n", "\n") + strings.SplitN(okRegister, "\r\n", 2)[1],
	}
}()

func TestWellFormedImpliesSipgo(t *testing.T) {
	accepted := wfCheck(t, "tricky", func() (m [][]byte) {
		for _, s := range wfTricky {
			m = append(m, []byte(s))
		}
		return m
	}())
	t.Logf("tricky: %d of %d well formed", accepted, len(wfTricky))
	for _, s := range []string{okRegister, wfInvite, wfOK} {
		if !wellFormed([]byte(s)) {
			t.Errorf("not well formed:\n%s", s)
		}
	}

	for _, dir := range []string{"../testdata/capture", "../testdata/auth"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
		total, acc := 0, 0
		for _, f := range files {
			msgs := wfMessages(t, f)
			total += len(msgs)
			acc += wfCheck(t, f, msgs)
		}
		t.Logf("%s: %d of %d messages well formed (%.1f%%)", dir, acc, total, 100*float64(acc)/float64(max(total, 1)))
	}

	mutants := 200000
	if testing.Short() {
		mutants = 20000
	}
	seeds := append([]string{okRegister, wfInvite, wfOK}, wfTricky...)
	accepted = wfCheck(t, "mutant", wfMutants(mutants, 3, 7919, seeds))
	t.Logf("mutants: %d of %d well formed", accepted, mutants)
	if testing.Short() {
		return
	}
	for _, args := range [][]string{
		{"--calls", "2000", "--seed", "1"},
		{"--calls", "500", "--seed", "7", "--anomaly-rate", "0.2"},
		{"--calls", "300", "--seed", "3", "--pcapng"},
	} {
		pcap, _ := generate(t, args...)
		msgs := wfMessages(t, pcap)
		acc := wfCheck(t, strings.Join(args, " "), msgs)
		frac := float64(acc) / float64(max(len(msgs), 1))
		t.Logf("generator %v: %d of %d messages well formed (%.2f%%)", args, acc, len(msgs), 100*frac)
		if len(msgs) == 0 || frac < 0.99 {
			t.Errorf("generator %v: only %.2f%% of %d messages well formed, want >= 99%%", args, 100*frac, len(msgs))
		}
	}
}

func FuzzWellFormed(f *testing.F) {
	for _, s := range []string{okRegister, wfInvite, wfOK} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !wellFormed(raw) {
			return
		}
		if err := wfParses(raw); err != nil {
			t.Fatalf("wellFormed but Parse fails: %v\n%q", err, raw)
		}
	})
}

func TestWellFormedNoAlloc(t *testing.T) {
	for _, s := range []string{okRegister, wfInvite, wfOK, strings.ReplaceAll(wfInvite, "\r\n", "\n")} {
		raw := []byte(s)
		if n := testing.AllocsPerRun(100, func() {
			if !wellFormed(raw) {
				t.Fatal("not well formed")
			}
		}); n != 0 {
			t.Errorf("%d allocations", int(n))
		}
	}
}

func BenchmarkWellFormed(b *testing.B) {
	for _, c := range []struct{ name, raw string }{{"INVITE", wfInvite}, {"200OK", wfOK}} {
		raw := []byte(c.raw)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if !wellFormed(raw) {
					b.Fatal("not well formed")
				}
			}
		})
	}
}

// wfMutants returns n deterministic mutants of the seed messages: bytes
// that matter to sipgo's parsers inserted, replaced or deleted.
func wfMutants(n, edits int, seed uint64, seeds []string) [][]byte {
	const special = " \t;,:<>\"\\@[]?=/*%&+.-_0123456789aAsSpPiI\r\n\x00\xc2\xa0"
	x := seed
	rnd := func(k int) int { // xorshift
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int(x % uint64(k))
	}
	out := make([][]byte, 0, n)
	for len(out) < n {
		m := []byte(seeds[rnd(len(seeds))])
		for k := 1 + rnd(edits); k > 0 && len(m) > 0; k-- {
			p := rnd(len(m))
			c := special[rnd(len(special))]
			switch rnd(3) {
			case 0:
				m[p] = c
			case 1:
				m = append(m[:p], append([]byte{c}, m[p:]...)...)
			default:
				m = append(m[:p], m[p+1:]...)
			}
		}
		out = append(out, m)
	}
	return out
}
