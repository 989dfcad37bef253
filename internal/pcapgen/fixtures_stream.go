package pcapgen

import (
	"bytes"
	"net/netip"
)

// tcpClient is the client end used by the TCP fixtures.
func tcpClient(port uint16) netip.AddrPort {
	return netip.AddrPortFrom(aliceAddr.Addr(), port)
}

// fixTCPCoalescedSplit writes fixture 9: one TCP connection where a
// message spans three segments, a CRLFCRLF keep-alive (answered by a CRLF
// pong) sits between messages in segments of its own, one segment carries
// three requests (the last one in compact form with "l:"), and one
// segment carries the three responses.
func fixTCPCoalescedSplit() ([]Fixture, error) {
	c := NewCapture()
	client := tcpClient(49152)
	alice := ua("alice", client, "TCP")
	f := c.NewFlow(client, proxyAddr, 1000, 500000)
	f.Handshake()
	r1 := Register(alice, "reg-tcp@pcapgen", 1)
	f.Send(ToServer, r1)
	ch := Challenge(r1, realm, nonce)
	f.Send(ToClient, ch)
	r2 := Authorize(Register(alice, "reg-tcp@pcapgen", 2), "alice", "secret", realm, nonce)
	f.SendWith(ToServer, SendOpts{Sizes: []int{120, 200, DefaultMSS}}, r2)
	f.Send(ToClient, Response(r2, 200, "OK"))
	f.Send(ToServer, Raw("\r\n\r\n"))
	f.Send(ToClient, Raw("\r\n"))
	o1 := Options(alice, "sip:"+realm, "opt-a@pcapgen", 1)
	msg := NewRequest("MESSAGE", alice, "sip:bob@"+realm, "sip:bob@"+realm, "msg-a@pcapgen", 1)
	msg.Set("Content-Type", "text/plain")
	msg.Body = []byte("Hello Bob\r\n")
	o2 := Options(alice, "sip:"+realm, "opt-b@pcapgen", 1).Compact()
	f.Send(ToServer, o1, msg, o2)
	f.Send(ToClient, Response(o1, 200, "OK"), Response(msg, 202, "Accepted"), Response(o2, 200, "OK"))
	f.Close(ToServer)
	data, err := c.Pcap(PcapOptions{})
	return []Fixture{{Name: "tcp_coalesced_and_split.pcap", Data: data, Expect: expect(c)}}, err
}

// fixTCPKeepaliveInSegment writes a fixture tshark cannot judge: CRLFCRLF
// keep-alives inside segments that also carry SIP messages, once between
// two messages and once before a message. RFC 3261 7.5 requires the CRLFs
// before a start line to be ignored, so all three requests count; tshark
// 4.0 stops dissecting a segment at the first CRLF after a message. The
// oracle is the same connection without the keep-alives.
func fixTCPKeepaliveInSegment() ([]Fixture, error) {
	build := func(keepalive Payload) ([]byte, *Capture, error) {
		c := NewCapture()
		client := tcpClient(49156)
		alice := ua("alice", client, "TCP")
		f := c.NewFlow(client, proxyAddr, 2000, 600000)
		f.Handshake()
		o1 := Options(alice, "sip:"+realm, "ka-opt-1@pcapgen", 1)
		msg := NewRequest("MESSAGE", alice, "sip:bob@"+realm, "sip:bob@"+realm, "ka-msg@pcapgen", 1)
		msg.Set("Content-Type", "text/plain")
		msg.Body = []byte("Hello Bob\r\n")
		f.Send(ToServer, o1, keepalive, msg)
		f.Send(ToClient, Response(o1, 200, "OK"), Response(msg, 202, "Accepted"))
		o2 := Options(alice, "sip:"+realm, "ka-opt-2@pcapgen", 1)
		f.Send(ToServer, keepalive, o2)
		f.Send(ToClient, Response(o2, 200, "OK"))
		f.Close(ToServer)
		data, err := c.Pcap(PcapOptions{})
		return data, c, err
	}
	data, c, err := build(Raw("\r\n\r\n"))
	if err != nil {
		return nil, err
	}
	oracle, _, err := build(Raw(nil))
	e := expect(c)
	no := false
	e.Tshark = &no
	e.Note = "counts follow RFC 3261 7.5 (CRLFs before a start line are ignored): tshark 4.0 stops dissecting a TCP segment at a CRLFCRLF keep-alive that shares it with SIP messages and reports only OPTIONS 1 and the three responses; without the keep-alives tshark reports these counts"
	return []Fixture{{Name: "tcp_keepalive_inside_segment.pcap", Data: data, Expect: e, Oracle: oracle}}, err
}

