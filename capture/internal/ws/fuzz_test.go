package ws

import (
	"bytes"
	"errors"
	"testing"
)

// fuzzEvent is one observable result of feeding a stream to a Reader.
type fuzzEvent struct {
	msg  string
	kind error // ErrProtocol or ErrTooLarge, nil for a message
	at   int   // absolute stream offset after the consumed bytes
}

// fuzzResult is everything observable after feeding a whole stream.
type fuzzResult struct {
	events []fuzzEvent
	stats  Stats
	closed bool
	inMsg  bool
	left   int // bytes never consumed
}

// feedStream plays a buffering caller: it hands data to r in the given
// chunks, advances by the consumed count, appends the next chunk when Next
// asks for more bytes, and on error drops the offending byte and carries on
// (a crude resynchronisation). Each call gets a fresh copy of the pending
// bytes, scribbled over afterwards, so messages aliasing the input are
// detected. It checks the per-call invariants.
func feedStream(t *testing.T, data []byte, chunks []int, max int) fuzzResult {
	r := NewReader(max)
	var res fuzzResult
	var pending []byte
	off := 0 // stream offset of pending[0]
	fed := 0
	next := 0 // index into chunks
	feed := func() bool {
		if next >= len(chunks) {
			return false
		}
		pending = append(pending, data[fed:fed+chunks[next]]...)
		fed += chunks[next]
		next++
		return true
	}
	feed()
	// Every call consumes at least one byte, reports an error (after which
	// a byte is dropped) or needs more bytes, which happens at most once per
	// chunk plus once at the end.
	limit := len(data) + len(chunks) + 1
	for calls := 0; ; calls++ {
		if calls > limit {
			t.Fatalf("more than %d calls for %d bytes in %d chunks", limit, len(data), len(chunks))
		}
		b := append([]byte(nil), pending...)
		n, msg, err := r.Next(b)
		if n < 0 || n > len(b) {
			t.Fatalf("consumed %d of %d bytes", n, len(b))
		}
		for i := range b {
			b[i] = 0xa5
		}
		if msg != nil {
			if err != nil {
				t.Fatalf("message and error together: %v", err)
			}
			if len(msg) > max {
				t.Fatalf("message of %d bytes exceeds limit %d", len(msg), max)
			}
			if n == 0 {
				t.Fatalf("message without consuming bytes")
			}
		}
		if err != nil {
			var kind error
			switch {
			case errors.Is(err, ErrProtocol):
				kind = ErrProtocol
			case errors.Is(err, ErrTooLarge):
				kind = ErrTooLarge
			default:
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			if r.InMessage() {
				t.Fatalf("InMessage after error %v", err)
			}
			if n >= len(pending) {
				t.Fatalf("error %v reported with all %d bytes consumed", err, n)
			}
			res.events = append(res.events, fuzzEvent{kind: kind, at: off + n})
			pending = pending[n+1:]
			off += n + 1
			continue
		}
		pending = pending[n:]
		off += n
		if msg != nil {
			res.events = append(res.events, fuzzEvent{msg: string(msg), at: off})
			continue
		}
		if n == 0 && !feed() {
			break
		}
	}
	res.stats = r.Stats()
	res.closed = r.Closed()
	res.inMsg = r.InMessage()
	res.left = len(pending)
	return res
}

func sameResult(a, b fuzzResult) bool {
	if a.stats != b.stats || a.closed != b.closed || a.inMsg != b.inMsg || a.left != b.left ||
		len(a.events) != len(b.events) {
		return false
	}
	for i := range a.events {
		if a.events[i] != b.events[i] {
			return false
		}
	}
	return true
}

// FuzzReader feeds arbitrary bytes to a Reader whole, split in two at an
// arbitrary point and, for short inputs, byte by byte, checks the per-call
// invariants and that the split points do not change the outcome.
func FuzzReader(f *testing.F) {
	f.Add(rfcHello, uint16(3), uint16(1024))
	f.Add(rfcHelloMasked, uint16(7), uint16(1024))
	f.Add(cat(rfcFrag1, rfcPing, rfcFrag2, rfcPongMasked), uint16(9), uint16(1024))
	f.Add(cat(encodeFrame(0x01, testKey, []byte("INVITE sip:bob@"), lenAuto), rfcPing,
		encodeFrame(0x80, testKey, []byte("example.com SIP/2.0\r\n\r\n"), len16)), uint16(20), uint16(64))
	f.Add(rfc256, uint16(100), uint16(300))
	f.Add(cat(rfcHello, []byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}), uint16(8), uint16(1000))
	f.Add([]byte{0xc1, 0x05, 'H', 'e', 'l', 'l', 'o', 0x81, 0x00}, uint16(1), uint16(10))
	f.Add([]byte{0x88, 0x82, 1, 2, 3, 4, 0x02, 0xea}, uint16(4), uint16(10))
	f.Fuzz(func(t *testing.T, data []byte, split uint16, max16 uint16) {
		max := int(max16)
		whole := feedStream(t, data, []int{len(data)}, max)
		s := int(split)
		if len(data) > 0 {
			s %= len(data) + 1
		} else {
			s = 0
		}
		two := feedStream(t, data, []int{s, len(data) - s}, max)
		if !sameResult(whole, two) {
			t.Fatalf("split at %d changed the result:\nwhole %+v\nsplit %+v", s, whole, two)
		}
		if len(data) <= 256 {
			ones := make([]int, len(data))
			for i := range ones {
				ones[i] = 1
			}
			bytewise := feedStream(t, data, ones, max)
			if !sameResult(whole, bytewise) {
				t.Fatalf("byte-by-byte feeding changed the result:\nwhole %+v\nbytes %+v", whole, bytewise)
			}
		}
	})
}

