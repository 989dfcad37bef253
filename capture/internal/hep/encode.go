package hep

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"math"
)

// Encode builds a HEPv3 packet from p, for tests and fixture builders.
//
// Chunks are written in the order heplify uses: family (0x0001; when
// p.Family is 0 it is derived from p.Src, then p.Dst), IP protocol
// (0x0002), the source and destination addresses that are valid (0x0003/
// 0x0004 for IPv4, 0x0005/0x0006 otherwise), ports (0x0007/0x0008), the
// timestamp (0x0009/0x000a, only when p.Time is not zero; seconds are
// truncated to uint32), protocol type (0x000b), capture id (0x000c), then
// the authentication key (0x000e), correlation id (0x0011), VLAN (0x0012)
// and node name (0x0013) when set, and last the payload: raw in chunk
// 0x000f, or zlib-compressed in chunk 0x0010 when p.Compressed is set.
//
// Encode panics if the packet, or one chunk, exceeds the 65535 bytes a HEP
// length field can express.
func Encode(p Packet) []byte {
	e := encoder{buf: make([]byte, 0, 128+len(p.Payload))}
	e.buf = append(e.buf, "HEP3\x00\x00"...)

	family := p.Family
	if family == 0 {
		switch {
		case p.Src.Addr().IsValid():
			family = familyOf(p.Src.Addr().Is4())
		case p.Dst.Addr().IsValid():
			family = familyOf(p.Dst.Addr().Is4())
		}
	}
	e.chunk(chunkFamily, []byte{family})
	e.chunk(chunkIPProto, []byte{p.IPProto})
	if a := p.Src.Addr(); a.IsValid() {
		if a.Is4() {
			e.chunk(chunkIPv4Src, a.AsSlice())
		} else {
			e.chunk(chunkIPv6Src, a.AsSlice())
		}
	}
	if a := p.Dst.Addr(); a.IsValid() {
		if a.Is4() {
			e.chunk(chunkIPv4Dst, a.AsSlice())
		} else {
			e.chunk(chunkIPv6Dst, a.AsSlice())
		}
	}
	e.chunk(chunkSrcPort, binary.BigEndian.AppendUint16(nil, p.Src.Port()))
	e.chunk(chunkDstPort, binary.BigEndian.AppendUint16(nil, p.Dst.Port()))
	if !p.Time.IsZero() {
		e.chunk(chunkTimeSec, binary.BigEndian.AppendUint32(nil, uint32(p.Time.Unix())))
		e.chunk(chunkTimeUsec, binary.BigEndian.AppendUint32(nil, uint32(p.Time.Nanosecond()/1000)))
	}
	e.chunk(chunkProtoType, []byte{p.ProtoType})
	e.chunk(chunkCaptureID, binary.BigEndian.AppendUint32(nil, p.CaptureID))
	if p.AuthKey != "" {
		e.chunk(chunkAuthKey, []byte(p.AuthKey))
	}
	if p.CorrelationID != "" {
		e.chunk(chunkCorrID, []byte(p.CorrelationID))
	}
	if p.VLAN != 0 {
		e.chunk(chunkVLAN, binary.BigEndian.AppendUint16(nil, p.VLAN))
	}
	if p.NodeName != "" {
		e.chunk(chunkNodeName, []byte(p.NodeName))
	}
	if p.Compressed {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		_, _ = zw.Write(p.Payload) // writes to a bytes.Buffer cannot fail
		_ = zw.Close()
		e.chunk(chunkCompressed, z.Bytes())
	} else {
		e.chunk(chunkPayload, p.Payload)
	}

	if len(e.buf) > math.MaxUint16 {
		panic(fmt.Sprintf("hep: Encode: packet of %d bytes exceeds %d", len(e.buf), math.MaxUint16))
	}
	binary.BigEndian.PutUint16(e.buf[4:6], uint16(len(e.buf)))
	return e.buf
}

// familyOf returns the HEP address family for an IPv4 (true) or IPv6
// (false) address.
func familyOf(is4 bool) uint8 {
	if is4 {
		return FamilyIPv4
	}
	return FamilyIPv6
}

// encoder accumulates the chunks of one packet.
type encoder struct {
	buf []byte
}

// chunk appends one vendor-0 chunk of type typ holding value.
func (e *encoder) chunk(typ uint16, value []byte) {
	n := headerLen + len(value)
	if n > math.MaxUint16 {
		panic(fmt.Sprintf("hep: Encode: chunk 0x%04x of %d bytes exceeds %d", typ, n, math.MaxUint16))
	}
	e.buf = binary.BigEndian.AppendUint16(e.buf, 0)
	e.buf = binary.BigEndian.AppendUint16(e.buf, typ)
	e.buf = binary.BigEndian.AppendUint16(e.buf, uint16(n))
	e.buf = append(e.buf, value...)
}
