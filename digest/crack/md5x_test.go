package crack

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"testing"
)

// TestMD5BlockN checks the multi-lane MD5 against crypto/md5 and against the
// one-lane Go version, on messages of every length from 0 to 200 bytes.
func TestMD5BlockN(t *testing.T) {
	seed := uint32(7)
	rnd := func() byte { seed = seed*1664525 + 1013904223; return byte(seed >> 24) }
	for n := 0; n <= 200; n++ {
		var msgs [lanes][]byte
		for l := range msgs {
			msgs[l] = make([]byte, n)
			for i := range msgs[l] {
				msgs[l][i] = rnd()
			}
		}
		// Pad each lane (RFC 1321 section 3.1-3.2) and run the blocks.
		nblocks := (n+8)/64 + 1
		var s, ref stateN
		resetState(&s)
		resetState(&ref)
		for b := 0; b < nblocks; b++ {
			var m blockN
			for l := range msgs {
				padded := make([]byte, 64*nblocks)
				copy(padded, msgs[l])
				padded[n] = 0x80
				binary.LittleEndian.PutUint64(padded[len(padded)-8:], uint64(n)<<3)
				for k := 0; k < 16; k++ {
					m[k][l] = binary.LittleEndian.Uint32(padded[64*b+4*k:])
				}
			}
			md5BlockN(&s, &m)
			for l := 0; l < lanes; l++ {
				md5BlockLane(&ref, &m, l)
			}
		}
		for l := range msgs {
			want := md5.Sum(msgs[l])
			var got, one [16]byte
			for k := 0; k < 4; k++ {
				binary.LittleEndian.PutUint32(got[4*k:], s[k][l])
				binary.LittleEndian.PutUint32(one[4*k:], ref[k][l])
			}
			if got != want || one != want {
				t.Fatalf("len %d lane %d: md5BlockN %x, md5BlockLane %x, crypto/md5 %x", n, l, got, one, want)
			}
		}
	}
}

func TestHexMsgAndPrefix(t *testing.T) {
	for _, suffixLen := range []int{0, 1, 22, 23, 24, 31, 32, 86, 87, 88, 150} {
		suffix := bytes.Repeat([]byte{'s'}, suffixLen)
		h := newHexMsg(suffix)
		prefix := []byte("user:realm:")
		var words [][]byte
		for l := 0; l < lanes; l++ {
			words = append(words, bytes.Repeat([]byte{'a' + byte(l)}, l*9)) // 0..63 bytes: one or two blocks
		}
		var m blockN
		var in, out stateN
		scratch := md5PrefixN(prefix, words, &m, &in, nil)
		if len(scratch) != 0 {
			t.Fatal("scratch not reset")
		}
		h.hash(&in, &out)
		for l, word := range words {
			d1 := md5.Sum(append(append([]byte{}, prefix...), word...))
			want := md5.Sum([]byte(fmt.Sprintf("%x%s", d1, suffix)))
			var got [16]byte
			for k := 0; k < 4; k++ {
				binary.LittleEndian.PutUint32(got[4*k:], out[k][l])
			}
			if got != want {
				t.Fatalf("suffix %d lane %d: %x, want %x", suffixLen, l, got, want)
			}
		}
	}
}

func BenchmarkMD5BlockN(b *testing.B) {
	var s stateN
	var m blockN
	b.SetBytes(64 * lanes)
	for i := 0; i < b.N; i++ {
		md5BlockN(&s, &m)
	}
}
