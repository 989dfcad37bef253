package capture

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/reassembly"

	"github.com/sipaudit/sipaudit/capture/internal/hep"
)

// Decoder turns captured packets into SIP messages. Feed it packets in
// capture order with Packet, then call Close; it calls the function given
// to NewDecoder once per message, in the order messages complete.
//
// A Decoder is not safe for concurrent use.
type Decoder struct {
	limits Limits
	stats  Stats
	out    func(*Message)

	assembler   *reassembly.Assembler
	conns       map[tcpKey]*tcpConn
	tcpLayer    layers.TCP
	cur         struct{ src, dst netip.AddrPort } // the segment being assembled
	streamBytes int                               // unframed bytes held by all streams

	defrag *defragmenter
	sctp   map[sctpKey]*sctpMessage

	nextHousekeeping time.Time

	msg      Message // handed to out, reused
	oneFrame [1]int
	frameBuf []int // scratch for the frames of a stream message
}

// NewDecoder returns a Decoder that calls out for every SIP message. The
// Message is valid only during the call (see Message).
func NewDecoder(l Limits, out func(*Message)) *Decoder {
	d := &Decoder{limits: l, out: out, conns: make(map[tcpKey]*tcpConn), sctp: make(map[sctpKey]*sctpMessage)}
	d.defrag = newDefragmenter(&d.limits, &d.stats)
	d.assembler = reassembly.NewAssembler(reassembly.NewStreamPool(d))
	d.assembler.MaxBufferedPagesTotal = l.MaxBufferedPages
	d.assembler.MaxBufferedPagesPerConnection = l.MaxBufferedPagesPerConn
	return d
}

// Stats returns the counters so far.
func (d *Decoder) Stats() Stats { return d.stats }

// Close ends the input: TCP streams deliver what they still hold, and
// incomplete fragments and messages are dropped.
func (d *Decoder) Close() {
	d.assembler.FlushAll()
	for k := range d.sctp {
		delete(d.sctp, k)
	}
}

// maxDepth bounds nested encapsulations (tunnels in tunnels).
const maxDepth = 8

// Packet decodes one packet of link type lt captured at ts; frame is its
// 1-based number in the input. data is not kept after Packet returns.
func (d *Decoder) Packet(lt layers.LinkType, frame int, ts time.Time, data []byte) {
	d.stats.Packets++
	d.stats.Bytes += len(data)
	if ts.After(d.nextHousekeeping) {
		d.housekeeping(ts)
	}
	d.link(lt, data, frame, ts)
}

// housekeeping releases what capture time says is stale.
func (d *Decoder) housekeeping(ts time.Time) {
	d.defrag.expire(ts)
	d.assembler.FlushCloseOlderThan(ts.Add(-d.limits.StreamIdleTimeout))
	d.nextHousekeeping = ts.Add(10 * time.Second)
}

func (d *Decoder) link(lt layers.LinkType, b []byte, frame int, ts time.Time) {
	switch lt {
	case layers.LinkTypeEthernet:
		d.ether(b, frame, ts, 0)
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		// a 4-byte address family: host order for DLT_NULL (so either
		// byte order), network order for DLT_LOOP
		if len(b) < 4 {
			d.stats.Undecodable++
			return
		}
		af := binary.LittleEndian.Uint32(b)
		if lt == layers.LinkTypeLoop || af > 0xffff {
			af = binary.BigEndian.Uint32(b)
		}
		switch af {
		case 2:
			d.ipv4(b[4:], frame, ts, 0)
		case 10, 24, 28, 30: // AF_INET6 on Linux, BSDs, FreeBSD, macOS
			d.ipv6(b[4:], frame, ts, 0)
		default:
			d.stats.NonIP++
		}
	case layers.LinkTypeRaw, 12, 14, layers.LinkTypeIPv4, layers.LinkTypeIPv6:
		d.ip(b, frame, ts, 0)
	case layers.LinkTypeLinuxSLL:
		if len(b) < 16 {
			d.stats.Undecodable++
			return
		}
		d.ethertype(binary.BigEndian.Uint16(b[14:]), b[16:], frame, ts, 0)
	case layers.LinkTypeLinuxSLL2:
		if len(b) < 20 {
			d.stats.Undecodable++
			return
		}
		d.ethertype(binary.BigEndian.Uint16(b), b[20:], frame, ts, 0)
	case layers.LinkTypePPP:
		d.ppp(b, frame, ts, 0)
	default:
		d.stats.UnsupportedLink++
	}
}

