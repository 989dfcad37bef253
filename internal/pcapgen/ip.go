package pcapgen

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// IP protocol numbers used by the builders.
const (
	ProtoTCP  uint8 = 6
	ProtoUDP  uint8 = 17
	ProtoSCTP uint8 = 132
)

// IPv6 extension header numbers used by the builders.
const (
	ProtoHopByHop uint8 = 0
	ProtoFragment uint8 = 44
	ProtoDestOpts uint8 = 60
)

// TCPFlags is the set of TCP control bits of a segment.
type TCPFlags uint8

// TCP control bits.
const (
	FIN TCPFlags = 1 << iota
	SYN
	RST
	PSH
	ACK
)

// TCPSegment describes one TCP segment for BuildTCP.
type TCPSegment struct {
	Seq, Ack uint32
	Flags    TCPFlags
	// Window is the advertised window; 0 means 65535.
	Window  uint16
	Payload []byte
}

// IPv6Ext selects the IPv6 extension headers that FragmentUDP6 and
// BuildUDP6Ext put between the IPv6 header and the Fragment (or UDP)
// header. Each is 8 bytes long and carries one PadN option.
type IPv6Ext struct {
	HopByHop bool // Hop-by-Hop Options header (next header 0)
	DestOpts bool // Destination Options header (next header 60)
}

// netLayer returns a gopacket IPv4 or IPv6 layer for src -> dst with the
// given upper-layer protocol.
func netLayer(src, dst netip.Addr, proto uint8) (gopacket.SerializableLayer, gopacket.NetworkLayer, error) {
	src, dst = src.Unmap(), dst.Unmap()
	switch {
	case src.Is4() && dst.Is4():
		ip := &layers.IPv4{Version: 4, TTL: 64, Flags: layers.IPv4DontFragment,
			Protocol: layers.IPProtocol(proto), SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		return ip, ip, nil
	case src.Is6() && dst.Is6():
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocol(proto),
			SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		return ip, ip, nil
	}
	return nil, nil, fmt.Errorf("pcapgen: address family mismatch %v -> %v", src, dst)
}

// BuildIP returns an IPv4 packet (DF set, ID 0, TTL 64) or IPv6 packet
// (hop limit 64) from src to dst carrying payload as protocol proto. The
// family follows the addresses, which must agree.
func BuildIP(src, dst netip.Addr, proto uint8, payload []byte) ([]byte, error) {
	ip, _, err := netLayer(src, dst, proto)
	if err != nil {
		return nil, err
	}
	return serialize(ip, gopacket.Payload(payload))
}

// udpDatagram returns the UDP header and payload with a checksum computed
// over the pseudo-header of nl.
func udpDatagram(src, dst netip.AddrPort, nl gopacket.NetworkLayer, payload []byte) ([]byte, error) {
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	if err := udp.SetNetworkLayerForChecksum(nl); err != nil {
		return nil, err
	}
	return serialize(udp, gopacket.Payload(payload))
}

// BuildUDP returns an IP packet carrying one UDP datagram from src to dst
// (IPv4 or IPv6 following the addresses) with correct lengths and
// checksums.
func BuildUDP(src, dst netip.AddrPort, payload []byte) ([]byte, error) {
	ip, nl, err := netLayer(src.Addr(), dst.Addr(), ProtoUDP)
	if err != nil {
		return nil, err
	}
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	if err := udp.SetNetworkLayerForChecksum(nl); err != nil {
		return nil, err
	}
	return serialize(ip, udp, gopacket.Payload(payload))
}

// BuildTCP returns an IP packet carrying the TCP segment seg from src to
// dst, without TCP options, with correct lengths and checksums.
func BuildTCP(src, dst netip.AddrPort, seg TCPSegment) ([]byte, error) {
	ip, nl, err := netLayer(src.Addr(), dst.Addr(), ProtoTCP)
	if err != nil {
		return nil, err
	}
	win := seg.Window
	if win == 0 {
		win = 65535
	}
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()),
		Seq: seg.Seq, Ack: seg.Ack, Window: win,
		FIN: seg.Flags&FIN != 0, SYN: seg.Flags&SYN != 0, RST: seg.Flags&RST != 0,
		PSH: seg.Flags&PSH != 0, ACK: seg.Flags&ACK != 0,
	}
	if err := tcp.SetNetworkLayerForChecksum(nl); err != nil {
		return nil, err
	}
	return serialize(ip, tcp, gopacket.Payload(seg.Payload))
}

// fragSlices cuts n bytes into pieces of at most size bytes, size rounded
// down to a multiple of 8, and returns the piece boundaries.
func fragSlices(n, size int) ([][2]int, error) {
	size &^= 7
	if size <= 0 {
		return nil, fmt.Errorf("pcapgen: fragment size must be at least 8")
	}
	var out [][2]int
	for off := 0; off < n; off += size {
		out = append(out, [2]int{off, min(off+size, n)})
	}
	return out, nil
}

