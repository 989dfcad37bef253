package ws

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
)

// Length forms for encodeFrame.
const (
	lenAuto = iota // shortest form
	len16          // force the 126 form
	len64          // force the 127 form
)

// encodeFrame builds a frame byte by byte. b0 is the first header byte
// (FIN, RSV and opcode); key, when non-nil, must hold 4 bytes and masks the
// payload.
func encodeFrame(b0 byte, key []byte, payload []byte, form int) []byte {
	out := []byte{b0}
	var mbit byte
	if key != nil {
		mbit = 0x80
	}
	n := len(payload)
	switch {
	case form == lenAuto && n < 126:
		out = append(out, mbit|byte(n))
	case form == len64 || n > 0xffff:
		out = append(out, mbit|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	default:
		out = append(out, mbit|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	}
	if key != nil {
		out = append(out, key...)
		for i, c := range payload {
			out = append(out, c^key[i%4])
		}
		return out
	}
	return append(out, payload...)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// Examples from RFC 6455 section 5.7 ("Examples"), byte for byte.
var (
	// A single-frame unmasked text message containing "Hello".
	rfcHello = []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}
	// A single-frame masked text message containing "Hello".
	rfcHelloMasked = []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	// A fragmented unmasked text message: first frame "Hel", second "lo".
	rfcFrag1 = []byte{0x01, 0x03, 0x48, 0x65, 0x6c}
	rfcFrag2 = []byte{0x80, 0x02, 0x6c, 0x6f}
	// Unmasked Ping request and masked Ping response (pong), body "Hello".
	rfcPing       = []byte{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}
	rfcPongMasked = []byte{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	// 256 bytes binary message in a single unmasked frame:
	// 0x82 0x7E 0x0100 [256 bytes of binary data].
	rfc256 = cat([]byte{0x82, 0x7e, 0x01, 0x00}, seq(256))
	// 64KiB binary message in a single unmasked frame:
	// 0x82 0x7F 0x0000000000010000 [65536 bytes of binary data].
	rfc64K = cat([]byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}, seq(65536))
)

var testKey = []byte{0xa1, 0x5b, 0x00, 0xfe}

// event is one result of draining a Reader.
type event struct {
	msg []byte
	err error
	at  int // absolute offset of the call's end (msg) or error position
}

// drain calls Next until it needs more bytes or fails, returning the events
// and the total bytes consumed.
func drain(t *testing.T, r *Reader, b []byte) (evs []event, used int) {
	t.Helper()
	for i := 0; i <= len(b)+1; i++ {
		n, msg, err := r.Next(b[used:])
		if n < 0 || n > len(b)-used {
			t.Fatalf("Next consumed %d of %d bytes", n, len(b)-used)
		}
		used += n
		if err != nil {
			return append(evs, event{err: err, at: used}), used
		}
		if msg != nil {
			evs = append(evs, event{msg: msg, at: used})
			continue
		}
		if n == 0 {
			return evs, used
		}
	}
	t.Fatalf("Next did not stop")
	return nil, 0
}

func TestReaderMessages(t *testing.T) {
	tests := []struct {
		name     string
		in       []byte
		max      int
		want     []string // messages in order
		used     int      // -1: len(in)
		inMsg    bool
		closed   bool
		stats    Stats
		wantRest bool // bytes remain unconsumed
	}{
		{name: "rfc unmasked hello", in: rfcHello, want: []string{"Hello"}, used: -1,
			stats: Stats{Frames: 1, Messages: 1}},
		{name: "rfc masked hello", in: rfcHelloMasked, want: []string{"Hello"}, used: -1,
			stats: Stats{Frames: 1, Messages: 1, MaskedFrames: 1}},
		{name: "rfc fragmented", in: cat(rfcFrag1, rfcFrag2), want: []string{"Hello"}, used: -1,
			stats: Stats{Frames: 2, Messages: 1}},
		{name: "rfc first fragment only", in: rfcFrag1, used: -1, inMsg: true,
			stats: Stats{Frames: 1}},
		{name: "rfc ping and pong skipped", in: cat(rfcPing, rfcPongMasked), used: -1,
			stats: Stats{Frames: 2, ControlFrames: 2, MaskedFrames: 1}},
		{name: "rfc 256 bytes 16-bit length", in: rfc256, want: []string{string(seq(256))}, used: -1,
			stats: Stats{Frames: 1, Messages: 1}},
		{name: "rfc 64KiB 64-bit length", in: rfc64K, max: 65536, want: []string{string(seq(65536))}, used: -1,
			stats: Stats{Frames: 1, Messages: 1}},
		{name: "masked 64KiB", in: encodeFrame(0x82, testKey, seq(65536), lenAuto), max: 65536,
			want: []string{string(seq(65536))}, used: -1, stats: Stats{Frames: 1, Messages: 1, MaskedFrames: 1}},
		{name: "ping between fragments",
			in:   cat(rfcFrag1, rfcPing, encodeFrame(0x00, testKey, []byte(" wor"), lenAuto), rfcPongMasked, encodeFrame(0x80, nil, []byte("ld"), lenAuto)),
			want: []string{"Hel wor" + "ld"}, used: -1,
			stats: Stats{Frames: 5, ControlFrames: 2, Messages: 1, MaskedFrames: 2}},
		{name: "masked fragments with odd lengths",
			in: cat(encodeFrame(0x02, testKey, seq(13), lenAuto), encodeFrame(0x00, []byte{1, 2, 3, 4}, seq(700), lenAuto),
				encodeFrame(0x80, []byte{9, 8, 7, 6}, seq(3), lenAuto)),
			want: []string{string(cat(seq(13), seq(700), seq(3)))}, used: -1,
			stats: Stats{Frames: 3, Messages: 1, MaskedFrames: 3}},
		{name: "non-minimal lengths accepted",
			in:   cat(encodeFrame(0x81, nil, []byte("a"), len16), encodeFrame(0x81, testKey, []byte("b"), len64)),
			want: []string{"a", "b"}, used: -1, stats: Stats{Frames: 2, Messages: 2, MaskedFrames: 1}},
		{name: "close frame", in: cat(encodeFrame(0x88, testKey, []byte{0x03, 0xe8}, lenAuto)), used: -1, closed: true,
			stats: Stats{Frames: 1, ControlFrames: 1, MaskedFrames: 1}},
		{name: "message after close still decoded", in: cat([]byte{0x88, 0x00}, rfcHello), want: []string{"Hello"},
			used: -1, closed: true, stats: Stats{Frames: 2, ControlFrames: 1, Messages: 1}},
		{name: "two messages", in: cat(rfcHello, rfcHelloMasked), want: []string{"Hello", "Hello"}, used: -1,
			stats: Stats{Frames: 2, Messages: 2, MaskedFrames: 1}},
		{name: "message then partial frame", in: cat(rfcHello, rfcHelloMasked[:6]), want: []string{"Hello"},
			used: len(rfcHello), stats: Stats{Frames: 1, Messages: 1}},
		{name: "empty text message", in: []byte{0x81, 0x00}, want: []string{""}, used: -1,
			stats: Stats{Frames: 1, Messages: 1}},
		{name: "empty masked binary message", in: []byte{0x82, 0x80, 1, 2, 3, 4}, want: []string{""}, used: -1,
			stats: Stats{Frames: 1, Messages: 1, MaskedFrames: 1}},
		{name: "empty fragmented message", in: []byte{0x01, 0x00, 0x00, 0x00, 0x80, 0x00}, want: []string{""}, used: -1,
			stats: Stats{Frames: 3, Messages: 1}},
		{name: "message exactly at limit", in: encodeFrame(0x81, testKey, seq(100), lenAuto), max: 100,
			want: []string{string(seq(100))}, used: -1, stats: Stats{Frames: 1, Messages: 1, MaskedFrames: 1}},
		{name: "joined message exactly at limit",
			in:  cat(encodeFrame(0x01, nil, seq(60), lenAuto), encodeFrame(0x80, testKey, seq(40), lenAuto)),
			max: 100, want: []string{string(cat(seq(60), seq(40)))}, used: -1,
			stats: Stats{Frames: 2, Messages: 1, MaskedFrames: 1}},
		{name: "control frames ignore small limit", in: cat(rfcPing, []byte{0x81, 0x00}), max: -1, want: []string{""},
			used: -1, stats: Stats{Frames: 2, ControlFrames: 1, Messages: 1}},
		{name: "empty input", in: nil, used: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			max := tc.max
			if max == 0 {
				max = 4096
			}
			r := NewReader(max)
			evs, used := drain(t, r, tc.in)
			var got []string
			for _, ev := range evs {
				if ev.err != nil {
					t.Fatalf("unexpected error at %d: %v", ev.at, ev.err)
				}
				if ev.msg == nil {
					t.Fatalf("nil message")
				}
				got = append(got, string(ev.msg))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d messages %q, want %d", len(got), got, len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("message %d = %q, want %q", i, trunc(got[i]), trunc(tc.want[i]))
				}
			}
			wantUsed := tc.used
			if wantUsed < 0 {
				wantUsed = len(tc.in)
			}
			if used != wantUsed {
				t.Errorf("consumed %d, want %d", used, wantUsed)
			}
			if r.InMessage() != tc.inMsg {
				t.Errorf("InMessage = %v, want %v", r.InMessage(), tc.inMsg)
			}
			if r.Closed() != tc.closed {
				t.Errorf("Closed = %v, want %v", r.Closed(), tc.closed)
			}
			if r.Stats() != tc.stats {
				t.Errorf("Stats = %+v, want %+v", r.Stats(), tc.stats)
			}
		})
	}
}

