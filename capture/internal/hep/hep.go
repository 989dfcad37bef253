package hep

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"time"
)

// Sentinel errors returned (wrapped, with detail) by Parse. Test for them
// with errors.Is.
var (
	// ErrNotHEP reports that the input does not start with the "HEP3" magic.
	ErrNotHEP = errors.New("hep: not a HEPv3 packet")
	// ErrTruncated reports that the input is shorter than its length field
	// says, or that a chunk runs past the end of the packet. When reading a
	// stream, more data may complete the packet.
	ErrTruncated = errors.New("hep: truncated packet")
	// ErrMalformed reports a structurally invalid packet: a length field
	// below the 6-byte minimum, a fixed-size chunk of the wrong size, a
	// missing payload chunk, or a compressed payload that does not inflate.
	ErrMalformed = errors.New("hep: malformed packet")
	// ErrTooLarge reports a payload larger than the maxPayload bound given
	// to Parse.
	ErrTooLarge = errors.New("hep: payload too large")
)

// Values of Packet.ProtoType (chunk 0x000b) most often seen in practice.
const (
	// ProtoTypeSIP marks a SIP message payload.
	ProtoTypeSIP uint8 = 1
	// ProtoTypeRTCP marks an RTCP report, usually as JSON.
	ProtoTypeRTCP uint8 = 5
	// ProtoTypeLog marks a free-text log line.
	ProtoTypeLog uint8 = 100
)

// Values of Packet.Family (chunk 0x0001).
const (
	// FamilyIPv4 is the AF_INET address family.
	FamilyIPv4 uint8 = 2
	// FamilyIPv6 is the AF_INET6 address family as HEP encodes it.
	FamilyIPv6 uint8 = 10
)

// DefaultMaxPayload is the payload bound Parse applies when its maxPayload
// argument is zero or negative.
const DefaultMaxPayload = 1 << 20

// headerLen is the size of the packet header ("HEP3" + uint16 length) and,
// coincidentally, of every chunk header (vendor, type, length).
const headerLen = 6

// Generic (vendor 0) chunk types. The numbering follows the HEPv3 draft as
// implemented by sipcapture/heplify (decoder/hep.go and publish/hep.go:
// Version=1 ... Payload=15, CompressedPayload=16, CorrelationID=17, Vlan=18,
// NodeName=19) and the sipcapture/hep-wireshark dissector (lua/hep.lua,
// chunk types "00000001" .. "00000013").
const (
	chunkFamily     = 0x0001 // uint8 IP protocol family
	chunkIPProto    = 0x0002 // uint8 IP protocol id
	chunkIPv4Src    = 0x0003 // 4-byte IPv4 source address
	chunkIPv4Dst    = 0x0004 // 4-byte IPv4 destination address
	chunkIPv6Src    = 0x0005 // 16-byte IPv6 source address
	chunkIPv6Dst    = 0x0006 // 16-byte IPv6 destination address
	chunkSrcPort    = 0x0007 // uint16 source port
	chunkDstPort    = 0x0008 // uint16 destination port
	chunkTimeSec    = 0x0009 // uint32 seconds since the Unix epoch
	chunkTimeUsec   = 0x000a // uint32 microseconds offset
	chunkProtoType  = 0x000b // uint8 payload protocol type
	chunkCaptureID  = 0x000c // uint32 capture agent id
	chunkKeepAlive  = 0x000d // uint16 keep alive timer, seconds
	chunkAuthKey    = 0x000e // string authentication key
	chunkPayload    = 0x000f // raw captured payload
	chunkCompressed = 0x0010 // compressed captured payload (zlib)
	chunkCorrID     = 0x0011 // string internal correlation id
	chunkVLAN       = 0x0012 // uint16 VLAN id
	chunkNodeName   = 0x0013 // string capture agent (node) name
)

