package pcapgen

import (
	"fmt"
	"net/netip"
	"time"
)

// Expectation is one entry of testdata/capture/expected.json: the SIP
// messages tshark 4.0 reports for a fixture, plus helper keys.
type Expectation struct {
	Counts
	// Transports are the transports of the SIP messages (udp, tcp, ws,
	// sctp).
	Transports []string `json:"transports,omitempty"`
	// TsharkArgs are extra tshark arguments needed to see the SIP.
	TsharkArgs []string `json:"tshark_args,omitempty"`
	// Tshark is false when tshark cannot be the oracle for the file.
	Tshark *bool `json:"tshark,omitempty"`
	// Truncated marks a file cut short inside a packet record.
	Truncated bool `json:"truncated,omitempty"`
	// Encapsulation names an encapsulation the SIP is carried in (hep3).
	Encapsulation string `json:"encapsulation,omitempty"`
	// Note explains anything unusual.
	Note string `json:"note,omitempty"`
}

// Fixture is one generated capture file and what it should contain.
type Fixture struct {
	// Name is the file name under testdata/capture.
	Name string
	// Data is the file content.
	Data []byte
	// Expect is the file's expected.json entry.
	Expect Expectation
	// Oracle, when Expect.Tshark is false, is a capture of the same SIP
	// messages in a form tshark can count (not written to testdata); the
	// tshark test checks its counts instead.
	Oracle []byte
}

// Documentation-range endpoints shared by the fixtures.
var (
	aliceAddr  = netip.MustParseAddrPort("192.0.2.10:5060")
	bobAddr    = netip.MustParseAddrPort("192.0.2.20:5060")
	proxyAddr  = netip.MustParseAddrPort("198.51.100.5:5060")
	alice6Addr = netip.MustParseAddrPort("[2001:db8::10]:5060")
	bob6Addr   = netip.MustParseAddrPort("[2001:db8::20]:5060")
	proxy6Addr = netip.MustParseAddrPort("[2001:db8::5]:5060")
)

const (
	realm = "example.com"
	nonce = "5f2b7c1e9a0d4e3b8c6a1f0e2d3c4b5a"
)

// sender delivers one SIP message from src to dst.
type sender func(src, dst netip.AddrPort, m *Message)

// ua returns a UA for user@example.com at addr over transport.
func ua(user string, addr netip.AddrPort, transport string) UA {
	return UA{User: user, Domain: realm, Addr: addr, Transport: transport}
}

// registerExchange sends REGISTER / 401 / REGISTER with Authorization /
// 200 between u and the registrar at reg, and returns the messages.
func registerExchange(send sender, u UA, reg netip.AddrPort, callID string) []*Message {
	r1 := Register(u, callID, 1)
	send(u.Addr, reg, r1)
	ch := Challenge(r1, realm, nonce)
	send(reg, u.Addr, ch)
	r2 := Authorize(Register(u, callID, 2), u.User, "secret", realm, nonce)
	send(u.Addr, reg, r2)
	ok := Response(r2, 200, "OK")
	ok.Set("Contact", u.Contact()+";expires=3600")
	send(reg, u.Addr, ok)
	return []*Message{r1, ch, r2, ok}
}

// optionsExchange sends an OPTIONS from u to the target UA and its 200.
func optionsExchange(send sender, u, target UA, callID string) []*Message {
	o := Options(u, target.AOR(), callID, 1)
	send(u.Addr, target.Addr, o)
	ok := Response(o, 200, "OK")
	ok.Set("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")
	send(target.Addr, u.Addr, ok)
	return []*Message{o, ok}
}

// callExchange sends INVITE / 100 / 180 / 200 / ACK / BYE / 200 between
// caller and callee, with SDP bodies of at least sdpLen bytes.
func callExchange(send sender, caller, callee UA, callID string, sdpLen int) []*Message {
	inv := Invite(caller, callee.AOR(), callID, 1, SDP(caller.Addr.Addr(), 40000, 1001, sdpLen))
	send(caller.Addr, callee.Addr, inv)
	trying := Response(inv, 100, "Trying")
	send(callee.Addr, caller.Addr, trying)
	ring := Response(inv, 180, "Ringing")
	ring.Set("Contact", callee.Contact())
	send(callee.Addr, caller.Addr, ring)
	ok := Response(inv, 200, "OK")
	ok.Set("Contact", callee.Contact())
	ok.Set("Content-Type", "application/sdp")
	ok.Body = SDP(callee.Addr.Addr(), 50000, 2002, sdpLen)
	send(callee.Addr, caller.Addr, ok)
	ack := Ack(caller, inv, ok)
	send(caller.Addr, callee.Addr, ack)
	bye := Bye(caller, inv, ok, 2)
	send(caller.Addr, callee.Addr, bye)
	bok := Response(bye, 200, "OK")
	send(callee.Addr, caller.Addr, bok)
	return []*Message{inv, trying, ring, ok, ack, bye, bok}
}

