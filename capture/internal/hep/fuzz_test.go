package hep

import (
	"bytes"
	"errors"
	"testing"
	"unsafe"
)

// FuzzParse checks that Parse never panics, that a success reports a length
// within the input and a payload within the bound, that errors are always
// one of the sentinels, and that a parsed packet survives an Encode/Parse
// round trip. Seeds live in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(Encode(Packet{Family: 2, IPProto: 17, ProtoType: 1, Payload: []byte("OPTIONS sip:a SIP/2.0\r\n\r\n")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, maxPayload := range []int{1 << 16, 64} {
			p, n, err := Parse(b, maxPayload)
			if err != nil {
				if !errors.Is(err, ErrNotHEP) && !errors.Is(err, ErrTruncated) &&
					!errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("error %v matches no sentinel", err)
				}
				if n != 0 {
					t.Fatalf("n = %d with error %v", n, err)
				}
				continue
			}
			if n < headerLen || n > len(b) {
				t.Fatalf("n = %d, len(b) = %d", n, len(b))
			}
			if len(p.Payload) > maxPayload {
				t.Fatalf("len(Payload) = %d > maxPayload %d", len(p.Payload), maxPayload)
			}
			if !p.Compressed && len(p.Payload) > 0 && !within(p.Payload, b[:n]) {
				t.Fatal("uncompressed Payload is not a sub-slice of the packet")
			}
			// Anything Parse accepts, Encode must reproduce. Recompression
			// may grow, and inflated payloads may not fit in one packet.
			if len(p.Payload) > 60000 {
				continue
			}
			q, m, err := Parse(Encode(p), maxPayload)
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			if m <= 0 {
				t.Fatalf("re-parse n = %d", m)
			}
			want := p
			if want.Family == 0 {
				if a := want.Src.Addr(); a.IsValid() {
					want.Family = familyOf(a.Is4())
				} else if a := want.Dst.Addr(); a.IsValid() {
					want.Family = familyOf(a.Is4())
				}
			}
			if q.Family != want.Family || q.IPProto != want.IPProto || q.Src != want.Src || q.Dst != want.Dst ||
				!q.Time.Equal(want.Time) || q.ProtoType != want.ProtoType || q.CaptureID != want.CaptureID ||
				q.NodeName != want.NodeName || q.CorrelationID != want.CorrelationID || q.AuthKey != want.AuthKey ||
				q.VLAN != want.VLAN || q.Compressed != want.Compressed || !bytes.Equal(q.Payload, want.Payload) {
				t.Fatalf("round trip mismatch\n got %+v\nwant %+v", q, want)
			}
		}
	})
}

// within reports whether sub lies inside the memory of b.
func within(sub, b []byte) bool {
	s := uintptr(unsafe.Pointer(unsafe.SliceData(sub)))
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return s >= lo && s+uintptr(len(sub)) <= lo+uintptr(len(b))
}