func (d *Decoder) ether(b []byte, frame int, ts time.Time, depth int) {
	if len(b) < 14 {
		d.stats.Undecodable++
		return
	}
	d.ethertype(binary.BigEndian.Uint16(b[12:]), b[14:], frame, ts, depth)
}

// ethertype decodes b as the payload of an Ethernet frame of type et.
func (d *Decoder) ethertype(et uint16, b []byte, frame int, ts time.Time, depth int) {
	for {
		switch et {
		case 0x0800:
			d.ipv4(b, frame, ts, depth)
			return
		case 0x86dd:
			d.ipv6(b, frame, ts, depth)
			return
		case 0x8100, 0x88a8, 0x9100, 0x9200: // 802.1Q, 802.1ad (QinQ)
			if len(b) < 4 {
				d.stats.Undecodable++
				return
			}
			et, b = binary.BigEndian.Uint16(b[2:]), b[4:]
		case 0x8864: // PPPoE session stage (RFC 2516)
			if len(b) < 6 {
				d.stats.Undecodable++
				return
			}
			n := int(binary.BigEndian.Uint16(b[4:]))
			b = b[6:]
			if n <= len(b) {
				b = b[:n]
			}
			d.ppp(b, frame, ts, depth)
			return
		case 0x8847, 0x8848: // MPLS: labels down to the bottom of stack
			for {
				if len(b) < 4 {
					d.stats.Undecodable++
					return
				}
				bos := b[2]&1 == 1
				b = b[4:]
				if bos {
					break
				}
			}
			d.ip(b, frame, ts, depth)
			return
		default:
			d.stats.NonIP++
			return
		}
	}
}

// ppp decodes a PPP frame (RFC 1661), with or without the HDLC address
// and control bytes.
func (d *Decoder) ppp(b []byte, frame int, ts time.Time, depth int) {
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0x03 {
		b = b[2:]
	}
	if len(b) < 1 {
		d.stats.Undecodable++
		return
	}
	var proto uint16
	if b[0]&1 == 1 { // compressed one-byte protocol field
		proto, b = uint16(b[0]), b[1:]
	} else if len(b) >= 2 {
		proto, b = binary.BigEndian.Uint16(b), b[2:]
	}
	switch proto {
	case 0x21:
		d.ipv4(b, frame, ts, depth)
	case 0x57:
		d.ipv6(b, frame, ts, depth)
	default:
		d.stats.NonIP++
	}
}

func (d *Decoder) ip(b []byte, frame int, ts time.Time, depth int) {
	if len(b) == 0 {
		d.stats.Undecodable++
		return
	}
	switch b[0] >> 4 {
	case 4:
		d.ipv4(b, frame, ts, depth)
	case 6:
		d.ipv6(b, frame, ts, depth)
	default:
		d.stats.NonIP++
	}
}