// fixTCPRetransOOO writes fixture 10: a REGISTER whose segment is
// captured twice (exact duplicate), and a second REGISTER in two
// segments captured in swapped order.
func fixTCPRetransOOO() ([]Fixture, error) {
	c := NewCapture()
	client := tcpClient(49160)
	alice := ua("alice", client, "TCP")
	f := c.NewFlow(client, proxyAddr, 7000, 900000)
	f.Handshake()
	r1 := Register(alice, "reg-retx@pcapgen", 1)
	f.SendWith(ToServer, SendOpts{Retransmit: []int{0}}, r1)
	ch := Challenge(r1, realm, nonce)
	f.Send(ToClient, ch)
	r2 := Authorize(Register(alice, "reg-retx@pcapgen", 2), "alice", "secret", realm, nonce)
	f.SendWith(ToServer, SendOpts{Sizes: []int{300, DefaultMSS}, Order: []int{1, 0}}, r2)
	f.Send(ToClient, Response(r2, 200, "OK"))
	f.Close(ToServer)
	data, err := c.Pcap(PcapOptions{})
	e := expect(c)
	e.TsharkArgs = []string{"-o", "tcp.reassemble_out_of_order:TRUE"}
	e.Note = "tshark 4.0 does not reassemble out-of-order TCP segments by default and then misses the second REGISTER; the retransmitted segment is not counted again"
	return []Fixture{{Name: "tcp_retrans_out_of_order.pcap", Data: data, Expect: e}}, err
}

// fixTCPMidstream writes fixture 11: a connection captured without its
// handshake whose first segment is the second half of an INVITE, followed
// by complete messages.
func fixTCPMidstream() ([]Fixture, error) {
	c := NewCapture()
	client := tcpClient(49170)
	caller, callee := ua("alice", client, "TCP"), ua("bob", bobAddr, "TCP")
	inv := Invite(caller, callee.AOR(), "mid@pcapgen", 1, SDP(client.Addr(), 40000, 1101, 0))
	b := inv.Bytes()
	f := c.NewFlow(client, bobAddr, 3000000, 4000000)
	f.Send(ToServer, Raw(b[len(b)/2:])) // not counted: its start was not captured
	f.Send(ToClient, Response(inv, 100, "Trying"))
	ring := Response(inv, 180, "Ringing")
	ring.Set("Contact", callee.Contact())
	f.Send(ToClient, ring)
	ok := Response(inv, 200, "OK")
	ok.Set("Contact", callee.Contact())
	ok.Set("Content-Type", "application/sdp")
	ok.Body = SDP(bobAddr.Addr(), 50000, 1102, 0)
	f.Send(ToClient, ok)
	f.Send(ToServer, Ack(caller, inv, ok))
	bye := Bye(caller, inv, ok, 2)
	f.Send(ToServer, bye)
	f.Send(ToClient, Response(bye, 200, "OK"))
	data, err := c.Pcap(PcapOptions{})
	return []Fixture{{Name: "tcp_midstream.pcap", Data: data, Expect: expect(c)}}, err
}