// FuzzUpgrade checks the handshake recognisers' invariants on arbitrary
// input.
func FuzzUpgrade(f *testing.F) {
	f.Add([]byte(sipRequest))
	f.Add([]byte(sipResponse + "\x81\x05Hello"))
	f.Add([]byte(lf(browserRequest)))
	f.Add([]byte("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive,\r\n Upgrade\r\n\r\n"))
	f.Add([]byte("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 101\nUpgrade: WebSocket/13\n\n"))
	f.Add([]byte("INVITE sip:bob@example.com SIP/2.0\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reqN, reqOK, _ := checkUpgrade(t, "UpgradeRequest", UpgradeRequest, data)
		_, respOK, _ := checkUpgrade(t, "UpgradeResponse", UpgradeResponse, data)
		if reqOK && respOK {
			t.Fatalf("both a request and a response (n=%d)", reqN)
		}
	})
}

func checkUpgrade(t *testing.T, name string, f func([]byte) (int, bool, bool), data []byte) (int, bool, bool) {
	n, ok, need := f(data)
	if n < 0 || n > len(data) || n > MaxHandshake {
		t.Fatalf("%s: n = %d for %d bytes", name, n, len(data))
	}
	if ok && (n == 0 || need) {
		t.Fatalf("%s: ok with n = %d, need = %v", name, n, need)
	}
	if need && (ok || n != 0 || len(data) >= MaxHandshake) {
		t.Fatalf("%s: need with n = %d, ok = %v, len = %d", name, n, ok, len(data))
	}
	if need && (bytes.Contains(data, []byte("\n\n")) || bytes.Contains(data, []byte("\n\r\n"))) {
		t.Fatalf("%s: need although the input has a blank line", name)
	}
	if n > 0 {
		head := data[:n]
		if !bytes.HasSuffix(head, []byte("\n\n")) && !bytes.HasSuffix(head, []byte("\n\r\n")) {
			t.Fatalf("%s: head %q does not end with a blank line", name, head)
		}
		// The decision depends on the head only.
		for _, in := range [][]byte{head, append(head[:n:n], "\x81\x05Hello"...)} {
			if n2, ok2, need2 := f(in); n2 != n || ok2 != ok || need2 {
				t.Fatalf("%s: head alone gives %d, %v, %v; whole input %d, %v", name, n2, ok2, need2, n, ok)
			}
		}
	}
	if ok {
		// Every proper prefix of an accepted head must ask for more bytes.
		ks := []int{0, 1, n / 2, n - 1}
		if n <= 512 {
			ks = ks[:0]
			for k := 0; k < n; k++ {
				ks = append(ks, k)
			}
		}
		for _, k := range ks {
			if n2, ok2, need2 := f(data[:k]); n2 != 0 || ok2 || !need2 {
				t.Fatalf("%s: prefix %d of accepted head gives %d, %v, %v", name, k, n2, ok2, need2)
			}
		}
	}
	if !ok && !need {
		// A rejected input stays rejected whatever follows.
		ext := append(data[:len(data):len(data)], "\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"...)
		if _, ok2, need2 := f(ext); ok2 || need2 {
			t.Fatalf("%s: rejected input accepted after extension (ok=%v need=%v)", name, ok2, need2)
		}
	}
	return n, ok, need
}
