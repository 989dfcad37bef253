package pcapgen

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// BaseTime is the timestamp of the first packet of every new Capture:
// 2024-03-01T09:00:00Z.
var BaseTime = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// DefaultStep is the time between consecutive packets of a new Capture.
const DefaultStep = 10 * time.Millisecond

// Capture collects timestamped frames on one or more interfaces and the
// SIP messages they carry. Its methods record the first error and do
// nothing after it; check Err (or the error of Pcap / PcapNG).
type Capture struct {
	// Links are the capture interfaces; packets go to Links[Iface].
	Links []Link
	// Iface is the interface that subsequent packets are captured on.
	Iface int
	// Packets are the captured packets in capture order.
	Packets []Packet
	// Now is the timestamp of the next packet.
	Now time.Time
	// Step is added to Now after every packet.
	Step time.Duration
	// Want counts the SIP messages the capture carries, as a dissector
	// that sees every message once should count them.
	Want Counts
	// Transports are the transports ("udp", "tcp", "ws", "sctp") of the
	// counted messages, sorted.
	Transports []string

	err error
}

// NewCapture returns a capture with the given interfaces (one untagged
// Ethernet interface if none), starting at BaseTime with DefaultStep.
func NewCapture(links ...Link) *Capture {
	if len(links) == 0 {
		links = []Link{{Type: LinkEthernet}}
	}
	return &Capture{Links: links, Now: BaseTime, Step: DefaultStep,
		Want: Counts{Requests: map[string]int{}, Responses: map[string]int{}}}
}

// Err returns the first error met while building the capture.
func (c *Capture) Err() error { return c.err }

// Fail records err as the capture's error unless one is already recorded.
func (c *Capture) Fail(err error) {
	if c.err == nil && err != nil {
		c.err = err
	}
}

// Advance moves the clock forward by d (in addition to Step).
func (c *Capture) Advance(d time.Duration) { c.Now = c.Now.Add(d) }

// AddFrame captures a complete frame on the current interface at Now and
// advances the clock by Step.
func (c *Capture) AddFrame(frame []byte) {
	if c.err != nil {
		return
	}
	c.Packets = append(c.Packets, Packet{Time: c.Now, Iface: c.Iface, Data: frame})
	c.Now = c.Now.Add(c.Step)
}

// AddIP frames the IP packet ip for the current interface and captures
// it. Its parameters match the results of the Build* functions, so
// c.AddIP(BuildUDP(...)) works; a non-nil err is recorded instead.
func (c *Capture) AddIP(ip []byte, err error) {
	if c.err != nil {
		return
	}
	if err != nil {
		c.Fail(err)
		return
	}
	if c.Iface < 0 || c.Iface >= len(c.Links) {
		c.Fail(fmt.Errorf("pcapgen: no interface %d", c.Iface))
		return
	}
	f, err := c.Links[c.Iface].Frame(ip)
	if err != nil {
		c.Fail(err)
		return
	}
	c.AddFrame(f)
}

// Expect counts msgs in Want as carried over transport (for payloads the
// capture cannot recognise itself, such as WebSocket frames or HEP).
func (c *Capture) Expect(transport string, msgs ...*Message) {
	for _, m := range msgs {
		c.Want.Add(m)
	}
	if len(msgs) > 0 && !slices.Contains(c.Transports, transport) {
		c.Transports = append(c.Transports, transport)
		slices.Sort(c.Transports)
	}
}

// join concatenates the parts and counts the *Message ones over transport.
func (c *Capture) join(transport string, parts []Payload) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		b.Write(p.Bytes())
		if m, ok := p.(*Message); ok {
			c.Expect(transport, m)
		}
	}
	return b.Bytes()
}

// UDP captures one UDP datagram src -> dst carrying the concatenated parts.
func (c *Capture) UDP(src, dst netip.AddrPort, parts ...Payload) {
	if c.err != nil {
		return
	}
	c.AddIP(BuildUDP(src, dst, c.join("udp", parts)))
}

// UDP6Ext captures one unfragmented IPv6 UDP datagram with the extension
// headers selected by ext.
func (c *Capture) UDP6Ext(src, dst netip.AddrPort, ext IPv6Ext, parts ...Payload) {
	if c.err != nil {
		return
	}
	c.AddIP(BuildUDP6Ext(src, dst, c.join("udp", parts), ext))
}

// addFragments captures frags in the given order (nil = offset order).
func (c *Capture) addFragments(frags [][]byte, order []int) {
	if order == nil {
		for i := range frags {
			order = append(order, i)
		}
	}
	if len(order) != len(frags) {
		c.Fail(fmt.Errorf("pcapgen: order has %d entries for %d fragments", len(order), len(frags)))
		return
	}
	for _, i := range order {
		if i < 0 || i >= len(frags) {
			c.Fail(fmt.Errorf("pcapgen: no fragment %d", i))
			return
		}
		c.AddIP(frags[i], nil)
	}
}

// UDPFragments4 captures the UDP datagram src -> dst carrying parts as
// IPv4 fragments (see FragmentUDP4), in the given order of fragment
// indices (nil = offset order).
func (c *Capture) UDPFragments4(src, dst netip.AddrPort, id uint16, fragSize int, order []int, parts ...Payload) {
	if c.err != nil {
		return
	}
	frags, err := FragmentUDP4(src, dst, c.join("udp", parts), id, fragSize)
	c.Fail(err)
	c.addFragments(frags, order)
}

// UDPFragments6 captures the UDP datagram src -> dst carrying parts as
// IPv6 fragments with the extension headers ext (see FragmentUDP6), in
// the given order of fragment indices (nil = offset order).
func (c *Capture) UDPFragments6(src, dst netip.AddrPort, id uint32, fragSize int, ext IPv6Ext, order []int, parts ...Payload) {
	if c.err != nil {
		return
	}
	frags, err := FragmentUDP6(src, dst, c.join("udp", parts), id, fragSize, ext)
	c.Fail(err)
	c.addFragments(frags, order)
}

// SCTP captures one SCTP packet src -> dst with verification tag vtag and
// one DATA chunk (B and E flags, stream 0, PPID 0) per part, with
// consecutive TSNs and stream sequence numbers starting at tsn and ssn.
// *Message parts are counted over "sctp".
func (c *Capture) SCTP(src, dst netip.AddrPort, vtag, tsn uint32, ssn uint16, parts ...Payload) {
	if c.err != nil {
		return
	}
	var chunks []SCTPChunk
	for i, p := range parts {
		chunks = append(chunks, SCTPChunk{TSN: tsn + uint32(i), StreamSN: ssn + uint16(i),
			Payload: c.join("sctp", []Payload{p})})
	}
	c.AddIP(BuildSCTPData(src, dst, vtag, chunks...))
}

// Pcap returns the capture as a classic pcap file. All packets must be on
// interface 0, whose link type the file gets.
func (c *Capture) Pcap(opt PcapOptions) ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	for _, p := range c.Packets {
		if p.Iface != 0 {
			return nil, fmt.Errorf("pcapgen: classic pcap cannot hold packets of interface %d", p.Iface)
		}
	}
	var b bytes.Buffer
	if err := WritePcap(&b, c.Links[0].Type, c.Packets, opt); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// PcapNG returns the capture as a pcapng file with one interface per link.
func (c *Capture) PcapNG() ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	var b bytes.Buffer
	if err := WritePcapNG(&b, c.Links, c.Packets); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
