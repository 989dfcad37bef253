package pcapgen

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/digest/aka"
)

// This file builds testdata/auth: small captures of SIP authentication
// flows for the end-to-end golden test, with the credentials file that
// covers their users and, per capture, the exchanges a reference S-CSCF
// should report. Digest responses, rspauth values and AKA vectors are
// computed with the digest and digest/aka packages, so they are right
// unless a flow makes them wrong on purpose.

// AuthExchange is one request carrying credentials in an auth fixture and
// what a reference S-CSCF (TS 33.203 Annex N, RFC 7616, RFC 3261 22)
// should conclude about it. The names follow the "exchanges" of the JSON
// report (shared/spec/interface.md).
type AuthExchange struct {
	// Frame is the 1-based number of the packet that completed the
	// request (its last fragment or segment).
	Frame  int    `json:"frame"`
	Method string `json:"method"`
	// Header is Authorization or Proxy-Authorization.
	Header    string `json:"header"`
	Scheme    string `json:"scheme"`
	Username  string `json:"username"`
	Realm     string `json:"realm,omitempty"`
	Algorithm string `json:"algorithm,omitempty"`
	NC        string `json:"nc,omitempty"`
	// Reference is the verdict a reference S-CSCF gives: valid, invalid,
	// stale, replay, unknown-credentials or unverifiable.
	Reference string `json:"reference"`
	// Cause refines Reference (digest.Cause names).
	Cause string `json:"cause,omitempty"`
	// ServerVerdict is what the server in the capture did: accepted,
	// rejected, challenged, stale or no-response.
	ServerVerdict string `json:"server_verdict"`
	// Status is the final response's status code (0: none).
	Status int `json:"status"`
	// RspAuth is the check of the 2xx's Authentication-Info: valid,
	// invalid or missing; empty when there is no 2xx to Digest
	// credentials.
	RspAuth string `json:"rspauth,omitempty"`
	// Retransmissions counts captured retransmissions of the request.
	Retransmissions int `json:"retransmissions,omitempty"`
	// AKA is "sync-failure" for a resynchronisation request.
	AKA string `json:"aka,omitempty"`
	// AckCredentials says whether the ACK of an authenticated INVITE
	// repeats its credentials (same, different, missing); AckFrame is the
	// ACK's frame. An ACK is not an exchange of its own: it cannot be
	// challenged and carries the INVITE's credentials (RFC 3261 22.1).
	AckCredentials string `json:"ack_credentials,omitempty"`
	AckFrame       int    `json:"ack_frame,omitempty"`
	Note           string `json:"note,omitempty"`
}

// AuthExpectation is one entry of testdata/auth/expected.json: tshark's
// SIP counts (as in testdata/capture/expected.json) and the exchanges.
type AuthExpectation struct {
	Expectation
	Exchanges []AuthExchange `json:"exchanges"`
}

// AuthFixture is one generated capture of testdata/auth.
type AuthFixture struct {
	Name   string
	Data   []byte
	Expect AuthExpectation
}

// Realms and users of the auth fixtures. The passwords are made up; the
// UEs in the captures use them, and AuthCredentials lists what the
// reference knows about each user.
const (
	imsRealm = "ims.example.com"
	imsUser  = "001010123456789"
	imsIMPI  = imsUser + "@" + imsRealm

	alicePassword    = "Alice-2024!md5"
	bobPassword      = "b0b-Proxy#7"
	davePassword     = "dave.frag-93"
	erinPassword     = "Erin/ws-2024"
	carolOldPassword = "carol-OLD-2023"
	carolNewPassword = "carol-NEW-2024"
	frankPassword    = "frank_Basic1"
	frankWrong       = "frank_basic1"
)

// TS 35.208 4.3.1, Test Set 1: the AKA subscriber and the first vector.
const (
	akaK    = "465b5ce8b199b49faa5f0a2ee238a6bc"
	akaOPc  = "cd63cb71954a9f4e48a5994e37a02baf"
	akaAMF  = "b9b9"
	akaRAND = "23553cbe9637a89d218ae64dae47bf35"
	akaSQN  = "ff9bb4d0b607"
)

// AuthCredential is one row of testdata/auth/creds.csv.
type AuthCredential struct {
	Username, Realm, Password string
	// HA1SHA256 is set instead of Password for a user the HSS knows only
	// by its SD-AV H(A1)_SHA256 (TS 33.203 N.2.1.1 CM2).
	HA1SHA256 string
	// K, OPc and AMF (hex) are set for the IMS AKA subscriber.
	K, OPc, AMF string
}

// AuthCredentials returns the rows of testdata/auth/creds.csv, in file
// order: carol's old password comes before her new one (TS 33.203 N.2.5,
// the later row is the newer secret).
func AuthCredentials() []AuthCredential {
	return []AuthCredential{
		{Username: "alice", Realm: realm, Password: alicePassword},
		{Username: "bob", Realm: realm, Password: bobPassword},
		{Username: "dave", Realm: realm, Password: davePassword},
		{Username: "erin", Realm: realm, HA1SHA256: digest.HA1(digest.HashSHA256, "erin", realm, []byte(erinPassword))},
		{Username: "carol", Realm: realm, Password: carolOldPassword},
		{Username: "carol", Realm: realm, Password: carolNewPassword},
		{Username: "frank", Realm: realm, Password: frankPassword},
		{Username: imsIMPI, Realm: imsRealm, K: akaK, OPc: akaOPc, AMF: akaAMF},
	}
}