// fixTCPContentLengthBody writes fixture 12: MESSAGE bodies containing a
// blank line and text that looks like SIP start lines. The first body is
// cut so that a segment starts with "INVITE sip:x SIP/2.0"; the second
// starts with "SIP/2.0 200 OK" and shares its segment with an OPTIONS.
func fixTCPContentLengthBody() ([]Fixture, error) {
	c := NewCapture()
	client := tcpClient(49180)
	alice := ua("alice", client, "TCP")
	f := c.NewFlow(client, proxyAddr, 11000, 22000)
	f.Handshake()
	m1 := NewRequest("MESSAGE", alice, "sip:bob@"+realm, "sip:bob@"+realm, "body-1@pcapgen", 1)
	m1.Set("Content-Type", "text/plain")
	m1.Body = []byte("Quoted request follows.\r\n\r\nINVITE sip:x SIP/2.0\r\n" +
		"Via: SIP/2.0/TCP 192.0.2.99:5060;branch=z9hG4bKnotreal\r\nContent-Length: 0\r\n\r\nend of quote\r\n")
	cut := bytes.Index(m1.Bytes(), []byte("INVITE sip:x"))
	f.SendWith(ToServer, SendOpts{Sizes: []int{cut, DefaultMSS}}, m1)
	f.Send(ToClient, Response(m1, 200, "OK"))
	m2 := NewRequest("MESSAGE", alice, "sip:bob@"+realm, "sip:bob@"+realm, "body-2@pcapgen", 1)
	m2.Set("Content-Type", "text/plain")
	m2.Body = []byte("SIP/2.0 200 OK\r\nCSeq: 1 MESSAGE\r\n\r\n\r\nBYE sip:y SIP/2.0\r\n")
	o := Options(alice, "sip:"+realm, "body-opt@pcapgen", 1)
	f.Send(ToServer, m2, o)
	f.Send(ToClient, Response(m2, 200, "OK"), Response(o, 200, "OK"))
	f.Close(ToServer)
	data, err := c.Pcap(PcapOptions{})
	return []Fixture{{Name: "tcp_content_length_body.pcap", Data: data, Expect: expect(c)}}, err
}

// fixTLS writes fixture 13: a TLS handshake and application data records
// on TCP 5061; no SIP is visible.
func fixTLS() ([]Fixture, error) {
	c := NewCapture()
	client := tcpClient(49190)
	server := netip.AddrPortFrom(proxyAddr.Addr(), 5061)
	f := c.NewFlow(client, server, 123456, 654321)
	f.Transport = "tls"
	f.Handshake()
	f.Send(ToServer, Raw(TLSClientHello("sip.example.com")))
	f.Send(ToClient, Raw(TLSServerHello("sip.example.com")))
	f.Send(ToServer, Raw(TLSRecord(TLSChangeCipherSpec, 0x0303, []byte{1})),
		Raw(TLSRecord(TLSHandshake, 0x0303, TLSOpaque("client-finished", 40)[5:])))
	f.Send(ToClient, Raw(TLSRecord(TLSChangeCipherSpec, 0x0303, []byte{1})),
		Raw(TLSRecord(TLSHandshake, 0x0303, TLSOpaque("server-finished", 40)[5:])))
	f.Send(ToServer, Raw(TLSOpaque("client-register", 620)))
	f.Send(ToClient, Raw(TLSOpaque("server-401", 480)))
	f.Close(ToServer)
	data, err := c.Pcap(PcapOptions{})
	e := expect(c)
	e.Note = "TLS records on TCP 5061: encrypted SIP, zero messages visible"
	return []Fixture{{Name: "tls_5061.pcap", Data: data, Expect: e}}, err
}

// wsPort is the TCP port of the WebSocket fixture.
const wsPort = 8080

// fixWebSocket writes fixture 16: SIP over WebSocket (RFC 7118) after an
// HTTP Upgrade: a masked text frame, an unmasked server frame, a message
// in two fragments with a ping and pong between them, and a final
// response.
func fixWebSocket() ([]Fixture, error) {
	c := NewCapture()
	client := tcpClient(49200)
	server := netip.AddrPortFrom(proxyAddr.Addr(), wsPort)
	f := c.NewFlow(client, server, 42000, 84000)
	f.Transport = "ws"
	f.Handshake()
	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	f.Send(ToServer, Raw(WSUpgradeRequest(server.String(), "/", key)))
	f.Send(ToClient, Raw(WSUpgradeResponse(key)))
	alice := ua("alice", client, "WS")
	r1 := Register(alice, "reg-ws@pcapgen", 1)
	f.Send(ToServer, Raw(WSFrame(true, WSText, []byte{0x11, 0x22, 0x33, 0x44}, r1.Bytes())))
	ch := Challenge(r1, realm, nonce)
	f.Send(ToClient, Raw(WSFrame(true, WSText, nil, ch.Bytes())))
	r2 := Authorize(Register(alice, "reg-ws@pcapgen", 2), "alice", "secret", realm, nonce)
	b := r2.Bytes()
	half := len(b) / 2
	f.Send(ToServer, Raw(WSFrame(false, WSText, []byte{0xa1, 0xb2, 0xc3, 0xd4}, b[:half])))
	f.Send(ToServer, Raw(WSFrame(true, WSPing, []byte{0x01, 0x02, 0x03, 0x04}, []byte("keepalive"))))
	f.Send(ToClient, Raw(WSFrame(true, WSPong, nil, []byte("keepalive"))))
	f.Send(ToServer, Raw(WSFrame(true, WSContinuation, []byte{0x5a, 0x6b, 0x7c, 0x8d}, b[half:])))
	ok := Response(r2, 200, "OK")
	ok.Set("Contact", alice.Contact()+";expires=3600")
	f.Send(ToClient, Raw(WSFrame(true, WSText, nil, ok.Bytes())))
	c.Expect("ws", r1, ch, r2, ok)
	data, err := c.Pcap(PcapOptions{})
	return []Fixture{{Name: "websocket_sip.pcap", Data: data, Expect: expect(c)}}, err
}

