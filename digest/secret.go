package digest

import (
	"errors"
	"fmt"
	"strings"
)

// AKAKey derives the digest password an IMS AKA subscriber uses for a
// nonce: RES for AKAv1-MD5 (RFC 3310 3.3), base64 of HMAC-MD5 keyed with
// RES || IK || CK for AKAv2-MD5 (RFC 4169 2.1). digest/aka's Subscriber
// implements it; the verifier only needs this much of it.
type AKAKey interface {
	DigestPassword(nonce string, version int) ([]byte, error)
}

// AKAResyncer is an AKAKey that can also check the AUTS of a
// resynchronisation request (RFC 3310 3.4, TS 33.102 6.3.5) and return
// the UE's SQN_MS. digest/aka's Subscriber implements it.
type AKAResyncer interface {
	AKAKey
	Resync(nonce, auts string) (sqnMS []byte, err error)
}

// ErrNoSecret means a Secret holds nothing the algorithm can use (for
// example an MD5 H(A1) only, and the exchange used SHA-256).
var ErrNoSecret = errors.New("no secret for this algorithm")

// Secret is what the reference knows about one user: a clear password,
// or H(A1) values as the HSS hands them in an SD-AV (TS 33.203 N.2.1.1
// CM2), or AKA subscriber keys. Any combination may be set; the password
// wins when present.
type Secret struct {
	Password []byte
	// HA1 holds H(username ":" realm ":" password) in hex, per hash
	// function (the SD-AV's H(A1) and H(A1)_SHA256).
	HA1 map[Hash]string
	AKA AKAKey
}

// IsZero reports whether the secret holds nothing.
func (s Secret) IsZero() bool { return s.Password == nil && len(s.HA1) == 0 && s.AKA == nil }

// BaseHA1 returns the H(A1) of the non-"-sess" form for the algorithm:
// H(username ":" realm ":" password). For AKA algorithms the password is
// derived from the nonce.
func (s Secret) BaseHA1(alg Algorithm, username, realm, nonce string) (string, error) {
	h := alg.Hash()
	if h == 0 {
		return "", fmt.Errorf("algorithm %s: %w", alg, ErrNoSecret)
	}
	if v := alg.AKA(); v != 0 {
		if s.AKA == nil {
			return "", fmt.Errorf("%s needs AKA keys: %w", alg, ErrNoSecret)
		}
		pw, err := s.AKA.DigestPassword(nonce, v)
		if err != nil {
			return "", fmt.Errorf("%s: %w", alg, err)
		}
		return HA1(h, username, realm, pw), nil
	}
	if s.Password != nil {
		return HA1(h, username, realm, s.Password), nil
	}
	if ha1, ok := s.HA1[h]; ok && len(ha1) == 2*h.Size() && isHex(ha1) {
		return strings.ToLower(ha1), nil
	}
	return "", fmt.Errorf("no %s H(A1): %w", h, ErrNoSecret)
}

// String withholds the secret, so that printing a Secret (or a UE, or a
// struct holding one) with fmt never shows it.
func (s Secret) String() string { return "<secret withheld>" }

// GoString withholds the secret from %#v too.
func (s Secret) GoString() string { return "digest.Secret{<withheld>}" }

// MarshalJSON withholds the secret from JSON.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"<secret withheld>"`), nil }