// udpSender sends each message as one UDP datagram in c.
func udpSender(c *Capture) sender {
	return func(src, dst netip.AddrPort, m *Message) { c.UDP(src, dst, m) }
}

// registerOptionsUDP is the traffic of fixture 1: a registration with a
// digest challenge and an OPTIONS ping from the registrar, on UDP 5060.
func registerOptionsUDP(c *Capture, alice, proxy netip.AddrPort) []*Message {
	send := udpSender(c)
	msgs := registerExchange(send, ua("alice", alice, "UDP"), proxy, "reg-1@pcapgen")
	return append(msgs, optionsExchange(send, ua("proxy", proxy, "UDP"), ua("alice", alice, "UDP"), "opt-1@pcapgen")...)
}

// expect builds an Expectation from a finished capture.
func expect(c *Capture) Expectation {
	return Expectation{Counts: c.Want, Transports: c.Transports}
}

// Fixtures builds every fixture of testdata/capture, in a fixed order.
func Fixtures() ([]Fixture, error) {
	var out []Fixture
	for _, b := range fixtureBuilders {
		fs, err := b()
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	names := map[string]bool{}
	for _, f := range out {
		if names[f.Name] {
			return nil, fmt.Errorf("pcapgen: duplicate fixture %s", f.Name)
		}
		names[f.Name] = true
	}
	return out, nil
}

var fixtureBuilders = []func() ([]Fixture, error){
	fixUDPBasic,
	fixUDPNonstandardPort,
	fixVLAN,
	fixCookedAndLoopback,
	fixPcapNGMultiIface,
	fixIPv4Fragments,
	fixIPv6Fragments,
	fixTCPCoalescedSplit,
	fixTCPKeepaliveInSegment,
	fixTCPRetransOOO,
	fixTCPMidstream,
	fixTCPContentLengthBody,
	fixTLS,
	fixWebSocket,
	fixHEP3,
	fixSCTP,
}

// fixUDPBasic writes fixtures 1, 2, 14 and 15: the same UDP registration
// and OPTIONS traffic as little-endian µs pcap, big-endian ns pcap,
// gzipped, and truncated inside the last record.
func fixUDPBasic() ([]Fixture, error) {
	c := NewCapture()
	msgs := registerOptionsUDP(c, aliceAddr, proxyAddr)
	le, err := c.Pcap(PcapOptions{})
	if err != nil {
		return nil, err
	}
	// Same traffic with sub-microsecond steps, so nanoseconds matter.
	c2 := NewCapture()
	c2.Now = BaseTime.Add(123456789 * time.Nanosecond)
	c2.Step = 10*time.Millisecond + 987*time.Nanosecond
	registerOptionsUDP(c2, aliceAddr, proxyAddr)
	be, err := c2.Pcap(PcapOptions{BigEndian: true, Nanosecond: true})
	if err != nil {
		return nil, err
	}
	// Cut in the middle of the last packet's data: the last message
	// (the 200 answering OPTIONS) is lost.
	last := c.Packets[len(c.Packets)-1]
	cut := len(le) - len(last.Data)/2
	trunc := expect(c)
	trunc.Counts = Counts{Requests: map[string]int{}, Responses: map[string]int{}}
	for _, m := range msgs[:len(msgs)-1] {
		trunc.Add(m)
	}
	trunc.Truncated = true
	trunc.Note = "udp_ethernet_le_usec.pcap cut in the middle of the last packet record (the 200 OK to OPTIONS)"
	return []Fixture{
		{Name: "udp_ethernet_le_usec.pcap", Data: le, Expect: expect(c)},
		{Name: "udp_be_nsec.pcap", Data: be, Expect: expect(c2)},
		{Name: "gz_compressed.pcap.gz", Data: Gzip(le), Expect: expect(c)},
		{Name: "truncated.pcap", Data: le[:cut], Expect: trunc},
	}, nil
}
