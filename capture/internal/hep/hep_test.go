package hep

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"
)

// rawChunk builds one chunk with an explicit vendor id.
func rawChunk(vendor, typ uint16, value []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, vendor)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(headerLen+len(value)))
	return append(b, value...)
}

// rawPacket wraps chunks in a HEP3 header with a correct total length.
func rawPacket(chunks ...[]byte) []byte {
	b := []byte("HEP3\x00\x00")
	for _, c := range chunks {
		b = append(b, c...)
	}
	binary.BigEndian.PutUint16(b[4:], uint16(len(b)))
	return b
}

func zlibBytes(t testing.TB, data []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := zlib.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const sipInvite = "INVITE sip:bob@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n" +
	"Max-Forwards: 70\r\n" +
	"To: Bob <sip:bob@example.com>\r\n" +
	"From: Alice <sip:alice@example.com>;tag=1928301774\r\n" +
	"Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
	"CSeq: 314159 INVITE\r\n" +
	"Contact: <sip:alice@192.0.2.10>\r\n" +
	"Content-Length: 0\r\n\r\n"

func checkPacket(t *testing.T, got, want Packet) {
	t.Helper()
	if got.Family != want.Family || got.IPProto != want.IPProto || got.Src != want.Src || got.Dst != want.Dst ||
		!got.Time.Equal(want.Time) || got.ProtoType != want.ProtoType || got.CaptureID != want.CaptureID ||
		got.NodeName != want.NodeName || got.CorrelationID != want.CorrelationID || got.AuthKey != want.AuthKey ||
		got.VLAN != want.VLAN || got.Compressed != want.Compressed || !bytes.Equal(got.Payload, want.Payload) {
		t.Errorf("packet mismatch\n got %+v\nwant %+v", got, want)
	}
	if !got.Time.IsZero() && got.Time.Location() != time.UTC {
		t.Errorf("Time location = %v, want UTC", got.Time.Location())
	}
}

func TestRoundTrip(t *testing.T) {
	ts := time.Date(2024, 3, 1, 12, 34, 56, 789012000, time.UTC)
	tests := []struct {
		name string
		p    Packet
	}{
		{"ipv4", Packet{
			Family: 2, IPProto: 17,
			Src:  netip.MustParseAddrPort("192.0.2.10:5060"),
			Dst:  netip.MustParseAddrPort("198.51.100.7:5080"),
			Time: ts, ProtoType: 1, CaptureID: 2001, NodeName: "edge-1",
			CorrelationID: "a84b4c76e66710@pc33", AuthKey: "myHep", VLAN: 42,
			Payload: []byte(sipInvite),
		}},
		{"ipv6", Packet{
			Family: 10, IPProto: 6,
			Src:  netip.MustParseAddrPort("[2001:db8::1]:5061"),
			Dst:  netip.MustParseAddrPort("[2001:db8::2:1]:40000"),
			Time: ts, ProtoType: 1, CaptureID: 7,
			Payload: []byte(sipInvite),
		}},
		{"no-time-no-addr", Packet{ProtoType: 100, Payload: []byte("log line")}},
		{"empty-payload", Packet{Family: 2, Src: netip.MustParseAddrPort("10.1.2.3:1"), Payload: []byte{}}},
	}
	for _, tc := range tests {
		for _, compressed := range []bool{false, true} {
			name := tc.name
			if compressed {
				name += "/zlib"
			}
			t.Run(name, func(t *testing.T) {
				in := tc.p
				in.Compressed = compressed
				b := Encode(in)
				if !IsHEP3(b) {
					t.Fatalf("Encode output lacks magic: % x", b[:8])
				}
				got, n, err := Parse(b, 1<<16)
				if err != nil {
					t.Fatal(err)
				}
				if n != len(b) {
					t.Errorf("n = %d, want %d", n, len(b))
				}
				want := in
				if want.Family == 0 && want.Src.Addr().IsValid() {
					want.Family = familyOf(want.Src.Addr().Is4())
				}
				checkPacket(t, got, want)
				if compressed {
					if bytes.Contains(b, []byte("INVITE sip:")) {
						t.Error("compressed packet carries the plain payload")
					}
				} else if len(got.Payload) > 0 && &got.Payload[0] != &b[len(b)-len(in.Payload)] {
					t.Error("uncompressed Payload is not a sub-slice of the input")
				}
			})
		}
	}
}

// handPacket is a HEPv3 packet written byte by byte from the chunk layout,
// independent of Encode.
const handPacket = "" +
	"48455033 009e" + // "HEP3", total length 158
	"0000 0001 0007 02" + // IP family: IPv4
	"0000 0002 0007 11" + // IP protocol: 17 UDP
	"0000 0003 000a 0a000001" + // IPv4 source 10.0.0.1
	"0000 0004 000a 0a000002" + // IPv4 destination 10.0.0.2
	"0000 0007 0008 13c4" + // source port 5060
	"0000 0008 0008 13c4" + // destination port 5060
	"0000 0009 000a 6553f100" + // seconds 1700000000
	"0000 000a 000a 0001e240" + // microseconds 123456
	"0000 000b 0007 01" + // protocol type 1 SIP
	"0000 000c 000a 000007d1" + // capture id 2001
	"0000 0013 000a 65646765" + // node name "edge"
	"0000 000f 0037" + // payload, 49 bytes
	"4f5054494f4e53207369703a31302e302e302e32205349502f322e300d0a" + // OPTIONS sip:10.0.0.2 SIP/2.0\r\n
	"435365713a2031204f5054494f4e530d0a0d0a" // CSeq: 1 OPTIONS\r\n\r\n

func decodeHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseHandWritten(t *testing.T) {
	b := decodeHex(t, handPacket)
	if len(b) != 158 {
		t.Fatalf("hand packet is %d bytes, fix the test", len(b))
	}
	// Trailing bytes (the next packet of a stream) must be left alone.
	stream := append(append([]byte{}, b...), "HEP3"...)
	p, n, err := Parse(stream, 1500)
	if err != nil {
		t.Fatal(err)
	}
	if n != 158 {
		t.Errorf("n = %d, want 158", n)
	}
	if p.Family != 2 {
		t.Errorf("Family = %d, want 2", p.Family)
	}
	if p.IPProto != 17 {
		t.Errorf("IPProto = %d, want 17", p.IPProto)
	}
	if want := netip.MustParseAddrPort("10.0.0.1:5060"); p.Src != want {
		t.Errorf("Src = %v, want %v", p.Src, want)
	}
	if want := netip.MustParseAddrPort("10.0.0.2:5060"); p.Dst != want {
		t.Errorf("Dst = %v, want %v", p.Dst, want)
	}
	if want := time.Date(2023, 11, 14, 22, 13, 20, 123456000, time.UTC); !p.Time.Equal(want) || p.Time.Location() != time.UTC {
		t.Errorf("Time = %v, want %v", p.Time, want)
	}
	if p.ProtoType != ProtoTypeSIP {
		t.Errorf("ProtoType = %d, want 1", p.ProtoType)
	}
	if p.CaptureID != 2001 {
		t.Errorf("CaptureID = %d, want 2001", p.CaptureID)
	}
	if p.NodeName != "edge" {
		t.Errorf("NodeName = %q, want edge", p.NodeName)
	}
	if p.CorrelationID != "" || p.AuthKey != "" || p.VLAN != 0 {
		t.Errorf("unexpected optional fields: %+v", p)
	}
	if p.Compressed {
		t.Error("Compressed = true")
	}
	if want := "OPTIONS sip:10.0.0.2 SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n"; string(p.Payload) != want {
		t.Errorf("Payload = %q, want %q", p.Payload, want)
	}
	if &p.Payload[0] != &stream[158-49] {
		t.Error("Payload is not a sub-slice of the input")
	}
	if cap(p.Payload) != len(p.Payload) {
		t.Errorf("cap(Payload) = %d, want %d (appending must not clobber the input)", cap(p.Payload), len(p.Payload))
	}
	// The hand-written packet must be exactly what Encode produces for the
	// same fields, which pins Encode's chunk layout.
	enc := Encode(p)
	if !bytes.Equal(enc, b) {
		t.Errorf("Encode differs from the hand-written packet\n got %x\nwant %x", enc, b)
	}
}

func TestWalkStream(t *testing.T) {
	var stream []byte
	var want []string
	for i := range 5 {
		pl := strings.Repeat("x", i*100) + "end"
		want = append(want, pl)
		stream = append(stream, Encode(Packet{ProtoType: 1, Payload: []byte(pl), Compressed: i%2 == 1})...)
	}
	var got []string
	for len(stream) > 0 {
		p, n, err := Parse(stream, 0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(p.Payload))
		stream = stream[n:]
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("walked %q, want %q", got, want)
	}
}

func TestSkipUnknown(t *testing.T) {
	b := rawPacket(
		rawChunk(0, chunkIPv4Src, []byte{10, 0, 0, 1}),
		rawChunk(3, chunkIPv4Src, []byte{1, 2, 3}),          // other vendor: not interpreted, not checked
		rawChunk(0x0005, 0x0010, []byte("not zlib at all")), // vendor-specific "compressed" chunk
		rawChunk(0, 0x0020, []byte{0, 1}),                   // MOS: unknown to this package
		rawChunk(0, 0x00ff, nil),                            // empty unknown chunk
		rawChunk(0, chunkKeepAlive, []byte{0, 30}),
		rawChunk(0, chunkPayload, []byte("hi")),
	)
	p, n, err := Parse(b, 10)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(b) || string(p.Payload) != "hi" || p.Src.Addr() != netip.MustParseAddr("10.0.0.1") || p.Compressed {
		t.Errorf("got %+v n=%d", p, n)
	}
	if p.Dst.IsValid() || p.Dst.Addr().IsValid() {
		t.Errorf("Dst = %v, want invalid", p.Dst)
	}
	if !p.Time.IsZero() {
		t.Errorf("Time = %v, want zero", p.Time)
	}
}

func TestCompressionFallbacks(t *testing.T) {
	payload := []byte(sipInvite)
	var gz, raw bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(payload)
	gw.Close()
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	fw.Write(payload)
	fw.Close()
	for name, data := range map[string][]byte{
		"zlib":    zlibBytes(t, payload, zlib.DefaultCompression),
		"zlib-9":  zlibBytes(t, payload, zlib.BestCompression),
		"zlib-0":  zlibBytes(t, payload, zlib.NoCompression),
		"gzip":    gz.Bytes(),
		"deflate": raw.Bytes(),
	} {
		t.Run(name, func(t *testing.T) {
			b := rawPacket(rawChunk(0, chunkProtoType, []byte{1}), rawChunk(0, chunkCompressed, data))
			for range 3 { // exercise the reader pools
				p, _, err := Parse(b, len(payload))
				if err != nil {
					t.Fatal(err)
				}
				if !p.Compressed || string(p.Payload) != sipInvite {
					t.Fatalf("got compressed=%v payload %q", p.Compressed, p.Payload)
				}
			}
			// One byte under the payload size is too large.
			if _, _, err := Parse(b, len(payload)-1); !errors.Is(err, ErrTooLarge) {
				t.Errorf("maxPayload=len-1: err = %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	good := rawChunk(0, chunkPayload, []byte("x"))
	badZlib := zlibBytes(t, []byte(sipInvite), 6)
	badZlib[len(badZlib)-1] ^= 0xff // adler32 mismatch
	tests := []struct {
		name    string
		in      []byte
		max     int
		want    error
		mention string
	}{
		{"empty", nil, 0, ErrTruncated, ""},
		{"magic-prefix", []byte("HEP"), 0, ErrTruncated, ""},
		{"not-magic-short", []byte("GE"), 0, ErrNotHEP, ""},
		{"hep2", []byte{0x02, 0x10, 0x02, 0x11, 0x13, 0xc4, 0x13, 0xc4}, 0, ErrNotHEP, ""},
		{"http", []byte("GET / HTTP/1.1\r\n\r\n"), 0, ErrNotHEP, ""},
		{"lowercase", []byte("hep3\x00\x06"), 0, ErrNotHEP, ""},
		{"header-only-magic", []byte("HEP3\x00"), 0, ErrTruncated, ""},
		{"length-too-long", append(rawPacket(good), 0)[:len(rawPacket(good))-1], 0, ErrTruncated, "length field"},
		{"length-below-6", []byte("HEP3\x00\x05xxxxxxx"), 0, ErrMalformed, "total length 5"},
		{"length-zero", []byte("HEP3\x00\x00"), 0, ErrMalformed, ""},
		{"chunk-len-below-6", rawPacket([]byte{0, 0, 0, 0x0f, 0, 5, 'x'}), 0, ErrMalformed, "chunk 0x000f"},
		{"chunk-len-zero", rawPacket([]byte{0, 0, 0, 0x0b, 0, 0}), 0, ErrMalformed, "chunk 0x000b"},
		{"chunk-past-end", rawPacket([]byte{0, 0, 0, 0x0f, 0, 50, 'x', 'y'}), 0, ErrTruncated, "chunk 0x000f"},
		{"chunk-header-past-end", rawPacket(good, []byte{0, 0, 0}), 0, ErrTruncated, "chunk header"},
		{"ipv4-5-bytes", rawPacket(rawChunk(0, chunkIPv4Src, []byte{1, 2, 3, 4, 5}), good), 0, ErrMalformed, "chunk 0x0003"},
		{"ipv4-dst-3-bytes", rawPacket(rawChunk(0, chunkIPv4Dst, []byte{1, 2, 3}), good), 0, ErrMalformed, "chunk 0x0004"},
		{"ipv6-15-bytes", rawPacket(rawChunk(0, chunkIPv6Src, make([]byte, 15)), good), 0, ErrMalformed, "chunk 0x0005"},
		{"ipv6-dst-4-bytes", rawPacket(rawChunk(0, chunkIPv6Dst, make([]byte, 4)), good), 0, ErrMalformed, "chunk 0x0006"},
		{"port-3-bytes", rawPacket(rawChunk(0, chunkSrcPort, []byte{1, 2, 3}), good), 0, ErrMalformed, "chunk 0x0007"},
		{"family-2-bytes", rawPacket(rawChunk(0, chunkFamily, []byte{0, 2}), good), 0, ErrMalformed, "chunk 0x0001"},
		{"proto-type-empty", rawPacket(rawChunk(0, chunkProtoType, nil), good), 0, ErrMalformed, "chunk 0x000b"},
		{"tsec-8-bytes", rawPacket(rawChunk(0, chunkTimeSec, make([]byte, 8)), good), 0, ErrMalformed, "chunk 0x0009"},
		{"capture-id-2-bytes", rawPacket(rawChunk(0, chunkCaptureID, make([]byte, 2)), good), 0, ErrMalformed, "chunk 0x000c"},
		{"vlan-4-bytes", rawPacket(rawChunk(0, chunkVLAN, make([]byte, 4)), good), 0, ErrMalformed, "chunk 0x0012"},
		{"missing-payload", rawPacket(rawChunk(0, chunkProtoType, []byte{1})), 0, ErrMalformed, "no payload"},
		{"no-chunks", []byte("HEP3\x00\x06"), 0, ErrMalformed, "no payload"},
		{"payload-other-vendor-only", rawPacket(rawChunk(9, chunkPayload, []byte("x"))), 0, ErrMalformed, "no payload"},
		{"bad-zlib-checksum", rawPacket(rawChunk(0, chunkCompressed, badZlib)), 0, ErrMalformed, "chunk 0x0010"},
		{"zlib-cut", rawPacket(rawChunk(0, chunkCompressed, zlibBytes(t, []byte(sipInvite), 6)[:20])), 0, ErrMalformed, "chunk 0x0010"},
		{"deflate-junk", rawPacket(rawChunk(0, chunkCompressed, []byte{0xff, 0xff, 0xff, 0xff})), 0, ErrMalformed, "chunk 0x0010"},
		{"gzip-bad-header", rawPacket(rawChunk(0, chunkCompressed, []byte{0x1f, 0x8b, 0x01})), 0, ErrMalformed, "gzip"},
		{"raw-too-large", rawPacket(rawChunk(0, chunkPayload, make([]byte, 100))), 99, ErrTooLarge, "chunk 0x000f"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, n, err := Parse(tc.in, tc.max)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			for _, other := range []error{ErrNotHEP, ErrTruncated, ErrMalformed, ErrTooLarge} {
				if other != tc.want && errors.Is(err, other) {
					t.Errorf("err %v also matches %v", err, other)
				}
			}
			if !strings.HasPrefix(err.Error(), "hep: ") || strings.Count(err.Error(), "hep:") != 1 {
				t.Errorf("error %q: want exactly one hep: prefix", err)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
			if n != 0 || p.Payload != nil {
				t.Errorf("error with n=%d payload=%q", n, p.Payload)
			}
		})
	}
	// A huge bound must not overflow maxPayload+1.
	if p, _, err := Parse(zlibBomb(t, 1000), math.MaxInt); err != nil || len(p.Payload) != 1000 {
		t.Errorf("maxPayload=MaxInt: len=%d err=%v", len(p.Payload), err)
	}
	// The limit is inclusive.
	if _, _, err := Parse(rawPacket(rawChunk(0, chunkPayload, make([]byte, 100))), 100); err != nil {
		t.Errorf("payload of exactly maxPayload: %v", err)
	}
}

// TestTruncatedEveryLength cuts valid packets at every length: each prefix
// must fail with ErrTruncated (the length field promises more), and each
// prefix whose length field is rewritten to match must fail cleanly.
func TestTruncatedEveryLength(t *testing.T) {
	ts := time.Unix(1700000000, 5000).UTC()
	for _, compressed := range []bool{false, true} {
		full := Encode(Packet{
			Family: 10, IPProto: 17,
			Src:  netip.MustParseAddrPort("[2001:db8::1]:5060"),
			Dst:  netip.MustParseAddrPort("[2001:db8::2]:5060"),
			Time: ts, ProtoType: 1, CaptureID: 1, NodeName: "n", CorrelationID: "c", AuthKey: "k", VLAN: 3,
			Compressed: compressed, Payload: []byte(sipInvite),
		})
		if _, _, err := Parse(full, 0); err != nil {
			t.Fatal(err)
		}
		for i := range len(full) {
			cut := full[:i:i]
			if _, _, err := Parse(cut, 0); !errors.Is(err, ErrTruncated) {
				t.Fatalf("compressed=%v prefix %d: err = %v, want ErrTruncated", compressed, i, err)
			}
			if i < headerLen {
				continue
			}
			relen := append([]byte{}, cut...)
			binary.BigEndian.PutUint16(relen[4:], uint16(i))
			p, n, err := Parse(relen, 0)
			switch {
			case err == nil:
				// Every chunk before the payload is required to reach
				// it, and the payload chunk is last: no cut can parse.
				t.Fatalf("compressed=%v relength %d: parsed %+v n=%d", compressed, i, p, n)
			case !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed):
				t.Fatalf("compressed=%v relength %d: err = %v", compressed, i, err)
			}
		}
	}
}

// zlibBomb returns a HEP packet whose compressed payload inflates to size
// zero bytes.
func zlibBomb(t testing.TB, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zeros := make([]byte, 1<<16)
	for n := 0; n < size; n += len(zeros) {
		w.Write(zeros[:min(len(zeros), size-n)])
	}
	w.Close()
	if buf.Len() > 60000 {
		t.Fatalf("bomb is %d bytes compressed, too big for one chunk", buf.Len())
	}
	return rawPacket(rawChunk(0, chunkProtoType, []byte{1}), rawChunk(0, chunkCompressed, buf.Bytes()))
}

func TestZlibBomb(t *testing.T) {
	const size = 10 << 20
	const maxPayload = 64 << 10
	b := zlibBomb(t, size)
	t.Logf("10 MiB of zeros: %d bytes compressed, %d-byte packet", len(b)-24, len(b))

	Parse(b, maxPayload) // warm the reader pool
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, n, err := Parse(b, maxPayload)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if n != 0 {
		t.Errorf("n = %d on error", n)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("ErrTooLarge after %v, %d bytes allocated", elapsed, allocated)
	if allocated > 4*maxPayload {
		t.Errorf("allocated %d bytes, want at most %d", allocated, 4*maxPayload)
	}
	if elapsed > time.Second {
		t.Errorf("took %v", elapsed)
	}
	// With a large enough bound the same packet inflates completely.
	p, _, err := Parse(b, size)
	if err != nil || len(p.Payload) != size {
		t.Errorf("maxPayload=size: len=%d err=%v", len(p.Payload), err)
	}
}

func TestIsHEP3(t *testing.T) {
	for in, want := range map[string]bool{"HEP3": true, "HEP3\x00\x06": true, "HEP": false, "": false, "HEP2": false, "hep3": false} {
		if got := IsHEP3([]byte(in)); got != want {
			t.Errorf("IsHEP3(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestEncodePanicsWhenTooLarge(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Encode of a 70000-byte payload did not panic")
		}
	}()
	Encode(Packet{Payload: make([]byte, 70000)})
}

func BenchmarkParse(b *testing.B) {
	payload := []byte(sipInvite)
	for len(payload) < 800 {
		payload = append(payload[:len(payload)-2:len(payload)-2], "X-Padding: 0123456789abcdef0123456789abcdef\r\n\r\n"...)
	}
	pkt := Encode(Packet{
		Family: 2, IPProto: 17,
		Src:  netip.MustParseAddrPort("192.0.2.10:5060"),
		Dst:  netip.MustParseAddrPort("198.51.100.7:5060"),
		Time: time.Unix(1700000000, 123456000), ProtoType: 1, CaptureID: 2001,
		Payload: payload,
	})
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		p, _, err := Parse(pkt, 1<<16)
		if err != nil || len(p.Payload) != len(payload) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(payload)), "payload-bytes")
}

func BenchmarkParseCompressed(b *testing.B) {
	pkt := Encode(Packet{Family: 2, ProtoType: 1, Compressed: true, Payload: []byte(strings.Repeat(sipInvite, 2))})
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Parse(pkt, 1<<16); err != nil {
			b.Fatal(err)
		}
	}
}