// ipv4 decodes an IPv4 packet (RFC 791), reassembling fragments.
func (d *Decoder) ipv4(b []byte, frame int, ts time.Time, depth int) {
	if len(b) < 20 || b[0]>>4 != 4 {
		d.stats.Undecodable++
		return
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	if ihl < 20 || ihl > len(b) || total < ihl {
		d.stats.Undecodable++
		return
	}
	if total < len(b) {
		b = b[:total] // Ethernet padding
	}
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	proto := b[9]
	fo := binary.BigEndian.Uint16(b[6:])
	more, off := fo&0x2000 != 0, int(fo&0x1fff)*8
	payload := b[ihl:]
	if more || off > 0 {
		k := fragKey{src: src, dst: dst, id: uint32(binary.BigEndian.Uint16(b[4:])), proto: proto}
		data, _, frames, ok := d.defrag.add(k, off, more, proto, payload, frame, ts)
		if ok {
			d.transport(proto, src, dst, data, frames, frame, ts, depth)
		}
		return
	}
	d.transport(proto, src, dst, payload, nil, frame, ts, depth)
}

// ipv6 decodes an IPv6 packet (RFC 8200) through its extension headers,
// reassembling fragments.
func (d *Decoder) ipv6(b []byte, frame int, ts time.Time, depth int) {
	if len(b) < 40 || b[0]>>4 != 6 {
		d.stats.Undecodable++
		return
	}
	if n := int(binary.BigEndian.Uint16(b[4:])); n > 0 && 40+n < len(b) {
		b = b[:40+n]
	}
	src := netip.AddrFrom16([16]byte(b[8:24]))
	dst := netip.AddrFrom16([16]byte(b[24:40]))
	nh, b := b[6], b[40:]
	var frames []int
	for {
		switch nh {
		case 0, 43, 60, 135, 139, 140, 253, 254: // hop-by-hop, routing, destination options, mobility, HIP, shim6, experiments
			if len(b) < 8 || len(b) < (int(b[1])+1)*8 {
				d.stats.Undecodable++
				return
			}
			nh, b = b[0], b[(int(b[1])+1)*8:]
		case 51: // authentication header (RFC 4302)
			if len(b) < 8 || len(b) < (int(b[1])+2)*4 {
				d.stats.Undecodable++
				return
			}
			nh, b = b[0], b[(int(b[1])+2)*4:]
		case 44: // fragment header
			if len(b) < 8 {
				d.stats.Undecodable++
				return
			}
			fo := binary.BigEndian.Uint16(b[2:])
			off, more := int(fo&^7), fo&1 == 1
			next := b[0]
			if off == 0 && !more { // an atomic fragment (RFC 6946)
				nh, b = next, b[8:]
				continue
			}
			k := fragKey{src: src, dst: dst, id: binary.BigEndian.Uint32(b[4:])}
			data, p, fs, ok := d.defrag.add(k, off, more, next, b[8:], frame, ts)
			if !ok {
				return
			}
			nh, b, frames = p, data, fs
		default:
			d.transport(nh, src, dst, b, frames, frame, ts, depth)
			return
		}
	}
}

// transport decodes the payload of an IP packet of protocol proto.
// frames, when not nil, are the frames a reassembled datagram came from.
func (d *Decoder) transport(proto uint8, src, dst netip.Addr, b []byte, frames []int, frame int, ts time.Time, depth int) {
	switch proto {
	case 17:
		d.udp(src, dst, b, frames, frame, ts, depth)
	case 6:
		d.tcp(netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0), b, frame, ts)
	case 132:
		d.sctpPacket(src, dst, b, frames, frame, ts)
	case 4, 41, 47: // IP in IP, IPv6 in IP, GRE
		if depth >= maxDepth {
			d.stats.Undecodable++
			return
		}
		switch proto {
		case 4:
			d.ipv4(b, frame, ts, depth+1)
		case 41:
			d.ipv6(b, frame, ts, depth+1)
		default:
			d.gre(b, frame, ts, depth+1)
		}
	default:
		d.stats.OtherIPProtocol++
	}
}

// gre decodes a GRE packet (RFC 2784, RFC 2890, and the enhanced GRE of
// PPTP, RFC 2637) and what it carries.
func (d *Decoder) gre(b []byte, frame int, ts time.Time, depth int) {
	if len(b) < 4 {
		d.stats.Undecodable++
		return
	}
	flags := binary.BigEndian.Uint16(b)
	proto := binary.BigEndian.Uint16(b[2:])
	n := 4
	if flags&0xc000 != 0 { // checksum or routing present: checksum + offset
		n += 4
	}
	if flags&0x2000 != 0 { // key
		n += 4
	}
	if flags&0x1000 != 0 { // sequence number
		n += 4
	}
	if flags&7 == 1 && flags&0x0080 != 0 { // PPTP acknowledgment number
		n += 4
	}
	if flags&0x4000 != 0 || len(b) < n {
		d.stats.Undecodable++ // source routing is obsolete (RFC 2784)
		return
	}
	b = b[n:]
	switch proto {
	case 0x6558: // transparent Ethernet bridging
		d.ether(b, frame, ts, depth)
	case 0x88be: // ERSPAN type II: 8-byte header, then the mirrored frame
		if flags&0x1000 == 0 { // type I has no header
			d.ether(b, frame, ts, depth)
			return
		}
		if len(b) < 8 {
			d.stats.Undecodable++
			return
		}
		d.ether(b[8:], frame, ts, depth)
	case 0x22eb: // ERSPAN type III: 12 bytes, plus 8 with the O flag
		if len(b) < 12 {
			d.stats.Undecodable++
			return
		}
		h := 12
		if b[11]&1 == 1 {
			h += 8
		}
		if len(b) < h {
			d.stats.Undecodable++
			return
		}
		d.ether(b[h:], frame, ts, depth)
	case 0x880b:
		d.ppp(b, frame, ts, depth)
	default:
		d.ethertype(proto, b, frame, ts, depth)
	}
}