func trunc(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}

func TestReaderStopsAfterFirstMessage(t *testing.T) {
	r := NewReader(1024)
	in := cat(rfcHello, rfcPing, rfcHelloMasked)
	n, msg, err := r.Next(in)
	if err != nil || string(msg) != "Hello" || n != len(rfcHello) {
		t.Fatalf("first Next = %d, %q, %v; want %d, Hello, nil", n, msg, err, len(rfcHello))
	}
	n2, msg, err := r.Next(in[n:])
	if err != nil || string(msg) != "Hello" || n2 != len(rfcPing)+len(rfcHelloMasked) {
		t.Fatalf("second Next = %d, %q, %v", n2, msg, err)
	}
	n3, msg, err := r.Next(in[n+n2:])
	if n3 != 0 || msg != nil || err != nil {
		t.Fatalf("third Next = %d, %q, %v; want 0, nil, nil", n3, msg, err)
	}
}

// TestReaderByteByByte feeds every proper prefix of a frame: each must ask
// for more bytes without consuming anything; the full frame yields the
// message.
func TestReaderByteByByte(t *testing.T) {
	frames := []struct {
		name string
		in   []byte
		want []byte
	}{
		{"rfc hello", rfcHello, []byte("Hello")},
		{"rfc masked hello", rfcHelloMasked, []byte("Hello")},
		{"rfc 256", rfc256, seq(256)},
		{"masked 16-bit", encodeFrame(0x82, testKey, seq(300), lenAuto), seq(300)},
		{"rfc 64KiB", rfc64K, seq(65536)},
		{"masked 64-bit", encodeFrame(0x81, testKey, seq(70000), lenAuto), seq(70000)},
	}
	for _, tc := range frames {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(1 << 17)
			for k := 0; k < len(tc.in); k++ {
				n, msg, err := r.Next(tc.in[:k])
				if n != 0 || msg != nil || err != nil {
					t.Fatalf("prefix %d: Next = %d, %v, %v; want 0, nil, nil", k, n, msg != nil, err)
				}
			}
			if r.Stats() != (Stats{}) || r.InMessage() {
				t.Fatalf("state changed by partial input: %+v", r.Stats())
			}
			n, msg, err := r.Next(tc.in)
			if err != nil || n != len(tc.in) || !bytes.Equal(msg, tc.want) {
				t.Fatalf("full: Next = %d, %d bytes, %v", n, len(msg), err)
			}
		})
	}
}