// fixHEP3 writes fixture 17: a registration and an OPTIONS exchange
// mirrored as HEPv3 over UDP 9060.
func fixHEP3() ([]Fixture, error) {
	c, plain := NewCapture(), NewCapture()
	agent := netip.MustParseAddrPort("192.0.2.50:47000")
	collector := netip.MustParseAddrPort("198.51.100.90:9060")
	send := func(src, dst netip.AddrPort, m *Message) {
		h := HEP3{Src: src, Dst: dst, Time: c.Now, CaptureID: 2001, Payload: m.Bytes()}
		c.UDP(agent, collector, h)
		c.Expect("udp", m)
		plain.UDP(src, dst, m)
	}
	registerExchange(send, ua("alice", aliceAddr, "UDP"), proxyAddr, "reg-hep@pcapgen")
	optionsExchange(send, ua("proxy", proxyAddr, "UDP"), ua("alice", aliceAddr, "UDP"), "opt-hep@pcapgen")
	data, err := c.Pcap(PcapOptions{})
	if err != nil {
		return nil, err
	}
	oracle, err := plain.Pcap(PcapOptions{})
	e := expect(c)
	e.Encapsulation = "hep3"
	no := false
	e.Tshark = &no
	e.Note = "tshark 4.0 has no HEP dissector (it decodes UDP 9060 as HCrt, malformed, and shows no SIP); counts are the SIP payloads carried in HEP3 chunk 0x000f, as tshark counts them sent as plain UDP"
	return []Fixture{{Name: "hep3_udp9060.pcap", Data: data, Expect: e, Oracle: oracle}}, err
}

// fixSCTP writes fixture 18: a call over SCTP port 5060, one SIP message
// per DATA chunk (PPID 0, B and E set), and an OPTIONS pair bundled as
// two DATA chunks in one packet each way.
func fixSCTP() ([]Fixture, error) {
	c := NewCapture()
	vtag := map[netip.AddrPort]uint32{aliceAddr: 0x0a11ce00, bobAddr: 0x0b0b0000}
	tsn := map[netip.AddrPort]uint32{aliceAddr: 1000, bobAddr: 5000}
	ssn := map[netip.AddrPort]uint16{}
	send := func(src, dst netip.AddrPort, ms ...Payload) {
		c.SCTP(src, dst, vtag[dst], tsn[src], ssn[src], ms...)
		tsn[src] += uint32(len(ms))
		ssn[src] += uint16(len(ms))
	}
	one := func(src, dst netip.AddrPort, m *Message) { send(src, dst, m) }
	callExchange(one, ua("alice", aliceAddr, "SCTP"), ua("bob", bobAddr, "SCTP"), "call-sctp@pcapgen", 0)
	bob := ua("bob", bobAddr, "SCTP")
	o1 := Options(bob, "sip:alice@"+realm, "opt-sctp-1@pcapgen", 1)
	o2 := Options(bob, "sip:alice@"+realm, "opt-sctp-2@pcapgen", 1)
	send(bobAddr, aliceAddr, o1, o2)
	send(aliceAddr, bobAddr, Response(o1, 200, "OK"), Response(o2, 200, "OK"))
	data, err := c.Pcap(PcapOptions{})
	return []Fixture{{Name: "sctp_sip.pcap", Data: data, Expect: expect(c)}}, err
}