// udp decodes a UDP datagram (RFC 768): SIP on any port, HEPv3, and the
// tunnels SIP is mirrored or carried in (VXLAN, GTP-U).
func (d *Decoder) udp(src, dst netip.Addr, b []byte, frames []int, frame int, ts time.Time, depth int) {
	if len(b) < 8 {
		d.stats.Undecodable++
		return
	}
	d.stats.UDPDatagrams++
	sp, dp := binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
	if n := int(binary.BigEndian.Uint16(b[4:])); n >= 8 && n < len(b) {
		b = b[:n]
	}
	p := b[8:]
	s, d2 := netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp)
	if d.datagram(p, s, d2, UDP, frames, frame, ts) {
		return
	}
	switch {
	case hep.IsHEP3(p):
		d.hep(p, frames, frame, ts)
	case (dp == 4789 || sp == 4789) && len(p) >= 8 && p[0]&0x08 != 0 && depth < maxDepth: // VXLAN (RFC 7348)
		d.ether(p[8:], frame, ts, depth+1)
	case (dp == 2152 || sp == 2152) && depth < maxDepth: // GTP-U
		d.gtpu(p, frame, ts, depth+1)
	default:
		d.stats.UDPNotSIP++
	}
}

// datagram emits p as a SIP message when it is one: a datagram carries
// one message (RFC 3261 18.3), possibly after keep-alive CRLFs. It
// reports whether p was SIP or a keep-alive.
func (d *Decoder) datagram(p []byte, src, dst netip.AddrPort, t Transport, frames []int, frame int, ts time.Time) bool {
	m := skipCRLF(p)
	if len(m) == 0 {
		if len(p) > 0 {
			d.stats.KeepAlives++
			return true
		}
		return false
	}
	if _, _, ok := classifyLine(firstLine(m)); !ok {
		return false
	}
	if len(m) > d.limits.MaxMessage {
		d.stats.OversizeMessages++
		return true
	}
	d.deliver(frames, frame, ts, src, dst, t, false, m)
	return true
}

// gtpu decodes a GTP-U G-PDU (3GPP TS 29.281 5) carrying an IP packet.
func (d *Decoder) gtpu(b []byte, frame int, ts time.Time, depth int) {
	if len(b) < 8 || b[0]>>5 != 1 || b[1] != 0xff {
		d.stats.UDPNotSIP++
		return
	}
	n := 8
	if b[0]&0x07 != 0 { // sequence, N-PDU, next extension header
		if len(b) < 12 {
			d.stats.Undecodable++
			return
		}
		n = 12
		for next := b[11]; next != 0; {
			if len(b) < n+1 || b[n] == 0 || len(b) < n+int(b[n])*4 {
				d.stats.Undecodable++
				return
			}
			l := int(b[n]) * 4
			next = b[n+l-1]
			n += l
		}
	}
	d.ip(b[n:], frame, ts, depth)
}

// hep unwraps a HEPv3 packet: its SIP payload becomes a message with the
// original addresses and capture time.
func (d *Decoder) hep(p []byte, frames []int, frame int, ts time.Time) {
	d.stats.HEPPackets++
	h, _, err := hep.Parse(p, d.limits.MaxMessage)
	if err != nil {
		d.stats.HEPErrors++
		return
	}
	d.hepMessage(&h, frames, frame, ts)
}

// hepMessage delivers the SIP message of a parsed HEP packet.
func (d *Decoder) hepMessage(h *hep.Packet, frames []int, frame int, ts time.Time) {
	if h.ProtoType != 1 {
		d.stats.HEPNotSIP++
		return
	}
	m := skipCRLF(h.Payload)
	if _, _, ok := classifyLine(firstLine(m)); !ok {
		d.stats.HEPNotSIP++
		return
	}
	t := UDP
	switch h.IPProto {
	case 6:
		t = TCP
	case 132:
		t = SCTP
	}
	if !h.Time.IsZero() {
		ts = h.Time
	}
	d.deliver(frames, frame, ts, h.Src, h.Dst, t, true, m)
}

// deliver hands a message to the consumer in the decoder's reused
// Message. frames, when nil, is the single frame.
func (d *Decoder) deliver(frames []int, frame int, ts time.Time, src, dst netip.AddrPort, t Transport, hep bool, raw []byte) {
	d.stats.SIPMessages++
	if frames == nil {
		d.oneFrame[0] = frame
		frames = d.oneFrame[:]
	}
	d.msg = Message{Frames: frames, Time: ts, Src: src, Dst: dst, Transport: t, HEP: hep, Raw: raw}
	d.out(&d.msg)
	d.msg = Message{}
}