// TestReaderSplitEverywhere checks that splitting a multi-frame stream at any
// point into two calls, as a buffering caller would, gives the same result.
func TestReaderSplitEverywhere(t *testing.T) {
	in := cat(rfcFrag1, rfcPing, encodeFrame(0x00, testKey, []byte(" wor"), len16), rfcPongMasked,
		encodeFrame(0x80, nil, []byte("ld"), lenAuto), rfcHelloMasked, []byte{0x88, 0x00})
	for split := 0; split <= len(in); split++ {
		r := NewReader(1024)
		var msgs []string
		buf := append([]byte(nil), in[:split]...)
		fed := split
		for calls := 0; calls < 100; calls++ {
			n, msg, err := r.Next(buf)
			if err != nil {
				t.Fatalf("split %d: %v", split, err)
			}
			buf = buf[n:]
			if msg != nil {
				msgs = append(msgs, string(msg))
				continue
			}
			if n == 0 {
				if fed == len(in) {
					break
				}
				buf = append(buf, in[fed:]...)
				fed = len(in)
			}
		}
		if len(buf) != 0 || len(msgs) != 2 || msgs[0] != "Hel world" || msgs[1] != "Hello" || !r.Closed() {
			t.Fatalf("split %d: msgs %q, left %d, closed %v", split, msgs, len(buf), r.Closed())
		}
	}
}