// fixedSize returns the value size a generic chunk type must have, or -1 if
// the type has a variable size or is unknown.
func fixedSize(typ uint16) int {
	switch typ {
	case chunkFamily, chunkIPProto, chunkProtoType:
		return 1
	case chunkSrcPort, chunkDstPort, chunkKeepAlive, chunkVLAN:
		return 2
	case chunkIPv4Src, chunkIPv4Dst, chunkTimeSec, chunkTimeUsec, chunkCaptureID:
		return 4
	case chunkIPv6Src, chunkIPv6Dst:
		return 16
	}
	return -1
}

// Packet is one decoded HEPv3 packet.
type Packet struct {
	Family    uint8          // 2 IPv4, 10 IPv6
	IPProto   uint8          // 17 UDP, 6 TCP, 132 SCTP ...
	Src, Dst  netip.AddrPort // original addresses and ports of the captured message
	Time      time.Time      // original capture time (seconds + microseconds), UTC; zero if absent
	ProtoType uint8          // 1 SIP, 5 RTCP, 100 LOG, ...
	CaptureID uint32         // capture agent id (chunk 0x000c)
	NodeName  string         // capture agent name (chunk 0x0013)
	// CorrelationID is the agent's internal correlation id (chunk 0x0011),
	// often the SIP Call-ID for RTCP and LOG packets.
	CorrelationID string
	// AuthKey is the capture agent's authentication key (chunk 0x000e).
	AuthKey string
	// VLAN is the VLAN id of the captured frame (chunk 0x0012), 0 if absent.
	VLAN uint16
	// Compressed reports that the payload came from chunk 0x0010.
	Compressed bool
	// Payload is the captured message. It is a sub-slice of the input
	// unless Compressed (then freshly allocated).
	Payload []byte
}

// IsHEP3 reports whether b starts with the "HEP3" magic.
func IsHEP3(b []byte) bool {
	return len(b) >= 4 && b[0] == 'H' && b[1] == 'E' && b[2] == 'P' && b[3] == '3'
}

