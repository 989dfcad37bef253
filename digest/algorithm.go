package digest

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"strings"
)

// Algorithm is a digest algorithm of RFC 7616 section 3.3, or one of the
// IMS AKA algorithms of RFC 3310 and RFC 4169 (which are MD5 digests over
// a password derived from the AKA vector).
type Algorithm uint8

// The algorithms the reference implements. The zero value is no algorithm.
const (
	MD5 Algorithm = iota + 1
	MD5Sess
	SHA256
	SHA256Sess
	SHA512_256
	SHA512_256Sess
	AKAv1MD5
	AKAv2MD5
)

// Algorithms lists every algorithm in the order of preference of TS
// 33.203 N.2.1.1 (SHA-256 before MD5), strongest first.
var Algorithms = []Algorithm{SHA512_256, SHA512_256Sess, SHA256, SHA256Sess, MD5, MD5Sess, AKAv2MD5, AKAv1MD5}

var algorithmNames = [...]string{
	MD5:            "MD5",
	MD5Sess:        "MD5-sess",
	SHA256:         "SHA-256",
	SHA256Sess:     "SHA-256-sess",
	SHA512_256:     "SHA-512-256",
	SHA512_256Sess: "SHA-512-256-sess",
	AKAv1MD5:       "AKAv1-MD5",
	AKAv2MD5:       "AKAv2-MD5",
}

// String returns the algorithm's name as RFC 7616 and RFC 3310 spell it.
func (a Algorithm) String() string {
	if int(a) < len(algorithmNames) && algorithmNames[a] != "" {
		return algorithmNames[a]
	}
	return "unknown"
}

// ParseAlgorithm maps an algorithm parameter to an Algorithm, ignoring
// case. An absent parameter (the empty string) means MD5 (RFC 7616 3.3).
func ParseAlgorithm(s string) (Algorithm, bool) {
	if s == "" {
		return MD5, true
	}
	for a, n := range algorithmNames {
		if n != "" && strings.EqualFold(n, s) {
			return Algorithm(a), true
		}
	}
	return 0, false
}

// Sess reports whether a is a "-sess" variant, whose A1 includes the
// nonce and cnonce.
func (a Algorithm) Sess() bool { return a == MD5Sess || a == SHA256Sess || a == SHA512_256Sess }

// AKA returns 1 or 2 for AKAv1-MD5 and AKAv2-MD5, 0 otherwise.
func (a Algorithm) AKA() int {
	switch a {
	case AKAv1MD5:
		return 1
	case AKAv2MD5:
		return 2
	}
	return 0
}

// Hash returns the hash function the algorithm is built on.
func (a Algorithm) Hash() Hash {
	switch a {
	case SHA256, SHA256Sess:
		return HashSHA256
	case SHA512_256, SHA512_256Sess:
		return HashSHA512_256
	case MD5, MD5Sess, AKAv1MD5, AKAv2MD5:
		return HashMD5
	}
	return 0
}

// Hash is the hash function under an algorithm. H(A1) values are kept per
// Hash: the SD-AV of TS 33.203 N.2.1.1 CM2 carries one per hash.
type Hash uint8

// The hash functions of RFC 7616.
const (
	HashMD5 Hash = iota + 1
	HashSHA256
	HashSHA512_256
)

// String names the hash function.
func (h Hash) String() string {
	switch h {
	case HashMD5:
		return "MD5"
	case HashSHA256:
		return "SHA-256"
	case HashSHA512_256:
		return "SHA-512-256"
	}
	return "unknown"
}

// Size is the digest length in bytes (hex length is twice this).
func (h Hash) Size() int {
	if h == HashMD5 {
		return md5.Size
	}
	if h == HashSHA256 || h == HashSHA512_256 {
		return 32
	}
	return 0
}

// Hex returns the lowercase hex digest of the concatenated parts joined by
// ":" — the H(a ":" b ":" ...) of RFC 7616.
func (h Hash) Hex(parts ...string) string {
	var in [512]byte
	b := in[:0]
	for i, p := range parts {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, p...)
	}
	var out [64]byte
	return string(h.appendHex(out[:0], b))
}

// appendHex appends the lowercase hex digest of data to dst. The Sum
// functions keep the state on the stack: no allocation.
func (h Hash) appendHex(dst, data []byte) []byte {
	switch h {
	case HashMD5:
		s := md5.Sum(data)
		return hex.AppendEncode(dst, s[:])
	case HashSHA256:
		s := sha256.Sum256(data)
		return hex.AppendEncode(dst, s[:])
	case HashSHA512_256:
		s := sha512.Sum512_256(data)
		return hex.AppendEncode(dst, s[:])
	}
	return dst
}

// hexBytes is Hex over a single byte slice, for entity bodies.
func (h Hash) hexBytes(b []byte) string {
	var out [64]byte
	return string(h.appendHex(out[:0], b))
}