func TestReaderMessageDoesNotAliasInput(t *testing.T) {
	for _, in := range [][]byte{rfcHello, cat(rfcFrag1, rfcFrag2), encodeFrame(0x82, nil, seq(200), lenAuto)} {
		b := append([]byte(nil), in...)
		r := NewReader(1024)
		var msg []byte
		for len(b) > 0 && msg == nil {
			n, m, err := r.Next(b)
			if err != nil || n == 0 {
				t.Fatalf("Next = %d, %v", n, err)
			}
			msg = m
			b = b[n:]
		}
		want := append([]byte(nil), msg...)
		b = b[:cap(b)]
		for i := range b {
			b[i] = 0xee
		}
		if !bytes.Equal(msg, want) {
			t.Fatalf("message changed after input reuse")
		}
	}
	// The input itself must not be modified (no in-place unmasking).
	in := append([]byte(nil), rfcHelloMasked...)
	if _, _, err := NewReader(64).Next(in); err != nil || !bytes.Equal(in, rfcHelloMasked) {
		t.Fatalf("input modified: % x, %v", in, err)
	}
}

func TestReaderErrors(t *testing.T) {
	big := make([]byte, 10)
	big[0], big[1] = 0x82, 127
	binary.BigEndian.PutUint64(big[2:], 1<<40)
	msb := append([]byte(nil), big...)
	binary.BigEndian.PutUint64(msb[2:], 1<<63|5)

	tests := []struct {
		name string
		in   []byte
		max  int
		kind error
		used int // consumed bytes reported with the error
		msg  string
	}{
		{name: "rsv1 compressed", in: []byte{0xc1, 0x05, 'H', 'e', 'l', 'l', 'o'}, kind: ErrProtocol, msg: "compressed"},
		{name: "rsv1 alone is enough", in: []byte{0xc1}, kind: ErrProtocol, msg: "compressed"},
		{name: "rsv2", in: []byte{0xa1, 0x00}, kind: ErrProtocol, msg: "RSV"},
		{name: "rsv3", in: []byte{0x91, 0x00}, kind: ErrProtocol, msg: "RSV"},
		{name: "reserved data opcode 3", in: []byte{0x83, 0x00}, kind: ErrProtocol, msg: "reserved opcode"},
		{name: "reserved data opcode 7", in: []byte{0x87, 0x00}, kind: ErrProtocol, msg: "reserved opcode"},
		{name: "reserved control opcode 0xB", in: []byte{0x8b, 0x00}, kind: ErrProtocol, msg: "reserved opcode"},
		{name: "reserved control opcode 0xF", in: []byte{0x8f, 0x00}, kind: ErrProtocol, msg: "reserved opcode"},
		{name: "fragmented ping", in: []byte{0x09, 0x00}, kind: ErrProtocol, msg: "fragmented control"},
		{name: "fragmented close", in: []byte{0x08, 0x00}, kind: ErrProtocol, msg: "fragmented control"},
		{name: "ping payload 126", in: cat([]byte{0x89, 0x7e, 0x00, 0x7e}, seq(126)), kind: ErrProtocol, msg: "control frame"},
		{name: "pong payload 127 form", in: []byte{0x8a, 0xff}, kind: ErrProtocol, msg: "control frame"},
		{name: "continuation without message", in: []byte{0x80, 0x02, 'l', 'o'}, kind: ErrProtocol, msg: "continuation"},
		{name: "data frame inside fragmented message", in: cat(rfcFrag1, rfcPing, rfcHello),
			kind: ErrProtocol, used: len(rfcFrag1) + len(rfcPing), msg: "in progress"},
		{name: "fragment start inside fragmented message", in: cat(rfcFrag1, rfcFrag1),
			kind: ErrProtocol, used: len(rfcFrag1), msg: "in progress"},
		{name: "64-bit length msb", in: msb, max: 1 << 62, kind: ErrProtocol, msg: "most significant bit"},
		{name: "frame too large by header", in: big, kind: ErrTooLarge, msg: "exceeds"},
		{name: "16-bit frame too large, header only", in: []byte{0x81, 0xfe, 0x01, 0x00}, max: 255, kind: ErrTooLarge},
		{name: "7-bit frame too large before mask key", in: []byte{0x81, 0x85}, max: 4, kind: ErrTooLarge},
		{name: "too large after valid message", in: cat(rfcHello, []byte{0x82, 0x7e, 0xff, 0xff}), max: 1000,
			kind: ErrTooLarge, used: len(rfcHello)},
		{name: "joined message too large",
			in:  cat(encodeFrame(0x01, testKey, seq(60), lenAuto), rfcPing, encodeFrame(0x80, nil, seq(41), lenAuto)),
			max: 100, kind: ErrTooLarge, used: 6 + 60 + len(rfcPing), msg: "fragment"},
		{name: "zero limit", in: rfcHello, max: -1, kind: ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			max := tc.max
			if max == 0 {
				max = 4096
			}
			r := NewReader(max)
			evs, used := drain(t, r, tc.in)
			if len(evs) == 0 || evs[len(evs)-1].err == nil {
				t.Fatalf("no error; events %+v", evs)
			}
			err := evs[len(evs)-1].err
			if !errors.Is(err, tc.kind) {
				t.Fatalf("error %v is not %v", err, tc.kind)
			}
			other := ErrTooLarge
			if tc.kind == ErrTooLarge {
				other = ErrProtocol
			}
			if errors.Is(err, other) {
				t.Fatalf("error %v is also %v", err, other)
			}
			if tc.msg != "" && !bytes.Contains([]byte(err.Error()), []byte(tc.msg)) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
			if used != tc.used {
				t.Errorf("consumed %d before error, want %d", used, tc.used)
			}
			if r.InMessage() {
				t.Errorf("InMessage after error")
			}
			// The reader is reset: a fresh message decodes.
			n, msg, err := r.Next(rfcHelloMasked)
			if max < 5 {
				return
			}
			if err != nil || n != len(rfcHelloMasked) || string(msg) != "Hello" {
				t.Errorf("after reset: Next = %d, %q, %v", n, msg, err)
			}
		})
	}
}

func TestMaskBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 100; n++ {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		k := []byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}
		want := make([]byte, n)
		for i := range src {
			want[i] = src[i] ^ k[i%4]
		}
		dst := make([]byte, n+3)
		maskBytes(dst, src, binary.LittleEndian.Uint32(k))
		if !bytes.Equal(dst[:n], want) {
			t.Fatalf("n=%d key % x: got % x want % x", n, k, dst[:n], want)
		}
		if !bytes.Equal(dst[n:], []byte{0, 0, 0}) {
			t.Fatalf("n=%d: wrote past the end", n)
		}
	}
}

func BenchmarkReaderMasked(b *testing.B) {
	payload := bytes.Repeat([]byte("INVITE sip:bob@example.com SIP/2.0\r\n"), 1024/36+1)[:1024]
	frame := encodeFrame(0x81, []byte{0x37, 0xfa, 0x21, 0x3d}, payload, lenAuto)
	r := NewReader(4096)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		n, msg, err := r.Next(frame)
		if err != nil || n != len(frame) || len(msg) != 1024 {
			b.Fatalf("Next = %d, %d, %v", n, len(msg), err)
		}
	}
}

func BenchmarkMaskBytes(b *testing.B) {
	src := seq(1024)
	dst := make([]byte, len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		maskBytes(dst, src, 0x3d21fa37)
	}
}