// AuthCredsCSV renders AuthCredentials as the credentials file of
// shared/spec/interface.md.
func AuthCredsCSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	rows := [][]string{{"username", "realm", "password", "ha1_md5", "ha1_sha256", "ha1_sha512_256", "k", "opc", "op", "amf"}}
	for _, c := range AuthCredentials() {
		rows = append(rows, []string{c.Username, c.Realm, c.Password, "", c.HA1SHA256, "", c.K, c.OPc, "", c.AMF})
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Endpoints of the auth fixtures (documentation ranges).
var (
	authAlice   = netip.MustParseAddrPort("192.0.2.10:5060")
	authBobTCP  = netip.MustParseAddrPort("192.0.2.20:49300")
	authDave    = netip.MustParseAddrPort("192.0.2.30:5060")
	authErinWS  = netip.MustParseAddrPort("192.0.2.40:49400")
	authCarol   = netip.MustParseAddrPort("192.0.2.50:5060")
	authUE      = netip.MustParseAddrPort("192.0.2.60:5060")
	authFrank6  = netip.MustParseAddrPort("[2001:db8::10]:5060")
	authCallee  = netip.MustParseAddrPort("203.0.113.20:5060")
	authCallee6 = netip.MustParseAddrPort("[2001:db8:1::20]:5060")
	authPCSCF   = netip.MustParseAddrPort("198.51.100.7:5060")
	authRegWS   = netip.MustParseAddrPort("198.51.100.5:8080")
)

// authNonce returns a deterministic 128-bit hex nonce for label.
func authNonce(label string) string { return token(32, "nonce", label) }

// authCNonce returns a deterministic client nonce for label.
func authCNonce(label string) string { return token(16, "cnonce", label) }

// respondAs returns a response to req like Response, with the To tag of
// who (the element that answers: a registrar or proxy that challenges
// has a different tag from the callee that answers 200).
func respondAs(req *Message, code int, reason, who string) *Message {
	r := Response(req, code, reason)
	if code > 100 && !strings.Contains(req.Get("To"), ";tag=") {
		callID := req.Get("Call-ID")
		for i, h := range r.Headers {
			if strings.EqualFold(h.Name, "To") {
				r.Headers[i].Value = strings.Replace(h.Value, ";tag="+Tag(callID, "uas"), ";tag="+Tag(callID, who), 1)
			}
		}
	}
	return r
}

// challengeResp returns a 401 (WWW-Authenticate) or 407
// (Proxy-Authenticate) answering req, with one header field per
// challenge, in order, and extra appended to the last one's value.
func challengeResp(req *Message, proxy bool, who string, chs []digest.Challenge, extra string) *Message {
	code, reason, name := 401, "Unauthorized", "WWW-Authenticate"
	if proxy {
		code, reason, name = 407, "Proxy Authentication Required", "Proxy-Authenticate"
	}
	r := respondAs(req, code, reason, who)
	for i, ch := range chs {
		v := ch.Auth().String()
		if i == len(chs)-1 {
			v += extra
		}
		r.Headers = append(r.Headers, Header{name, v})
	}
	return r
}

// failureAck returns the ACK of a non-2xx final response resp to invite
// (RFC 3261 17.1.1.3): same Request-URI, top Via (branch), Call-ID,
// From and CSeq number as the INVITE, To from the response.
func failureAck(invite, resp *Message) *Message {
	return &Message{
		Method:     "ACK",
		RequestURI: invite.RequestURI,
		Headers: []Header{
			{"Via", invite.Get("Via")},
			{"Max-Forwards", "70"},
			{"From", invite.Get("From")},
			{"To", resp.Get("To")},
			{"Call-ID", invite.Get("Call-ID")},
			{"CSeq", fmt.Sprintf("%d ACK", cseqNum(invite))},
			{"User-Agent", "pcapgen/1.0"},
		},
	}
}

// answer computes credentials for req answering ch as ue with cnonce and
// nc, and sets them in the header field name. It returns the credentials.
func answer(b *authBuilder, req *Message, name string, ue digest.UE, ch digest.Challenge, cnonce string, nc uint32) digest.Credentials {
	c, _, err := ue.Respond(ch, req.Method, req.RequestURI, req.Body, cnonce, nc)
	if err != nil {
		b.c.Fail(fmt.Errorf("pcapgen: %s: %w", req.Method, err))
		return c
	}
	req.Set(name, c.Auth().String())
	return c
}

// authInfo sets the Authentication-Info of a reference S-CSCF on the 2xx
// ok answering valid credentials c of user with secret s.
func authInfo(b *authBuilder, ok *Message, c digest.Credentials, user string, s digest.Secret) {
	ai, err := digest.AuthInfoFor(c, user, s, ok.Body)
	if err != nil {
		b.c.Fail(fmt.Errorf("pcapgen: Authentication-Info: %w", err))
		return
	}
	ok.Set("Authentication-Info", ai.Auth().String())
}

// authBuilder collects one auth fixture: the capture and the exchanges.
type authBuilder struct {
	c   *Capture
	exs []AuthExchange
}

func newAuthBuilder(links ...Link) *authBuilder { return &authBuilder{c: NewCapture(links...)} }

// frame is the number of the last captured packet.
func (b *authBuilder) frame() int { return len(b.c.Packets) }

// udp sends m in one datagram and returns its frame.
func (b *authBuilder) udp(src, dst netip.AddrPort, m *Message) int {
	b.c.UDP(src, dst, m)
	return b.frame()
}

// tcp sends m on f in direction dir cut by o, and returns the frame of
// its last segment; the peer's ACK follows.
func (b *authBuilder) tcp(f *Flow, dir Dir, o SendOpts, m *Message) int {
	o.NoAck = true
	f.SendWith(dir, o, m)
	n := b.frame()
	f.Ack(1 - dir)
	return n
}

// exchange records an expected exchange for request m (completed in
// frame) carrying credentials c in header field header.
func (b *authBuilder) exchange(frame int, m *Message, header string, c digest.Credentials, e AuthExchange) {
	e.Frame, e.Method, e.Header, e.Scheme = frame, m.Method, header, "Digest"
	e.Username, e.Realm, e.Algorithm, e.NC = c.Username, c.Realm, c.Algorithm.String(), c.NC
	b.exs = append(b.exs, e)
}

// acked records that the last exchange's INVITE was acknowledged at frame
// with its credentials repeated (or not).
func (b *authBuilder) acked(frame int, creds string) {
	e := &b.exs[len(b.exs)-1]
	e.AckFrame, e.AckCredentials = frame, creds
}

func (b *authBuilder) fixture(name, note string) (AuthFixture, error) {
	data, err := b.c.Pcap(PcapOptions{})
	e := AuthExpectation{Expectation: expect(b.c), Exchanges: b.exs}
	e.Note = note
	return AuthFixture{Name: name, Data: data, Expect: e}, err
}

// AuthFixtures builds every capture of testdata/auth, in a fixed order.
func AuthFixtures() ([]AuthFixture, error) {
	var out []AuthFixture
	for _, build := range []func() (AuthFixture, error){
		authUDPRegisterMD5,
		authTCPInviteSegmented,
		authUDPFragmentedInvite,
		authWSRegister,
		authPasswordChange,
		authAKARegister,
		authBasicAndWrong,
	} {
		f, err := build()
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// authUDPRegisterMD5: a registration answered by a UE that supports MD5
// only, although SHA-256 is offered first; a retransmission of the
// authenticated REGISTER; a refresh reusing the nonce with nc=00000002.
func authUDPRegisterMD5() (AuthFixture, error) {
	b := newAuthBuilder()
	c := b.c
	alice := ua("alice", authAlice, "UDP")
	const callID = "auth-md5-reg@192.0.2.10"
	n := authNonce("udp_register_md5")
	chs := []digest.Challenge{
		{Realm: realm, Nonce: n, Algorithm: digest.SHA256, QOP: []string{"auth"}},
		{Realm: realm, Nonce: n, Algorithm: digest.MD5, QOP: []string{"auth"}},
	}
	secret := digest.Secret{Password: []byte(alicePassword)}
	ue := digest.UE{Username: "alice", Secret: secret, Supported: []digest.Algorithm{digest.MD5}}

	r1 := Register(alice, callID, 1)
	r1.Set("Expires", "120")
	b.udp(authAlice, proxyAddr, r1)
	b.udp(proxyAddr, authAlice, challengeResp(r1, false, "registrar", chs, ""))

	ch, err := ue.Select(chs)
	if err != nil {
		return AuthFixture{}, err
	}
	r2 := Register(alice, callID, 2)
	r2.Set("Expires", "120")
	cr2 := answer(b, r2, "Authorization", ue, ch, authCNonce("alice-1"), 1)
	sent := c.Now
	f2 := b.udp(authAlice, proxyAddr, r2)
	c.Now = sent.Add(500 * time.Millisecond) // Timer E: T1
	b.udp(authAlice, proxyAddr, r2)
	ok2 := respondAs(r2, 200, "OK", "registrar")
	ok2.Set("Contact", alice.Contact()+";expires=120")
	authInfo(b, ok2, cr2, "alice", secret)
	b.udp(proxyAddr, authAlice, ok2)
	b.exchange(f2, r2, "Authorization", cr2, AuthExchange{Reference: "valid", Cause: "ok", ServerVerdict: "accepted", Status: 200, RspAuth: "valid", Retransmissions: 1,
		Note: "MD5 chosen although SHA-256 was offered first (UE supports MD5 only); retransmitted byte for byte 500 ms later"})

	// Refresh at half the registration interval, same nonce, next nc.
	c.Advance(60 * time.Second)
	r3 := Register(alice, callID, 3)
	r3.Set("Expires", "120")
	cr3 := answer(b, r3, "Authorization", ue, ch, authCNonce("alice-2"), 2)
	f3 := b.udp(authAlice, proxyAddr, r3)
	ok3 := respondAs(r3, 200, "OK", "registrar")
	ok3.Set("Contact", alice.Contact()+";expires=120")
	authInfo(b, ok3, cr3, "alice", secret)
	b.udp(proxyAddr, authAlice, ok3)
	b.exchange(f3, r3, "Authorization", cr3, AuthExchange{Reference: "valid", Cause: "ok", ServerVerdict: "accepted", Status: 200, RspAuth: "valid",
		Note: "refresh 60 s later reusing the nonce with nc=00000002"})

	return b.fixture("udp_register_md5.pcap", "")
}

// authTCPInviteSegmented: an INVITE over TCP challenged with 407
// (SHA-256), the authenticated INVITE with its Proxy-Authorization split
// across two segments, and the call through to BYE. The ACK of the 2xx
// repeats the INVITE's Proxy-Authorization (RFC 3261 22.1).
func authTCPInviteSegmented() (AuthFixture, error) {
	b := newAuthBuilder()
	c := b.c
	bob := ua("bob", authBobTCP, "TCP")
	callee := ua("alice", netip.AddrPortFrom(authCallee.Addr(), 5060), "TCP")
	const callID = "auth-tcp-invite@192.0.2.20"
	target := "sip:alice@" + realm
	rr := "<sip:198.51.100.5;transport=tcp;lr>"
	f := c.NewFlow(authBobTCP, proxyAddr, 3100000, 7200000)
	f.Handshake()

	inv1 := Invite(bob, target, callID, 1, SDP(authBobTCP.Addr(), 40100, 3101, 0))
	b.tcp(f, ToServer, SendOpts{}, inv1)
	ch := digest.Challenge{Realm: realm, Nonce: authNonce("tcp_invite_segmented"), Algorithm: digest.SHA256, QOP: []string{"auth"}}
	r407 := challengeResp(inv1, true, "proxy", []digest.Challenge{ch}, "")
	b.tcp(f, ToClient, SendOpts{}, r407)
	b.tcp(f, ToServer, SendOpts{}, failureAck(inv1, r407))

	ue := digest.UE{Username: "bob", Secret: digest.Secret{Password: []byte(bobPassword)}}
	inv2 := Invite(bob, target, callID, 2, SDP(authBobTCP.Addr(), 40100, 3101, 0))
	cr := answer(b, inv2, "Proxy-Authorization", ue, ch, authCNonce("bob-1"), 1)
	raw := inv2.Bytes()
	cut := bytes.Index(raw, []byte(`response="`))
	if cut < 0 || !bytes.Contains(raw[:cut], []byte("Proxy-Authorization: ")) {
		return AuthFixture{}, fmt.Errorf("pcapgen: no Proxy-Authorization to split")
	}
	cut += len(`response="`) + 20 // inside the response value
	fInv := b.tcp(f, ToServer, SendOpts{Sizes: []int{cut, DefaultMSS}}, inv2)
	b.tcp(f, ToClient, SendOpts{}, Response(inv2, 100, "Trying"))
	ring := respondAs(inv2, 180, "Ringing", "uas")
	ring.Set("Record-Route", rr)
	ring.Set("Contact", callee.Contact())
	b.tcp(f, ToClient, SendOpts{}, ring)
	ok := respondAs(inv2, 200, "OK", "uas")
	ok.Set("Record-Route", rr)
	ok.Set("Contact", callee.Contact())
	ok.Set("Content-Type", "application/sdp")
	ok.Body = SDP(authCallee.Addr(), 50100, 3102, 0)
	b.tcp(f, ToClient, SendOpts{}, ok)
	b.exchange(fInv, inv2, "Proxy-Authorization", cr, AuthExchange{Reference: "valid", Cause: "ok", ServerVerdict: "accepted", Status: 200, RspAuth: "missing",
		Note: "Proxy-Authorization split across two TCP segments, inside the response value"})

	ack := Ack(bob, inv2, ok)
	ack.Set("Route", rr)
	ack.Set("Proxy-Authorization", inv2.Get("Proxy-Authorization"))
	fAck := b.tcp(f, ToServer, SendOpts{}, ack)
	b.acked(fAck, "same")

	c.Advance(5 * time.Second)
	bye := Bye(bob, inv2, ok, 3)
	bye.Set("Route", rr)
	b.tcp(f, ToServer, SendOpts{}, bye)
	b.tcp(f, ToClient, SendOpts{}, Response(bye, 200, "OK"))
	f.Close(ToServer)
	return b.fixture("tcp_invite_segmented.pcap", "")
}

// authUDPFragmentedInvite: an INVITE larger than the MTU, sent as IPv4
// fragments, challenged with 407 (SHA-512-256), then the authenticated
// INVITE, also fragmented, 200 and ACK.
func authUDPFragmentedInvite() (AuthFixture, error) {
	b := newAuthBuilder()
	dave := ua("dave", authDave, "UDP")
	callee := ua("erin", authCallee, "UDP")
	const callID = "auth-frag-invite@192.0.2.30"
	target := "sip:erin@" + realm
	sdp := SDP(authDave.Addr(), 40200, 3201, 2200)

	inv1 := Invite(dave, target, callID, 1, sdp)
	b.c.UDPFragments4(authDave, proxyAddr, 0x5101, 1480, nil, inv1)
	ch := digest.Challenge{Realm: realm, Nonce: authNonce("udp_fragmented_invite"), Algorithm: digest.SHA512_256, QOP: []string{"auth"}}
	r407 := challengeResp(inv1, true, "proxy", []digest.Challenge{ch}, "")
	b.udp(proxyAddr, authDave, r407)
	b.udp(authDave, proxyAddr, failureAck(inv1, r407))

	ue := digest.UE{Username: "dave", Secret: digest.Secret{Password: []byte(davePassword)}}
	inv2 := Invite(dave, target, callID, 2, sdp)
	cr := answer(b, inv2, "Proxy-Authorization", ue, ch, authCNonce("dave-1"), 1)
	b.c.UDPFragments4(authDave, proxyAddr, 0x5102, 1480, nil, inv2)
	fInv := b.frame()
	b.udp(proxyAddr, authDave, Response(inv2, 100, "Trying"))
	ok := respondAs(inv2, 200, "OK", "uas")
	ok.Set("Contact", callee.Contact())
	ok.Set("Content-Type", "application/sdp")
	ok.Body = SDP(authCallee.Addr(), 50200, 3202, 0)
	b.udp(proxyAddr, authDave, ok)
	b.exchange(fInv, inv2, "Proxy-Authorization", cr, AuthExchange{Reference: "valid", Cause: "ok", ServerVerdict: "accepted", Status: 200, RspAuth: "missing",
		Note: "INVITE in two IPv4 fragments"})
	ack := Ack(dave, inv2, ok)
	ack.Set("Proxy-Authorization", inv2.Get("Proxy-Authorization"))
	fAck := b.udp(authDave, proxyAddr, ack)
	b.acked(fAck, "same")
	return b.fixture("udp_fragmented_invite.pcap", "")
}

// authWSRegister: a registration over WebSocket (RFC 7118) answered with
// SHA-256 by a user the HSS knows by its SD-AV H(A1)_SHA256 only; the 200
// has no Authentication-Info.
func authWSRegister() (AuthFixture, error) {
	b := newAuthBuilder()
	c := b.c
	f := c.NewFlow(authErinWS, authRegWS, 4100000, 8200000)
	f.Transport = "ws"
	f.Handshake()
	const key = "cGNhcGdlbi1hdXRoLXdzIQ=="
	f.Send(ToServer, Raw(WSUpgradeRequest(authRegWS.String(), "/", key)))
	f.Send(ToClient, Raw(WSUpgradeResponse(key)))
	erin := ua("erin", authErinWS, "WS")
	const callID = "auth-ws-reg@192.0.2.40"
	masks := 0
	send := func(dir Dir, m *Message) int {
		var mask []byte
		if dir == ToServer {
			masks++
			mask = mustHex(token(8, "wsmask", callID, fmt.Sprint(masks)))
		}
		f.SendWith(dir, SendOpts{NoAck: true}, Raw(WSFrame(true, WSText, mask, m.Bytes())))
		c.Expect("ws", m)
		n := b.frame()
		f.Ack(1 - dir)
		return n
	}
	r1 := Register(erin, callID, 1)
	send(ToServer, r1)
	ch := digest.Challenge{Realm: realm, Nonce: authNonce("ws_register"), Algorithm: digest.SHA256, QOP: []string{"auth"}}
	send(ToClient, challengeResp(r1, false, "registrar", []digest.Challenge{ch}, ""))
	ue := digest.UE{Username: "erin", Secret: digest.Secret{Password: []byte(erinPassword)}}
	r2 := Register(erin, callID, 2)
	cr := answer(b, r2, "Authorization", ue, ch, authCNonce("erin-1"), 1)
	fr := send(ToServer, r2)
	ok := respondAs(r2, 200, "OK", "registrar")
	ok.Set("Contact", erin.Contact()+";expires=3600")
	send(ToClient, ok)
	b.exchange(fr, r2, "Authorization", cr, AuthExchange{Reference: "valid", Cause: "ok", ServerVerdict: "accepted", Status: 200, RspAuth: "missing",
		Note: "SHA-256 verified against the SD-AV H(A1)_SHA256; the 200 carries no Authentication-Info (SA104)"})
	return b.fixture("ws_register.pcap", "")
}

// authPasswordChange: carol registers with her old password while the
// HSS holds the old and the new one (TS 33.203 N.2.5), later with the new
// one, then again with the old one, which the server wrongly accepts
// although the new password has been used successfully (SA507).
func authPasswordChange() (AuthFixture, error) {
	b := newAuthBuilder()
	c := b.c
	carol := ua("carol", authCarol, "UDP")
	const callID = "auth-pwchange@192.0.2.50"
	cseq := 0
	register := func(label, password string, gap time.Duration, e AuthExchange) {
		c.Advance(gap)
		cseq++
		r1 := Register(carol, callID, cseq)
		b.udp(authCarol, proxyAddr, r1)
		chs := []digest.Challenge{
			{Realm: realm, Nonce: authNonce("password_change/" + label), Algorithm: digest.SHA256, QOP: []string{"auth"}},
			{Realm: realm, Nonce: authNonce("password_change/" + label), Algorithm: digest.MD5, QOP: []string{"auth"}},
		}
		b.udp(proxyAddr, authCarol, challengeResp(r1, false, "registrar", chs, ""))
		secret := digest.Secret{Password: []byte(password)}
		ue := digest.UE{Username: "carol", Secret: secret}
		ch, err := ue.Select(chs)
		if err != nil {
			c.Fail(err)
			return
		}
		cseq++
		r2 := Register(carol, callID, cseq)
		cr := answer(b, r2, "Authorization", ue, ch, authCNonce("carol-"+label), 1)
		fr := b.udp(authCarol, proxyAddr, r2)
		ok := respondAs(r2, 200, "OK", "registrar")
		ok.Set("Contact", carol.Contact()+";expires=3600")
		authInfo(b, ok, cr, "carol", secret)
		b.udp(proxyAddr, authCarol, ok)
		e.ServerVerdict, e.Status = "accepted", 200
		b.exchange(fr, r2, "Authorization", cr, e)
	}
	register("old-1", carolOldPassword, 0, AuthExchange{Reference: "valid", Cause: "ok", RspAuth: "valid",
		Note: "old password while the HSS holds both (N.2.5): matches the older secret"})
	register("new", carolNewPassword, 120*time.Second, AuthExchange{Reference: "valid", Cause: "ok", RspAuth: "valid",
		Note: "new password used successfully: the old one must now be deleted (N.2.5)"})
	register("old-2", carolOldPassword, 120*time.Second, AuthExchange{Reference: "invalid", Cause: "superseded-secret", RspAuth: "invalid",
		Note: "old password again, accepted by the server (SA507); the rspauth is computed with the old password, which the reference no longer holds"})
	return b.fixture("password_change.pcap", "")
}

// mustHex decodes a hex constant.
func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// authAKARegister: IMS AKA over UDP between a UE and its P-CSCF. First
// an initial registration (empty nonce and response, 401 AKAv1-MD5 built
// from TS 35.208 Test Set 1, AKAv1-MD5 answer, 200). Then, after a
// restart, a challenge whose SQN the UE has already seen: the UE answers
// with auts and a response over the empty password (RFC 3310 3.4), the
// network re-challenges with AKAv2-MD5, wrongly leaving ck and ik in the
// 401 (SA502), and the UE registers.
func authAKARegister() (AuthFixture, error) {
	b := newAuthBuilder()
	c := b.c
	ueUA := UA{User: imsUser, Domain: imsRealm, Addr: authUE}
	sub := aka.Subscriber{K: mustHex(akaK), OPc: mustHex(akaOPc), AMF: mustHex(akaAMF)}
	m, err := sub.Milenage()
	if err != nil {
		return AuthFixture{}, err
	}
	secret := digest.Secret{AKA: sub}
	ue := digest.UE{Username: imsIMPI, Secret: secret}
	initial := fmt.Sprintf(`Digest username="%s", realm="%s", nonce="", uri="sip:%s", response=""`, imsIMPI, imsRealm, imsRealm)
	initialEx := func(fr int, r *Message) {
		b.exs = append(b.exs, AuthExchange{Frame: fr, Method: r.Method, Header: "Authorization", Scheme: "Digest",
			Username: imsIMPI, Realm: imsRealm, Reference: "unverifiable", Cause: "initial", ServerVerdict: "challenged", Status: 401,
			Note: "initial REGISTER giving the IMPI: empty nonce and response (TS 24.229 5.1.1.2.1); no algorithm parameter on the wire (RFC 7616 3.3: absent means MD5)"})
	}
	imsRegister := func(callID string, cseq int) *Message {
		r := Register(ueUA, callID, cseq)
		r.Set("Expires", "600000")
		r.Set("Supported", "path")
		return r
	}
	ok200 := func(r *Message, cr digest.Credentials) *Message {
		ok := respondAs(r, 200, "OK", "scscf")
		ok.Set("Contact", ueUA.Contact()+";expires=600000")
		ok.Set("P-Associated-URI", "<"+ueUA.AOR()+">")
		authInfo(b, ok, cr, imsIMPI, secret)
		return ok
	}

	// Flow 1: initial registration, AKAv1-MD5.
	const call1 = "auth-aka-1@192.0.2.60"
	r1 := imsRegister(call1, 1)
	r1.Set("Authorization", initial)
	initialEx(b.udp(authUE, authPCSCF, r1), r1)
	n1, _, err := sub.Challenge(mustHex(akaRAND), mustHex(akaSQN), nil)
	if err != nil {
		return AuthFixture{}, err
	}
	ch1 := digest.Challenge{Realm: imsRealm, Nonce: n1, Algorithm: digest.AKAv1MD5, QOP: []string{"auth"}}
	b.udp(authPCSCF, authUE, challengeResp(r1, false, "scscf", []digest.Challenge{ch1}, ""))
	r2 := imsRegister(call1, 2)
	cr2 := answer(b, r2, "Authorization", ue, ch1, authCNonce("aka-1"), 1)
	f2 := b.udp(authUE, authPCSCF, r2)
	b.udp(authPCSCF, authUE, ok200(r2, cr2))
	b.exchange(f2, r2, "Authorization", cr2, AuthExchange{Reference: "valid", Cause: "ok", ServerVerdict: "accepted", Status: 200, RspAuth: "valid",
		Note: "AKAv1-MD5, password RES = a54211d5e3ba50bf (TS 35.208 Test Set 1)"})

	// Flow 2: the UE restarts; the network's SQN is behind the UE's.
	c.Advance(120 * time.Second)
	const call2 = "auth-aka-2@192.0.2.60"
	r3 := imsRegister(call2, 1)
	r3.Set("Authorization", initial)
	initialEx(b.udp(authUE, authPCSCF, r3), r3)
	rand2 := mustHex("9a8b7c6d5e4f30211203f4e5d6c7b8a9")
	sqn2 := mustHex("ff9bb4d0b5e7") // at or below the UE's highest accepted SQN
	n2, vec2, err := sub.Challenge(rand2, sqn2, nil)
	if err != nil {
		return AuthFixture{}, err
	}
	sqnMS := mustHex(akaSQN)
	gotSQN, _, _, _, err := m.CheckAUTN(rand2, vec2.AUTN)
	if err != nil {
		return AuthFixture{}, err
	}
	if err := aka.CheckSQN(gotSQN, sqnMS); err == nil {
		return AuthFixture{}, fmt.Errorf("pcapgen: SQN %x would not fail the UE's check", gotSQN)
	}
	ch2 := digest.Challenge{Realm: imsRealm, Nonce: n2, Algorithm: digest.AKAv1MD5, QOP: []string{"auth"}}
	b.udp(authPCSCF, authUE, challengeResp(r3, false, "scscf", []digest.Challenge{ch2}, ""))
	rawAUTS, err := m.GenerateAUTS(rand2, sqnMS)
	if err != nil {
		return AuthFixture{}, err
	}
	auts, err := aka.EncodeAUTS(rawAUTS)
	if err != nil {
		return AuthFixture{}, err
	}
	r4 := imsRegister(call2, 2)
	cr4 := digest.Credentials{Username: imsIMPI, Realm: imsRealm, Nonce: n2, URI: r4.RequestURI,
		Algorithm: digest.AKAv1MD5, CNonce: authCNonce("aka-resync"), QOP: "auth", NC: "00000001", AUTS: auts}
	cr4.Response, _ = cr4.Input(imsIMPI, r4.Method, nil).Response(
		digest.HA1(digest.HashMD5, imsIMPI, imsRealm, []byte(aka.ResyncPassword)))
	r4.Set("Authorization", cr4.Auth().String())
	f4 := b.udp(authUE, authPCSCF, r4)
	// The network resynchronises and challenges with SQN_MS + 32.
	rand3 := mustHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
	sqn3 := mustHex("ff9bb4d0b627")
	n3, vec3, err := sub.Challenge(rand3, sqn3, nil)
	if err != nil {
		return AuthFixture{}, err
	}
	ch3 := digest.Challenge{Realm: imsRealm, Nonce: n3, Algorithm: digest.AKAv2MD5, QOP: []string{"auth"}}
	leak := fmt.Sprintf(`, ck="%x", ik="%x"`, vec3.CK, vec3.IK)
	b.udp(authPCSCF, authUE, challengeResp(r4, false, "scscf", []digest.Challenge{ch3}, leak))
	b.exchange(f4, r4, "Authorization", cr4, AuthExchange{Reference: "invalid", Cause: "aka-sync-failure", AKA: "sync-failure",
		ServerVerdict: "challenged", Status: 401,
		Note: "auts = AUTS for SQN_MS ff9bb4d0b607, response over the empty password (RFC 3310 3.4); the 401 answering it leaks ck and ik (SA502)"})
	r5 := imsRegister(call2, 3)
	cr5 := answer(b, r5, "Authorization", ue, ch3, authCNonce("aka-2"), 1)
	f5 := b.udp(authUE, authPCSCF, r5)
	b.udp(authPCSCF, authUE, ok200(r5, cr5))
	b.exchange(f5, r5, "Authorization", cr5, AuthExchange{Reference: "valid", Cause: "ok", ServerVerdict: "accepted", Status: 200, RspAuth: "valid",
		Note: "AKAv2-MD5 after resynchronisation"})
	return b.fixture("aka_register.pcap", "")
}

// authBasicAndWrong: over UDP/IPv6, a REGISTER with Basic credentials,
// a Digest answer with a wrong password (403), a fresh challenge and the
// right password; then two calls whose Proxy-Authorization uses one nonce
// with nc=00000002 and then nc=00000001, both answered 200 (SA201).
func authBasicAndWrong() (AuthFixture, error) {
	b := newAuthBuilder()
	c := b.c
	reg := proxy6Addr
	frank := ua("frank", authFrank6, "UDP")
	secret := digest.Secret{Password: []byte(frankPassword)}
	good := digest.UE{Username: "frank", Secret: secret}
	bad := digest.UE{Username: "frank", Secret: digest.Secret{Password: []byte(frankWrong)}}
	const regCall = "auth-basic-reg@frank.example.com"

	r1 := Register(frank, regCall, 1)
	r1.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("frank:"+frankPassword)))
	f1 := b.udp(authFrank6, reg, r1)
	chA := digest.Challenge{Realm: realm, Nonce: authNonce("basic_and_wrong/A"), Algorithm: digest.SHA256, QOP: []string{"auth"}}
	b.udp(reg, authFrank6, challengeResp(r1, false, "registrar", []digest.Challenge{chA}, ""))
	b.exs = append(b.exs, AuthExchange{Frame: f1, Method: "REGISTER", Header: "Authorization", Scheme: "Basic", Username: "frank",
		Reference: "valid", Cause: "ok", ServerVerdict: "challenged", Status: 401,
		Note: "Basic credentials: the right password in clear (SA301)"})

	r2 := Register(frank, regCall, 2)
	cr2 := answer(b, r2, "Authorization", bad, chA, authCNonce("frank-wrong"), 1)
	f2 := b.udp(authFrank6, reg, r2)
	b.udp(reg, authFrank6, respondAs(r2, 403, "Forbidden", "registrar"))
	b.exchange(f2, r2, "Authorization", cr2, AuthExchange{Reference: "invalid", Cause: "wrong-digest", ServerVerdict: "rejected", Status: 403,
		Note: "wrong password"})

	c.Advance(3 * time.Second)
	r3 := Register(frank, regCall, 3)
	b.udp(authFrank6, reg, r3)
	chB := digest.Challenge{Realm: realm, Nonce: authNonce("basic_and_wrong/B"), Algorithm: digest.SHA256, QOP: []string{"auth"}}
	b.udp(reg, authFrank6, challengeResp(r3, false, "registrar", []digest.Challenge{chB}, ""))
	r4 := Register(frank, regCall, 4)
	cr4 := answer(b, r4, "Authorization", good, chB, authCNonce("frank-right"), 1)
	f4 := b.udp(authFrank6, reg, r4)
	ok4 := respondAs(r4, 200, "OK", "registrar")
	ok4.Set("Contact", frank.Contact()+";expires=3600")
	authInfo(b, ok4, cr4, "frank", secret)
	b.udp(reg, authFrank6, ok4)
	b.exchange(f4, r4, "Authorization", cr4, AuthExchange{Reference: "valid", Cause: "ok", ServerVerdict: "accepted", Status: 200, RspAuth: "valid"})

	// Two calls through the proxy on one Proxy-Authenticate nonce.
	c.Advance(10 * time.Second)
	callee := ua("grace", authCallee6, "UDP")
	target := "sip:grace@" + realm
	chP := digest.Challenge{Realm: realm, Nonce: authNonce("basic_and_wrong/P"), Algorithm: digest.MD5, QOP: []string{"auth"}}
	// challenged: the call starts with an INVITE the proxy challenges;
	// otherwise the UE reuses the cached nonce at once.
	call := func(callID string, challenged bool, nc uint32, e AuthExchange) {
		cseq := 1
		if challenged {
			inv := Invite(frank, target, callID, cseq, SDP(authFrank6.Addr(), 40300, 3301, 0))
			b.udp(authFrank6, reg, inv)
			r407 := challengeResp(inv, true, "proxy", []digest.Challenge{chP}, "")
			b.udp(reg, authFrank6, r407)
			b.udp(authFrank6, reg, failureAck(inv, r407))
			cseq++
		}
		inv := Invite(frank, target, callID, cseq, SDP(authFrank6.Addr(), 40300, 3301, 0))
		cr := answer(b, inv, "Proxy-Authorization", good, chP, authCNonce(callID), nc)
		fi := b.udp(authFrank6, reg, inv)
		b.udp(reg, authFrank6, Response(inv, 100, "Trying"))
		ok := respondAs(inv, 200, "OK", "uas")
		ok.Set("Contact", callee.Contact())
		ok.Set("Content-Type", "application/sdp")
		ok.Body = SDP(authCallee6.Addr(), 50300, 3302, 0)
		b.udp(reg, authFrank6, ok)
		e.ServerVerdict, e.Status, e.RspAuth = "accepted", 200, "missing"
		b.exchange(fi, inv, "Proxy-Authorization", cr, e)
		ack := Ack(frank, inv, ok)
		ack.Set("Proxy-Authorization", inv.Get("Proxy-Authorization"))
		fa := b.udp(authFrank6, reg, ack)
		b.acked(fa, "same")
		c.Advance(2 * time.Second)
		bye := Bye(frank, inv, ok, cseq+1)
		b.udp(authFrank6, reg, bye)
		b.udp(reg, authFrank6, Response(bye, 200, "OK"))
	}
	call("auth-call-a@frank.example.com", true, 2,
		AuthExchange{Reference: "valid", Cause: "ok", Note: "first use of the nonce, with nc=00000002; the ACK repeats the credentials (RFC 3261 22.1)"})
	c.Advance(5 * time.Second)
	call("auth-call-b@frank.example.com", false, 1,
		AuthExchange{Reference: "replay", Cause: "nc-replay", Note: "same nonce, nc goes back to 00000001; the server accepts the replay (SA201, SA202)"})
	return b.fixture("basic_and_wrong.pcap", "")
}
