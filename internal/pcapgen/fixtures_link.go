package pcapgen

import (
	"encoding/binary"
	"net/netip"
)

// dnsQuery returns a DNS query for name, type A, as non-SIP UDP noise.
func dnsQuery(id uint16, name string) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = append(b, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0) // RD, one question
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			b = append(b, byte(i-start))
			b = append(b, name[start:i]...)
			start = i + 1
		}
	}
	return append(b, 0, 0, 1, 0, 1)
}

// rtpPacket returns an RTP packet (version 2, PCMU) with 160 bytes of
// silence, as non-SIP UDP noise.
func rtpPacket(seq uint16, ts, ssrc uint32) []byte {
	b := []byte{0x80, 0x00}
	b = binary.BigEndian.AppendUint16(b, seq)
	b = binary.BigEndian.AppendUint32(b, ts)
	b = binary.BigEndian.AppendUint32(b, ssrc)
	for range 160 {
		b = append(b, 0xff)
	}
	return b
}

// fixUDPNonstandardPort writes fixture 3: SIP on UDP 15060 and 5080
// between non-SIP datagrams.
func fixUDPNonstandardPort() ([]Fixture, error) {
	c := NewCapture()
	send := udpSender(c)
	alice := netip.MustParseAddrPort("192.0.2.10:15060")
	proxy := netip.MustParseAddrPort("198.51.100.5:15060")
	c.UDP(netip.MustParseAddrPort("192.0.2.10:53124"), netip.MustParseAddrPort("198.51.100.53:53"),
		Raw(dnsQuery(0x4a1c, "sip.example.com")))
	optionsExchange(send, ua("alice", alice, "UDP"), ua("proxy", proxy, "UDP"), "opt-15060@pcapgen")
	rtpSrc := netip.MustParseAddrPort("192.0.2.10:40000")
	rtpDst := netip.MustParseAddrPort("192.0.2.20:50000")
	for i := range 3 {
		c.UDP(rtpSrc, rtpDst, Raw(rtpPacket(uint16(100+i), uint32(8000+160*i), 0x1234abcd)))
	}
	// A 4-byte zero datagram and CRLF keep-alives on the standard port.
	c.UDP(aliceAddr, proxyAddr, Raw{0, 0, 0, 0})
	c.UDP(aliceAddr, proxyAddr, Raw("\r\n\r\n"))
	c.UDP(proxyAddr, aliceAddr, Raw("\r\n"))
	registerExchange(send, ua("alice", netip.MustParseAddrPort("192.0.2.10:5080"), "UDP"),
		netip.MustParseAddrPort("198.51.100.5:5080"), "reg-5080@pcapgen")
	c.UDP(aliceAddr, proxyAddr, Raw("\r\n\r\n"))
	data, err := c.Pcap(PcapOptions{})
	return []Fixture{{Name: "udp_nonstandard_port.pcap", Data: data, Expect: expect(c)}}, err
}

// fixVLAN writes fixture 4: a registration on 802.1Q VLAN 100, then a
// call with QinQ tags (outer 0x88a8 VLAN 200, inner 0x8100 VLAN 100).
func fixVLAN() ([]Fixture, error) {
	c := NewCapture(Link{Type: LinkEthernet, VLAN: []uint16{100}})
	send := udpSender(c)
	registerExchange(send, ua("alice", aliceAddr, "UDP"), proxyAddr, "reg-vlan@pcapgen")
	c.Links[0].VLAN = []uint16{200, 100}
	callExchange(send, ua("alice", aliceAddr, "UDP"), ua("bob", bobAddr, "UDP"), "call-qinq@pcapgen", 0)
	data, err := c.Pcap(PcapOptions{})
	return []Fixture{{Name: "vlan_qinq.pcap", Data: data, Expect: expect(c)}}, err
}

// fixCookedAndLoopback writes the fixtures of group 5: Linux SLL and
// SLL2, BSD loopback and the three raw IP link types.
func fixCookedAndLoopback() ([]Fixture, error) {
	type spec struct {
		name   string
		link   Link
		v4, v6 bool
	}
	specs := []spec{
		{"sll.pcap", Link{Type: LinkSLL, Local: aliceAddr.Addr()}, true, true},
		{"sll2.pcap", Link{Type: LinkSLL2, Local: aliceAddr.Addr(), IfIndex: 2}, true, true},
		{"null_loopback.pcap", Link{Type: LinkNull}, true, true},
		{"rawip101.pcap", Link{Type: LinkRaw}, true, true},
		{"rawipv4_228.pcap", Link{Type: LinkIPv4}, true, false},
		{"rawipv6_229.pcap", Link{Type: LinkIPv6}, false, true},
	}
	var out []Fixture
	for _, s := range specs {
		c := NewCapture(s.link)
		send := udpSender(c)
		if s.v4 {
			registerExchange(send, ua("alice", aliceAddr, "UDP"), proxyAddr, "reg-v4@pcapgen")
		}
		if s.v6 {
			if !s.v4 {
				registerExchange(send, ua("alice", alice6Addr, "UDP"), proxy6Addr, "reg-v6@pcapgen")
			}
			optionsExchange(send, ua("proxy", proxy6Addr, "UDP"), ua("alice", alice6Addr, "UDP"), "opt-v6@pcapgen")
			if s.link.Type == LinkNull {
				// The same IPv6 exchange with the BSD AF_INET6 value.
				c.Links[0].AF6 = AFInet6BSD
				optionsExchange(send, ua("proxy", proxy6Addr, "UDP"), ua("alice", alice6Addr, "UDP"), "opt-v6-bsd@pcapgen")
			}
		}
		data, err := c.Pcap(PcapOptions{})
		if err != nil {
			return nil, err
		}
		out = append(out, Fixture{Name: s.name, Data: data, Expect: expect(c)})
	}
	return out, nil
}