// Parse decodes one HEPv3 packet from the start of b. It returns the packet
// and the number of bytes it occupies (the total length field), so that a
// TCP stream of HEP packets can be walked; bytes after the packet are
// ignored.
//
// maxPayload bounds the payload size: a compressed payload is inflated at
// most to maxPayload+1 bytes, and a payload (compressed or not) longer than
// maxPayload yields ErrTooLarge. A maxPayload of zero or less means
// DefaultMaxPayload.
//
// Errors wrap ErrNotHEP (no magic), ErrTruncated (b shorter than the length
// field says, including a proper prefix of the magic, or a chunk running
// past the end of the packet), ErrMalformed (length field below 6, chunk
// length below 6, fixed-size chunk of the wrong size, missing payload,
// undecodable compressed payload) or ErrTooLarge.
//
// Chunks of vendors other than 0 and unknown chunk types are skipped. When a
// chunk type repeats, the last one wins.
func Parse(b []byte, maxPayload int) (Packet, int, error) {
	var p Packet
	if maxPayload <= 0 {
		maxPayload = DefaultMaxPayload
	}
	if len(b) < 4 {
		if bytes.HasPrefix([]byte("HEP3"), b) {
			return p, 0, fmt.Errorf("%w: %d bytes, need at least %d", ErrTruncated, len(b), headerLen)
		}
		return p, 0, fmt.Errorf("%w: no HEP3 magic", ErrNotHEP)
	}
	if !IsHEP3(b) {
		return p, 0, fmt.Errorf("%w: magic %q", ErrNotHEP, b[:4])
	}
	if len(b) < headerLen {
		return p, 0, fmt.Errorf("%w: %d bytes, need at least %d", ErrTruncated, len(b), headerLen)
	}
	total := int(binary.BigEndian.Uint16(b[4:6]))
	if total < headerLen {
		return p, 0, fmt.Errorf("%w: total length %d < %d", ErrMalformed, total, headerLen)
	}
	if total > len(b) {
		return p, 0, fmt.Errorf("%w: length field says %d bytes, have %d", ErrTruncated, total, len(b))
	}
	pkt := b[:total:total]

	var (
		srcAddr, dstAddr netip.Addr
		srcPort, dstPort uint16
		sec, usec        uint32
		haveSec          bool
		payload          []byte
		havePayload      bool
	)
	for off := headerLen; off < total; {
		if total-off < headerLen {
			return Packet{}, 0, fmt.Errorf("%w: chunk header at offset %d: only %d bytes left in packet", ErrTruncated, off, total-off)
		}
		vendor := binary.BigEndian.Uint16(pkt[off:])
		typ := binary.BigEndian.Uint16(pkt[off+2:])
		clen := int(binary.BigEndian.Uint16(pkt[off+4:]))
		if clen < headerLen {
			return Packet{}, 0, fmt.Errorf("%w: chunk 0x%04x at offset %d: chunk length %d < %d", ErrMalformed, typ, off, clen, headerLen)
		}
		if clen > total-off {
			return Packet{}, 0, fmt.Errorf("%w: chunk 0x%04x at offset %d: chunk length %d, only %d bytes left in packet", ErrTruncated, typ, off, clen, total-off)
		}
		v := pkt[off+headerLen : off+clen : off+clen]
		off += clen
		if vendor != 0 {
			continue
		}
		if want := fixedSize(typ); want >= 0 && len(v) != want {
			return Packet{}, 0, fmt.Errorf("%w: chunk 0x%04x: value is %d bytes, want %d", ErrMalformed, typ, len(v), want)
		}
		switch typ {
		case chunkFamily:
			p.Family = v[0]
		case chunkIPProto:
			p.IPProto = v[0]
		case chunkIPv4Src:
			srcAddr = netip.AddrFrom4([4]byte(v))
		case chunkIPv4Dst:
			dstAddr = netip.AddrFrom4([4]byte(v))
		case chunkIPv6Src:
			srcAddr = netip.AddrFrom16([16]byte(v))
		case chunkIPv6Dst:
			dstAddr = netip.AddrFrom16([16]byte(v))
		case chunkSrcPort:
			srcPort = binary.BigEndian.Uint16(v)
		case chunkDstPort:
			dstPort = binary.BigEndian.Uint16(v)
		case chunkTimeSec:
			sec, haveSec = binary.BigEndian.Uint32(v), true
		case chunkTimeUsec:
			usec = binary.BigEndian.Uint32(v)
		case chunkProtoType:
			p.ProtoType = v[0]
		case chunkCaptureID:
			p.CaptureID = binary.BigEndian.Uint32(v)
		case chunkAuthKey:
			p.AuthKey = string(v)
		case chunkPayload:
			payload, havePayload, p.Compressed = v, true, false
		case chunkCompressed:
			payload, havePayload, p.Compressed = v, true, true
		case chunkCorrID:
			p.CorrelationID = string(v)
		case chunkVLAN:
			p.VLAN = binary.BigEndian.Uint16(v)
		case chunkNodeName:
			p.NodeName = string(v)
		}
	}
	if !havePayload {
		return Packet{}, 0, fmt.Errorf("%w: no payload chunk (0x%04x or 0x%04x)", ErrMalformed, chunkPayload, chunkCompressed)
	}
	p.Src = netip.AddrPortFrom(srcAddr, srcPort)
	p.Dst = netip.AddrPortFrom(dstAddr, dstPort)
	if haveSec {
		p.Time = time.Unix(int64(sec), int64(usec)*1000).UTC()
	}
	if p.Compressed {
		out, err := inflate(payload, maxPayload)
		if err != nil {
			return Packet{}, 0, err
		}
		p.Payload = out
	} else {
		if len(payload) > maxPayload {
			return Packet{}, 0, fmt.Errorf("%w: chunk 0x%04x: %d bytes, limit %d", ErrTooLarge, chunkPayload, len(payload), maxPayload)
		}
		p.Payload = payload
	}
	return p, total, nil
}

