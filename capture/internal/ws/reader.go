package ws

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Frame opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// maxControlPayload is the largest payload a control frame may carry
// (RFC 6455 section 5.5).
const maxControlPayload = 125

// ErrProtocol is wrapped by errors reporting frames that violate RFC 6455:
// reserved opcodes, RSV bits set (including RSV1, as compressed frames are not
// supported), fragmented or oversized control frames, continuation frames
// without a started message, data frames interrupting a fragmented message,
// and 64-bit payload lengths with the most significant bit set.
var ErrProtocol = errors.New("websocket: protocol error")

// ErrTooLarge is wrapped by errors reporting a frame, or a message joined from
// fragments, larger than the Reader's maximum message size.
var ErrTooLarge = errors.New("websocket: message too large")

// Stats counts what a Reader has consumed. Frames rejected with an error are
// not counted.
type Stats struct {
	// Frames is the number of frames consumed, data and control.
	Frames uint64
	// ControlFrames is the number of ping, pong and close frames consumed.
	ControlFrames uint64
	// Messages is the number of complete data messages returned.
	Messages uint64
	// MaskedFrames is the number of consumed frames that had the MASK bit set.
	MaskedFrames uint64
}

// Reader reassembles WebSocket data messages from one direction of a
// connection. The zero value is not usable; create Readers with NewReader.
// A Reader is not safe for concurrent use.
type Reader struct {
	max    int    // largest message accepted
	buf    []byte // payload of the fragmented message in progress
	inMsg  bool   // a fragmented message has been started
	closed bool   // a close frame was seen
	stats  Stats
}

// NewReader returns a Reader that refuses messages larger than maxMessage
// bytes. A negative maxMessage is treated as 0 (only empty messages).
func NewReader(maxMessage int) *Reader {
	if maxMessage < 0 {
		maxMessage = 0
	}
	return &Reader{max: maxMessage}
}

// InMessage reports whether a fragmented message has been started but not
// finished.
func (r *Reader) InMessage() bool { return r.inMsg }

// Closed reports whether a close frame was seen.
func (r *Reader) Closed() bool { return r.closed }

// Stats returns the Reader's counters.
func (r *Reader) Stats() Stats { return r.stats }

// fail resets the message state and returns an error wrapping kind.
func (r *Reader) fail(consumed int, kind error, format string, args ...any) (int, []byte, error) {
	r.buf = nil
	r.inMsg = false
	return consumed, nil, fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}

// Next parses as much of b as forms complete frames; b must start at a frame
// boundary. It returns how many bytes of b it consumed and, when a complete
// data message (text or binary, continuation frames joined, payload unmasked)
// ended inside those bytes, that message as a freshly allocated slice that
// the caller may keep; b is not retained and may be reused by the caller.
// An empty message is returned as a non-nil empty slice.
//
// Next stops after the first complete message so the caller can attribute
// bytes; call it again with b[consumed:] for the rest. consumed == 0 with a
// nil msg and nil err means more bytes are needed. A frame is only consumed
// once all its bytes are in b, so the caller must buffer at least
// maxMessage+14 bytes.
//
// Control frames (ping, pong, close) are consumed and skipped, including
// between fragments of a message; a close frame makes Closed report true.
//
// Errors wrap ErrProtocol or ErrTooLarge (use errors.Is). An oversized frame
// is reported as soon as its length field is readable, before its payload
// arrives. On error, consumed counts the bytes of the valid frames before the
// offending one, and the Reader is reset: any partial message is dropped.
func (r *Reader) Next(b []byte) (consumed int, msg []byte, err error) {
	pos := 0
	for {
		rest := b[pos:]
		if len(rest) == 0 {
			return pos, nil, nil
		}
		b0 := rest[0]
		fin := b0&0x80 != 0
		op := b0 & 0x0f
		if b0&0x40 != 0 {
			return r.fail(pos, ErrProtocol, "RSV1 set: compressed frames (permessage-deflate) are not supported")
		}
		if b0&0x30 != 0 {
			return r.fail(pos, ErrProtocol, "RSV bits %#x set without a negotiated extension", b0&0x30)
		}
		control := op&0x8 != 0
		switch op {
		case opContinuation:
			if !r.inMsg {
				return r.fail(pos, ErrProtocol, "continuation frame without a started message")
			}
		case opText, opBinary:
			if r.inMsg {
				return r.fail(pos, ErrProtocol, "data frame (opcode %#x) while a fragmented message is in progress", op)
			}
		case opClose, opPing, opPong:
			if !fin {
				return r.fail(pos, ErrProtocol, "fragmented control frame (opcode %#x)", op)
			}
		default:
			return r.fail(pos, ErrProtocol, "reserved opcode %#x", op)
		}

		if len(rest) < 2 {
			return pos, nil, nil
		}
		b1 := rest[1]
		masked := b1&0x80 != 0
		length := uint64(b1 & 0x7f)
		if control && length > maxControlPayload {
			return r.fail(pos, ErrProtocol, "control frame (opcode %#x) with payload length > %d", op, maxControlPayload)
		}
		hdr := 2
		switch length {
		case 126:
			if len(rest) < 4 {
				return pos, nil, nil
			}
			length = uint64(binary.BigEndian.Uint16(rest[2:4]))
			hdr = 4
		case 127:
			if len(rest) < 10 {
				return pos, nil, nil
			}
			length = binary.BigEndian.Uint64(rest[2:10])
			hdr = 10
			if length>>63 != 0 {
				return r.fail(pos, ErrProtocol, "64-bit payload length %#x has the most significant bit set", length)
			}
		}
		// len(r.buf) <= r.max always holds, so the subtraction cannot wrap.
		if !control && length > uint64(r.max)-uint64(len(r.buf)) {
			if r.inMsg {
				return r.fail(pos, ErrTooLarge, "fragment of %d bytes after %d bytes exceeds limit %d", length, len(r.buf), r.max)
			}
			return r.fail(pos, ErrTooLarge, "frame payload of %d bytes exceeds limit %d", length, r.max)
		}
		var key uint32
		if masked {
			if len(rest) < hdr+4 {
				return pos, nil, nil
			}
			key = binary.LittleEndian.Uint32(rest[hdr : hdr+4])
			hdr += 4
		}
		if uint64(len(rest)-hdr) < length {
			return pos, nil, nil
		}
		// length <= len(rest)-hdr, so the conversion and sum cannot overflow.
		total := hdr + int(length)
		payload := rest[hdr:total]
		pos += total

		r.stats.Frames++
		if masked {
			r.stats.MaskedFrames++
		}
		if control {
			r.stats.ControlFrames++
			if op == opClose {
				r.closed = true
			}
			continue
		}

		if op != opContinuation && fin {
			// Single-frame message: unmask straight into the result.
			msg = make([]byte, len(payload))
			unmask(msg, payload, key, masked)
			r.stats.Messages++
			return pos, msg, nil
		}

		r.inMsg = true
		r.appendPayload(payload, key, masked)
		if fin {
			msg = r.buf
			if msg == nil {
				msg = []byte{}
			}
			r.buf = nil
			r.inMsg = false
			r.stats.Messages++
			return pos, msg, nil
		}
	}
}