// fixPcapNGMultiIface writes fixture 6: three conversations on three
// interfaces (Ethernet, SLL2, raw IP) with their packets interleaved.
func fixPcapNGMultiIface() ([]Fixture, error) {
	c := NewCapture(
		Link{Type: LinkEthernet, Name: "eth0"},
		Link{Type: LinkSLL2, Name: "any", IfIndex: 3, Local: proxyAddr.Addr()},
		Link{Type: LinkRaw, Name: "tun0"},
	)
	type pkt struct {
		src, dst netip.AddrPort
		m        *Message
	}
	queues := make([][]pkt, 3)
	queue := func(i int) sender {
		return func(src, dst netip.AddrPort, m *Message) { queues[i] = append(queues[i], pkt{src, dst, m}) }
	}
	registerExchange(queue(0), ua("alice", aliceAddr, "UDP"), proxyAddr, "reg-eth0@pcapgen")
	optionsExchange(queue(1), ua("proxy", proxyAddr, "UDP"), ua("bob", bobAddr, "UDP"), "opt-any@pcapgen")
	callExchange(queue(2), ua("carol", netip.MustParseAddrPort("192.0.2.30:5060"), "UDP"),
		ua("dave", netip.MustParseAddrPort("198.51.100.40:5060"), "UDP"), "call-tun0@pcapgen", 0)
	for n := 0; len(queues[0])+len(queues[1])+len(queues[2]) > 0; n++ {
		i := n % 3
		if len(queues[i]) == 0 {
			continue
		}
		p := queues[i][0]
		queues[i] = queues[i][1:]
		c.Iface = i
		c.UDP(p.src, p.dst, p.m)
	}
	data, err := c.PcapNG()
	return []Fixture{{Name: "pcapng_multi_iface.pcapng", Data: data, Expect: expect(c)}}, err
}

// fixIPv4Fragments writes fixture 7: an INVITE with a ~3 KB SDP body in
// three IPv4 fragments captured last-first, and its 200 OK in three
// fragments in order.
func fixIPv4Fragments() ([]Fixture, error) {
	c := NewCapture()
	caller, callee := ua("alice", aliceAddr, "UDP"), ua("bob", bobAddr, "UDP")
	inv := Invite(caller, callee.AOR(), "frag4@pcapgen", 1, SDP(aliceAddr.Addr(), 40000, 4001, 2900))
	c.UDPFragments4(aliceAddr, bobAddr, 0x1a2b, 1480, []int{2, 1, 0}, inv)
	c.UDP(bobAddr, aliceAddr, Response(inv, 100, "Trying"))
	ok := Response(inv, 200, "OK")
	ok.Set("Contact", callee.Contact())
	ok.Set("Content-Type", "application/sdp")
	ok.Body = SDP(bobAddr.Addr(), 50000, 4002, 2900)
	c.UDPFragments4(bobAddr, aliceAddr, 0x3c4d, 1480, nil, ok)
	c.UDP(aliceAddr, bobAddr, Ack(caller, inv, ok))
	data, err := c.Pcap(PcapOptions{})
	return []Fixture{{Name: "udp_ipv4_fragments_out_of_order.pcap", Data: data, Expect: expect(c)}}, err
}

// fixIPv6Fragments writes fixture 8: a large IPv6 INVITE in three
// fragments, each with Hop-by-Hop and Destination Options headers before
// the Fragment header, and an unfragmented 200 OK with a Destination
// Options header.
func fixIPv6Fragments() ([]Fixture, error) {
	c := NewCapture()
	caller, callee := ua("alice", alice6Addr, "UDP"), ua("bob", bob6Addr, "UDP")
	inv := Invite(caller, callee.AOR(), "frag6@pcapgen", 1, SDP(alice6Addr.Addr(), 40000, 6001, 2900))
	c.UDPFragments6(alice6Addr, bob6Addr, 0x6a6b6c6d, 1424, IPv6Ext{HopByHop: true, DestOpts: true}, nil, inv)
	c.UDP(bob6Addr, alice6Addr, Response(inv, 100, "Trying"))
	ok := Response(inv, 200, "OK")
	ok.Set("Contact", callee.Contact())
	ok.Set("Content-Type", "application/sdp")
	ok.Body = SDP(bob6Addr.Addr(), 50000, 6002, 0)
	c.UDP6Ext(bob6Addr, alice6Addr, IPv6Ext{DestOpts: true}, ok)
	c.UDP(alice6Addr, bob6Addr, Ack(caller, inv, ok))
	data, err := c.Pcap(PcapOptions{})
	return []Fixture{{Name: "udp_ipv6_fragments_ext_headers.pcap", Data: data, Expect: expect(c)}}, err
}