// FragmentUDP4 builds the UDP datagram src -> dst carrying payload (UDP
// checksum over the whole datagram) and splits it into IPv4 fragments of
// at most fragSize bytes of IP payload each (rounded down to a multiple
// of 8), all with identification id. Fragments are returned in offset
// order; callers choose the order in which they are captured.
func FragmentUDP4(src, dst netip.AddrPort, payload []byte, id uint16, fragSize int) ([][]byte, error) {
	if !src.Addr().Is4() || !dst.Addr().Is4() {
		return nil, fmt.Errorf("pcapgen: FragmentUDP4 needs IPv4 addresses")
	}
	_, nl, err := netLayer(src.Addr(), dst.Addr(), ProtoUDP)
	if err != nil {
		return nil, err
	}
	dgram, err := udpDatagram(src, dst, nl, payload)
	if err != nil {
		return nil, err
	}
	pieces, err := fragSlices(len(dgram), fragSize)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for i, p := range pieces {
		ip := &layers.IPv4{Version: 4, TTL: 64, Id: id, Protocol: layers.IPProtocolUDP,
			FragOffset: uint16(p[0] / 8), SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		if i < len(pieces)-1 {
			ip.Flags = layers.IPv4MoreFragments
		}
		b, err := serialize(ip, gopacket.Payload(dgram[p[0]:p[1]]))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// extChain returns the extension headers selected by ext, ending with next
// as the next-header value, and the protocol number of the first header
// (next when ext selects none).
func extChain(ext IPv6Ext, next uint8) (first uint8, b []byte) {
	var hdrs []uint8
	if ext.HopByHop {
		hdrs = append(hdrs, ProtoHopByHop)
	}
	if ext.DestOpts {
		hdrs = append(hdrs, ProtoDestOpts)
	}
	first = next
	if len(hdrs) > 0 {
		first = hdrs[0]
	}
	for i := range hdrs {
		nh := next
		if i+1 < len(hdrs) {
			nh = hdrs[i+1]
		}
		// next header, length 0 (8 bytes), PadN option with 4 zero bytes
		b = append(b, nh, 0, 1, 4, 0, 0, 0, 0)
	}
	return first, b
}

func ipv6Layer(src, dst netip.Addr, next uint8) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocol(next),
		SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
}

// BuildUDP6Ext returns an unfragmented IPv6 packet carrying a UDP
// datagram, with the extension headers selected by ext between the IPv6
// and UDP headers.
func BuildUDP6Ext(src, dst netip.AddrPort, payload []byte, ext IPv6Ext) ([]byte, error) {
	if !src.Addr().Is6() || !dst.Addr().Is6() || src.Addr().Is4In6() || dst.Addr().Is4In6() {
		return nil, fmt.Errorf("pcapgen: BuildUDP6Ext needs IPv6 addresses")
	}
	ip := ipv6Layer(src.Addr(), dst.Addr(), ProtoUDP)
	dgram, err := udpDatagram(src, dst, ip, payload)
	if err != nil {
		return nil, err
	}
	first, chain := extChain(ext, ProtoUDP)
	ip.NextHeader = layers.IPProtocol(first)
	return serialize(ip, gopacket.Payload(append(chain, dgram...)))
}

// FragmentUDP6 builds the UDP datagram src -> dst carrying payload and
// splits it into IPv6 fragments of at most fragSize bytes of fragmentable
// data each (rounded down to a multiple of 8), identification id. Every
// fragment carries the extension headers selected by ext, then a Fragment
// header, then its piece of the datagram. Fragments are returned in
// offset order.
func FragmentUDP6(src, dst netip.AddrPort, payload []byte, id uint32, fragSize int, ext IPv6Ext) ([][]byte, error) {
	if !src.Addr().Is6() || !dst.Addr().Is6() || src.Addr().Is4In6() || dst.Addr().Is4In6() {
		return nil, fmt.Errorf("pcapgen: FragmentUDP6 needs IPv6 addresses")
	}
	ip := ipv6Layer(src.Addr(), dst.Addr(), ProtoUDP)
	dgram, err := udpDatagram(src, dst, ip, payload)
	if err != nil {
		return nil, err
	}
	pieces, err := fragSlices(len(dgram), fragSize)
	if err != nil {
		return nil, err
	}
	first, chain := extChain(ext, ProtoFragment)
	var out [][]byte
	for i, p := range pieces {
		fh := make([]byte, 8)
		fh[0] = ProtoUDP
		off := uint16(p[0]/8) << 3
		if i < len(pieces)-1 {
			off |= 1
		}
		binary.BigEndian.PutUint16(fh[2:], off)
		binary.BigEndian.PutUint32(fh[4:], id)
		body := append(append(append([]byte(nil), chain...), fh...), dgram[p[0]:p[1]]...)
		b, err := serialize(ipv6Layer(src.Addr(), dst.Addr(), first), gopacket.Payload(body))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// SCTPChunk describes one SCTP DATA chunk for BuildSCTPData.
type SCTPChunk struct {
	TSN      uint32
	Stream   uint16
	StreamSN uint16
	PPID     uint32
	// Flags are the chunk flags; 0 means B|E (0x03), an unfragmented
	// user message.
	Flags   uint8
	Payload []byte
}

// BuildSCTPData returns an IP packet carrying an SCTP packet from src to
// dst with verification tag vtag and the given DATA chunks (each padded to
// 4 bytes), with a CRC32c checksum.
func BuildSCTPData(src, dst netip.AddrPort, vtag uint32, chunks ...SCTPChunk) ([]byte, error) {
	b := make([]byte, 12)
	binary.BigEndian.PutUint16(b[0:], src.Port())
	binary.BigEndian.PutUint16(b[2:], dst.Port())
	binary.BigEndian.PutUint32(b[4:], vtag)
	for _, c := range chunks {
		flags := c.Flags
		if flags == 0 {
			flags = 0x03
		}
		h := make([]byte, 16)
		h[0] = 0 // DATA
		h[1] = flags
		binary.BigEndian.PutUint16(h[2:], uint16(16+len(c.Payload)))
		binary.BigEndian.PutUint32(h[4:], c.TSN)
		binary.BigEndian.PutUint16(h[8:], c.Stream)
		binary.BigEndian.PutUint16(h[10:], c.StreamSN)
		binary.BigEndian.PutUint32(h[12:], c.PPID)
		b = append(append(b, h...), c.Payload...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	binary.LittleEndian.PutUint32(b[8:], crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return BuildIP(src.Addr(), dst.Addr(), ProtoSCTP, b)
}
