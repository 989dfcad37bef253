package crack

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
)

// refResponse computes the Digest response for t and password the plain
// way, straight from RFC 7616 section 3.4.1-3.4.3, with hash.Hash,
// fmt.Sprintf and encoding/hex: deliberately different code from the fast
// path in crack.go, so the two check each other.
func refResponse(t Target, password string) string {
	alg := strings.ToUpper(t.Algorithm)
	sess := strings.HasSuffix(alg, "-SESS")
	alg = strings.TrimSuffix(alg, "-SESS")
	var newHash func() hash.Hash
	switch alg {
	case "", "MD5":
		newHash = md5.New
	case "SHA-256":
		newHash = sha256.New
	case "SHA-512-256":
		newHash = sha512.New512_256
	default:
		panic("refResponse: algorithm " + t.Algorithm)
	}
	H := func(s string) string {
		h := newHash()
		io.WriteString(h, s)
		return hex.EncodeToString(h.Sum(nil))
	}
	a1 := fmt.Sprintf("%s:%s:%s", t.Username, t.Realm, password)
	if sess {
		a1 = fmt.Sprintf("%s:%s:%s", H(a1), t.Nonce, t.CNonce)
	}
	a2 := fmt.Sprintf("%s:%s", t.Method, t.URI)
	if strings.EqualFold(t.QOP, "auth-int") {
		a2 = fmt.Sprintf("%s:%s:%s", t.Method, t.URI, strings.ToLower(t.BodyHash))
	}
	if t.QOP == "" {
		return H(fmt.Sprintf("%s:%s:%s", H(a1), t.Nonce, H(a2)))
	}
	return H(fmt.Sprintf("%s:%s:%s:%s:%s:%s", H(a1), t.Nonce, t.NC, t.CNonce, t.QOP, H(a2)))
}

// refHash is the hex hash of s under algorithm alg (with or without -sess).
func refHash(alg, s string) string {
	switch strings.TrimSuffix(strings.ToUpper(alg), "-SESS") {
	case "SHA-256":
		d := sha256.Sum256([]byte(s))
		return hex.EncodeToString(d[:])
	case "SHA-512-256":
		d := sha512.Sum512_256([]byte(s))
		return hex.EncodeToString(d[:])
	}
	d := md5.Sum([]byte(s))
	return hex.EncodeToString(d[:])
}
