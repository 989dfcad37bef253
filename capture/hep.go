package capture

import (
	"bufio"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sipaudit/sipaudit/capture/internal/hep"
)

// HEPPacket decodes one HEPv3 packet a capture agent sent to a listener
// (heplify, Kamailio's siptrace, FreeSWITCH): its SIP payload becomes a
// message numbered frame, with the original addresses and capture time
// (received, the time it arrived, when the agent gave none). When key is
// not empty, a packet whose auth key (chunk 0x000e) is not key is
// counted in Stats.HEPAuthFailed and dropped.
func (d *Decoder) HEPPacket(frame int, received time.Time, p []byte, key string) {
	d.stats.Packets++
	d.stats.Bytes += len(p)
	d.stats.HEPPackets++
	h, _, err := hep.Parse(p, d.limits.MaxMessage)
	if err != nil {
		d.stats.HEPErrors++
		return
	}
	if key != "" && subtle.ConstantTimeCompare([]byte(h.AuthKey), []byte(key)) != 1 {
		d.stats.HEPAuthFailed++
		return
	}
	d.hepMessage(&h, nil, frame, received)
}

// ErrNotHEPStream is returned (wrapped) by ReadHEP when a stream does
// not hold HEPv3 packets: the connection should be closed.
var ErrNotHEPStream = errors.New("not a HEPv3 stream")

// hepHeader is the HEPv3 packet header: "HEP3" and the total length.
const hepHeader = 6

// ReadHEP reads the next HEPv3 packet of a TCP stream from r into buf
// (grown as needed, at most 64 KiB: the length field is 16 bits) and
// returns it. It returns io.EOF at a clean end between packets,
// io.ErrUnexpectedEOF inside one, and an error wrapping
// ErrNotHEPStream when the bytes are not a HEPv3 packet header.
func ReadHEP(r *bufio.Reader, buf []byte) ([]byte, error) {
	head, err := r.Peek(hepHeader)
	if err != nil {
		if err == io.EOF && len(head) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return buf[:0], err
	}
	if !hep.IsHEP3(head) {
		return buf[:0], fmt.Errorf("%w: %q where a HEP3 header belongs", ErrNotHEPStream, head[:4])
	}
	n := int(binary.BigEndian.Uint16(head[4:]))
	if n < hepHeader {
		return buf[:0], fmt.Errorf("%w: packet length %d", ErrNotHEPStream, n)
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return buf[:0], err
	}
	return buf, nil
}

// EncodeHEP returns the HEPv3 packet a capture agent would send for m
// (its addresses, transport and time, SIP payload), with authKey when
// not empty. It returns nil when the packet would exceed the 65535
// bytes a HEP length field can express.
func EncodeHEP(m *Message, authKey string) []byte {
	if len(m.Raw) > 65535-256-len(authKey) {
		return nil
	}
	proto := uint8(17)
	switch m.Transport {
	case TCP, TLS, WS, WSS:
		proto = 6
	case SCTP:
		proto = 132
	}
	return hep.Encode(hep.Packet{IPProto: proto, Src: m.Src, Dst: m.Dst, Time: m.Time,
		ProtoType: hep.ProtoTypeSIP, AuthKey: authKey, Payload: m.Raw})
}
