package capture

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// sctpKey names one SCTP stream of one direction.
type sctpKey struct {
	src, dst netip.AddrPort
	stream   uint16
}

// sctpMessage is a user message whose DATA chunks are still arriving.
type sctpMessage struct {
	data   []byte
	frames []int
}

// sctpPacket decodes an SCTP packet (RFC 9260 3): every DATA chunk
// carries (a piece of) one user message, and each message is one SIP
// message (RFC 4168).
func (d *Decoder) sctpPacket(src, dst netip.Addr, b []byte, frames []int, frame int, ts time.Time) {
	if len(b) < 12 {
		d.stats.Undecodable++
		return
	}
	s := netip.AddrPortFrom(src, binary.BigEndian.Uint16(b))
	t := netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:]))
	for b = b[12:]; len(b) >= 4; {
		typ, flags := b[0], b[1]
		n := int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n > len(b) {
			d.stats.Undecodable++
			return
		}
		c := b[:n]
		if p := (n + 3) &^ 3; p < len(b) {
			b = b[p:]
		} else {
			b = nil
		}
		if typ != 0 || n < 16 { // not DATA
			continue
		}
		d.stats.SCTPChunks++
		k := sctpKey{s, t, binary.BigEndian.Uint16(c[8:])}
		data := c[16:]
		begin, end := flags&2 != 0, flags&1 != 0
		if begin && end {
			if !d.datagram(data, s, t, SCTP, frames, frame, ts) {
				d.stats.StreamBytesSkip += len(data)
			}
			continue
		}
		m := d.sctp[k]
		if begin {
			if m == nil && len(d.sctp) >= d.limits.MaxStreams {
				d.stats.StreamOverflows++
				continue
			}
			m = &sctpMessage{}
			d.sctp[k] = m
		}
		if m == nil {
			d.stats.StreamBytesSkip += len(data) // its beginning was not seen
			continue
		}
		if len(m.data)+len(data) > d.limits.MaxMessage {
			d.stats.OversizeMessages++
			delete(d.sctp, k)
			continue
		}
		m.data = append(m.data, data...)
		m.frames = append(m.frames, frame)
		if end {
			delete(d.sctp, k)
			if !d.datagram(m.data, s, t, SCTP, m.frames, frame, ts) {
				d.stats.StreamBytesSkip += len(m.data)
			}
		}
	}
}
