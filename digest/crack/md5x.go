package crack

import (
	"crypto/md5"
	"encoding/binary"
)

//go:generate go run gen_md5blockn.go

// lanes is the number of candidates hashed together by md5BlockN.
const lanes = 12

// stateN is the MD5 state of all lanes, transposed: [word][lane].
type stateN = [4][lanes]uint32

// blockN is one 64-byte MD5 block of all lanes, transposed: [word][lane].
type blockN = [16][lanes]uint32

// MD5 initial state, RFC 1321 section 3.3.
const (
	md5IV0 = 0x67452301
	md5IV1 = 0xefcdab89
	md5IV2 = 0x98badcfe
	md5IV3 = 0x10325476
)

func resetState(s *stateN) {
	for l := 0; l < lanes; l++ {
		s[0][l], s[1][l], s[2][l], s[3][l] = md5IV0, md5IV1, md5IV2, md5IV3
	}
}

// hexMsg is an MD5 input of the form hex(digest) suffix whose suffix is
// fixed: padded and split into blocks once, the same in every lane. Only
// the first 8 words of the first block, the 32 hex digits, change from one
// use to the next, so each worker has its own copy of first while rest is
// shared read-only.
type hexMsg struct {
	first blockN
	rest  []blockN
}

func newHexMsg(suffix []byte) hexMsg {
	n := 32 + len(suffix)
	nblocks := (n+8)/64 + 1
	buf := make([]byte, 64*nblocks)
	copy(buf[32:], suffix)
	buf[n] = 0x80
	binary.LittleEndian.PutUint64(buf[len(buf)-8:], uint64(n)<<3)
	blocks := make([]blockN, nblocks)
	for b := range blocks {
		for k := 0; k < 16; k++ {
			v := binary.LittleEndian.Uint32(buf[64*b+4*k:])
			for l := 0; l < lanes; l++ {
				blocks[b][k][l] = v
			}
		}
	}
	return hexMsg{first: blocks[0], rest: blocks[1:]}
}

// hash sets out, lane by lane, to the MD5 state after hashing the lowercase
// hex of in's digest followed by the suffix.
func (h *hexMsg) hash(in, out *stateN) {
	b0 := &h.first
	for k := 0; k < 4; k++ {
		for l := 0; l < lanes; l++ {
			v := in[k][l]
			b0[2*k][l] = hexWord(v)
			b0[2*k+1][l] = hexWord(v >> 16)
		}
	}
	resetState(out)
	md5BlockN(out, b0)
	for i := range h.rest {
		md5BlockN(out, &h.rest[i])
	}
}

// hexWord returns the four lowercase hex digits of the two low bytes of v,
// low byte first, as a little-endian word: the MD5 message word that holds
// them.
func hexWord(v uint32) uint32 {
	b0, b1 := byte(v), byte(v>>8)
	return uint32(hexDigits[b0>>4]) | uint32(hexDigits[b0&15])<<8 |
		uint32(hexDigits[b1>>4])<<16 | uint32(hexDigits[b1&15])<<24
}

// md5PrefixN sets out, lane by lane, to the MD5 state of prefix+words[l].
// Inputs that fit one block go through md5BlockN together; longer ones are
// hashed one by one with crypto/md5 in scratch, which it returns, grown if
// need be. m is scratch too.
func md5PrefixN(prefix []byte, words [][]byte, m *blockN, out *stateN, scratch []byte) []byte {
	var long uint16
	for l, word := range words {
		n := len(prefix) + len(word)
		if n > 55 {
			long |= 1 << l
			continue
		}
		var blk [64]byte
		copy(blk[copy(blk[:], prefix):], word)
		blk[n] = 0x80
		binary.LittleEndian.PutUint64(blk[56:], uint64(n)<<3)
		for k := 0; k < 16; k++ {
			m[k][l] = binary.LittleEndian.Uint32(blk[4*k:])
		}
	}
	resetState(out)
	if long != 1<<len(words)-1 {
		md5BlockN(out, m)
	}
	for l, word := range words {
		if long&(1<<l) == 0 {
			continue
		}
		scratch = append(append(scratch[:0], prefix...), word...)
		d := md5.Sum(scratch)
		for k := 0; k < 4; k++ {
			out[k][l] = binary.LittleEndian.Uint32(d[4*k:])
		}
	}
	return scratch[:0]
}