// appendPayload appends a fragment's unmasked payload to r.buf. The caller
// has checked that len(r.buf)+len(p) <= r.max; capacity never exceeds r.max.
func (r *Reader) appendPayload(p []byte, key uint32, masked bool) {
	if len(p) == 0 {
		return
	}
	n := len(r.buf)
	need := n + len(p)
	if need > cap(r.buf) {
		c := 2 * cap(r.buf)
		if c < 512 {
			c = 512
		}
		if c < need {
			c = need
		}
		if c > r.max {
			c = r.max
		}
		nb := make([]byte, n, c)
		copy(nb, r.buf)
		r.buf = nb
	}
	r.buf = r.buf[:need]
	unmask(r.buf[n:], p, key, masked)
}

// unmask copies src into dst (len(dst) >= len(src)), XORing with the masking
// key when masked is set. key holds the four key bytes in little-endian
// order, so key byte i is byte(key >> (8*i)).
func unmask(dst, src []byte, key uint32, masked bool) {
	if !masked || key == 0 {
		copy(dst, src)
		return
	}
	maskBytes(dst, src, key)
}

// maskBytes XORs src with the repeating 4-byte key into dst, 32 and then 8
// bytes at a time. len(dst) must be at least len(src).
func maskBytes(dst, src []byte, key uint32) {
	dst = dst[:len(src)]
	k8 := uint64(key) | uint64(key)<<32
	for len(src) >= 32 && len(dst) >= 32 {
		s := src[:32:32]
		d := dst[:32:32]
		binary.LittleEndian.PutUint64(d[0:8], binary.LittleEndian.Uint64(s[0:8])^k8)
		binary.LittleEndian.PutUint64(d[8:16], binary.LittleEndian.Uint64(s[8:16])^k8)
		binary.LittleEndian.PutUint64(d[16:24], binary.LittleEndian.Uint64(s[16:24])^k8)
		binary.LittleEndian.PutUint64(d[24:32], binary.LittleEndian.Uint64(s[24:32])^k8)
		src, dst = src[32:], dst[32:]
	}
	for len(src) >= 8 && len(dst) >= 8 {
		binary.LittleEndian.PutUint64(dst[:8:8], binary.LittleEndian.Uint64(src[:8:8])^k8)
		src, dst = src[8:], dst[8:]
	}
	// Whole multiples of 8 bytes were consumed, so the key phase restarts
	// at byte 0 of the key.
	for i := 0; i < len(src) && i < len(dst); i++ {
		dst[i] = src[i] ^ byte(key>>(8*(i&3)))
	}
}
