package analyzer

import (
	"reflect"
	"strings"
	"testing"
)

func TestScanMsg(t *testing.T) {
	raw := "REGISTER sip:ims.example.com SIP/2.0\r\n" +
		"v: SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bKabc, SIP/2.0/TCP proxy.example.com;branch=z9hG4bKdef\r\n" +
		"Via: SIP/2.0/UDP 10.0.0.9\r\n" +
		"f: \"Alice <the first>\" <sip:alice@ims.example.com;transport=udp>;tag=a1\r\n" +
		"t: sip:alice@ims.example.com;tag=b2\r\n" +
		"i: 1234@10.0.0.1\r\n" +
		"CSeq: 2 register\r\n" +
		"Authorization: Digest username=\"alice\",\r\n realm=\"ims.example.com\",\r\n\tnonce=\"n\"\r\n" +
		"WWW-Authenticate: Digest realm=\"x\"\r\n" +
		"Expires: 600\r\n" +
		"m: <sip:alice@10.0.0.1>;expires=600, <sip:alice@[2001:db8::1]>\r\n" +
		"User-Agent: Linphone/5.2\r\n" +
		"l: 4\r\n" +
		"\r\n" +
		"body"
	m, ok := ScanMsg([]byte(raw))
	if !ok {
		t.Fatal("not SIP")
	}
	want := Msg{
		Request: true, Method: "REGISTER", RequestURI: "sip:ims.example.com",
		CallID: "1234@10.0.0.1", CSeq: 2, CSeqMethod: "REGISTER",
		Branch: "z9hG4bKabc", SentBy: "10.0.0.1:5060", Vias: 3,
		FromURI: "sip:alice@ims.example.com;transport=udp", FromTag: "a1", FromDisplay: "Alice <the first>",
		ToURI: "sip:alice@ims.example.com", ToTag: "b2",
		UserAgent: "Linphone/5.2", Expires: 600,
		Contacts: []string{"<sip:alice@10.0.0.1>;expires=600", "<sip:alice@[2001:db8::1]>"},
		Auth: []AuthField{
			{Authorization, `Digest username="alice", realm="ims.example.com", nonce="n"`},
			{WWWAuthenticate, `Digest realm="x"`},
		},
		Body: "body",
	}
	want.text = raw
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got  %+v\nwant %+v", m, want)
	}

	// A response with bare LF line ends and no body.
	m, ok = ScanMsg([]byte("SIP/2.0 401 Unauthorized\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nCSeq: 1 REGISTER\nCall-ID: x\n\n"))
	if !ok || m.Status != 401 || m.Branch != "z9hG4bK1" || m.CSeqMethod != "REGISTER" || m.CallID != "x" || len(m.Body) != 0 {
		t.Errorf("LF response: %+v", m)
	}
	// Garbage values are left empty, not fatal.
	m, ok = ScanMsg([]byte("OPTIONS sip:x SIP/2.0\r\nCSeq: abc\r\nVia: junk\r\nFrom: <sip:unterminated\r\nExpires: -5\r\nnocolon\r\n\r\n"))
	if !ok || m.CSeq != 0 || m.SentBy != "" || m.FromURI != "sip:unterminated" || m.Expires != -1 {
		t.Errorf("garbage: %+v", m)
	}
	if _, ok := ScanMsg([]byte("HTTP/1.1 200 OK\r\n\r\n")); ok {
		t.Error("HTTP read as SIP")
	}
}

func TestNameAddr(t *testing.T) {
	for _, tt := range []struct{ in, uri, tag string }{
		{`<sip:a@b>;tag=1`, "sip:a@b", "1"},
		{`"x;tag=no" <sip:a@b;tag=uri-param>;foo;TAG=2`, "sip:a@b;tag=uri-param", "2"},
		{`sip:a@b;tag=3`, "sip:a@b", "3"},
		{`sip:a@b`, "sip:a@b", ""},
		{`"unterminated <sip:a@b>`, `"unterminated <sip:a@b>`, ""},
	} {
		uri, tag := nameAddr(tt.in)
		if uri != tt.uri || tag != tt.tag {
			t.Errorf("nameAddr(%q) = %q, %q; want %q, %q", tt.in, uri, tag, tt.uri, tt.tag)
		}
	}
	if got := splitList(`"a,b" <sip:x>, <sip:y,z>, w`); strings.Join(got, "|") != `"a,b" <sip:x>|<sip:y,z>|w` {
		t.Errorf("splitList: %q", got)
	}
}

// FuzzScanMsg: the lenient scanner never panics and never reads beyond
// the message; the committed corpus is in testdata/fuzz/FuzzScanMsg.
func FuzzScanMsg(f *testing.F) {
	f.Add([]byte("REGISTER sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:a>;tag=1\r\nt: sip:a\r\ni: c\r\nCSeq: 1 REGISTER\r\nAuthorization: Digest a=\"b\r\n c\"\r\n\r\nbody"))
	f.Add([]byte("SIP/2.0 407 x\n\tfolded\nProxy-Authenticate: Digest realm=\"r\"\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, ok := ScanMsg(raw)
		if !ok {
			return
		}
		if len(m.Body) > len(raw) || m.Vias < 0 {
			t.Fatalf("body %d of %d", len(m.Body), len(raw))
		}
		_ = m.AuthValues(Authorization)
	})
}

// TestHeaderID checks every name and compact form the scanner reads.
func TestHeaderID(t *testing.T) {
	for name, want := range map[string]int{
		"call-id": hCallID, "i": hCallID, "cseq": hCSeq, "via": hVia, "v": hVia,
		"from": hFrom, "f": hFrom, "to": hTo, "t": hTo, "user-agent": hUserAgent,
		"expires": hExpires, "contact": hContact, "m": hContact,
		"content-type": hContentType, "c": hContentType, "event": hEvent, "o": hEvent,
		"subscription-state": hSubscriptionState, "p-associated-uri": hPAssociatedURI,
		"p-asserted-identity": hPAssertedIdentity, "www-authenticate": hWWWAuthenticate,
		"proxy-authenticate": hProxyAuthenticate, "authorization": hAuthorization,
		"proxy-authorization": hProxyAuthorization, "authentication-info": hAuthenticationInfo,
		"proxy-authentication-info": hProxyAuthenticationInfo,
		"x":                         0, "max-forwards": 0, "content-length": 0, "": 0,
	} {
		if got := headerID([]byte(name)); got != want {
			t.Errorf("headerID(%q) = %d, want %d", name, got, want)
		}
	}
}