// Pools of inflaters: a flate decompressor carries a 32 KiB window and
// Huffman tables, too much to allocate per packet on a busy HEP feed.
var (
	zlibPool  sync.Pool // of io.ReadCloser implementing zlib.Resetter
	flatePool sync.Pool // of io.ReadCloser implementing flate.Resetter
)

// zlibHeaderOnly is a valid RFC 1950 header (deflate, 32 KiB window,
// default level) with no data after it.
var zlibHeaderOnly = []byte{0x78, 0x9c}

// isZlibHeader reports whether b starts with a valid RFC 1950 header using
// the deflate method without a preset dictionary.
func isZlibHeader(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	cmf, flg := b[0], b[1]
	return cmf&0x0f == 8 && cmf>>4 <= 7 && flg&0x20 == 0 && (uint16(cmf)<<8|uint16(flg))%31 == 0
}

// inflate decompresses the value of a compressed payload chunk, reading at
// most maxPayload+1 bytes of output. heplify and Kamailio's sipcapture use
// zlib (RFC 1950, captures show the 78 9c header); a value without a zlib
// header is tried as gzip (1f 8b magic) and otherwise as raw deflate
// (RFC 1951).
func inflate(data []byte, maxPayload int) ([]byte, error) {
	src := bytes.NewReader(data)
	var (
		r    io.Reader
		put  func()
		kind string
	)
	switch {
	case isZlibHeader(data):
		kind = "zlib"
		if zr, ok := zlibPool.Get().(io.ReadCloser); ok {
			if err := zr.(zlib.Resetter).Reset(src, nil); err != nil {
				zlibPool.Put(zr)
				return nil, fmt.Errorf("%w: chunk 0x%04x: zlib: %v", ErrMalformed, chunkCompressed, err)
			}
			r = zr
		} else {
			zr, err := zlib.NewReader(src)
			if err != nil {
				return nil, fmt.Errorf("%w: chunk 0x%04x: zlib: %v", ErrMalformed, chunkCompressed, err)
			}
			r = zr
		}
		put = func() {
			// Drop the reference to data: a bare zlib header makes
			// Reset also reset the inner flate decompressor.
			_ = r.(zlib.Resetter).Reset(bytes.NewReader(zlibHeaderOnly), nil)
			zlibPool.Put(r)
		}
	case len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b:
		kind = "gzip"
		gr, err := gzip.NewReader(src)
		if err != nil {
			return nil, fmt.Errorf("%w: chunk 0x%04x: gzip: %v", ErrMalformed, chunkCompressed, err)
		}
		gr.Multistream(false)
		r = gr
		put = func() {}
	default:
		kind = "deflate"
		if fr, ok := flatePool.Get().(io.ReadCloser); ok {
			// flate's Reset never fails.
			_ = fr.(flate.Resetter).Reset(src, nil)
			r = fr
		} else {
			r = flate.NewReader(src)
		}
		put = func() {
			_ = r.(flate.Resetter).Reset(bytes.NewReader(nil), nil)
			flatePool.Put(r)
		}
	}
	defer put()

	limit := maxPayload + 1
	if limit <= 0 { // maxPayload == math.MaxInt
		limit = maxPayload
	}
	size := 4 * len(data) // typical SIP compression ratio is 2-4
	size = max(size, 512)
	size = min(size, limit)
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= limit {
				return nil, fmt.Errorf("%w: chunk 0x%04x: %s payload inflates past %d bytes", ErrTooLarge, chunkCompressed, kind, maxPayload)
			}
			grow := min(cap(buf), limit-len(buf))
			buf = append(buf, make([]byte, grow)...)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: chunk 0x%04x: %s: %v", ErrMalformed, chunkCompressed, kind, err)
		}
	}
	if len(buf) > maxPayload {
		return nil, fmt.Errorf("%w: chunk 0x%04x: %s payload inflates past %d bytes", ErrTooLarge, chunkCompressed, kind, maxPayload)
	}
	return buf, nil
}
