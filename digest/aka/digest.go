package aka

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Version is the Digest AKA version of the "algorithm" directive:
// AKAv1-MD5 (RFC 3310) or AKAv2-MD5 (RFC 4169). Its numeric value is the
// version number, as in the digest package's Algorithm.AKA.
type Version int

// The Digest AKA versions.
const (
	V1 Version = 1 // AKAv1-MD5, RFC 3310: the password is RES
	V2 Version = 2 // AKAv2-MD5, RFC 4169: the password is derived from RES, IK and CK
)

// The "algorithm" directive values (RFC 3310 3.1, RFC 4169 2).
const (
	AlgorithmV1 = "AKAv1-MD5"
	AlgorithmV2 = "AKAv2-MD5"
)

// ResyncPassword is the password a Digest AKA client uses for the
// "response" directive when it sends an "auts" directive because the SQN
// was out of range: RFC 3310 3.4, "If the directive is present, the client
// doesn't use any password when calculating its credentials. Instead, the
// client MUST calculate its credentials using an empty password (password
// of "")." This package applies the rule to AKAv2-MD5 too: RFC 4169
// defines AKAv2 as version 2 of the RFC 3310 algorithm with a different
// password derivation, and the password it derives needs a RES that a UE
// in synchronisation failure does not have.
//
// It is not the rule for a MAC failure: there TS 24.229 5.1.1.5.3 has the
// UE send no "auts" and an empty "response" directive, "i.e. no
// authentication challenge response", so no password is involved.
const ResyncPassword = ""

// akav2PasswordLabel is the PRF input of RFC 4169 2.1.
const akav2PasswordLabel = "http-digest-akav2-password"

// ParseAlgorithm maps the value of a Digest "algorithm" directive to its
// Digest AKA version: "AKAv1-MD5" to [V1] and "AKAv2-MD5" to [V2],
// ignoring case. Other values, including quoted ones and ones with
// surrounding space, give ok == false.
func ParseAlgorithm(name string) (v Version, ok bool) {
	switch {
	case strings.EqualFold(name, AlgorithmV1):
		return V1, true
	case strings.EqualFold(name, AlgorithmV2):
		return V2, true
	}
	return 0, false
}

// String returns the "algorithm" directive value of v, or "Version(n)"
// for an unknown version.
func (v Version) String() string {
	switch v {
	case V1:
		return AlgorithmV1
	case V2:
		return AlgorithmV2
	}
	return "Version(" + strconv.Itoa(int(v)) + ")"
}

// Valid reports whether v is [V1] or [V2].
func (v Version) Valid() bool { return v == V1 || v == V2 }

// Password returns the password a Digest AKA client feeds to the digest
// computation (as "passwd" in H(A1) = H(username ":" realm ":" passwd)),
// given the AKA outputs RES (or, on the server, XRES), IK and CK:
//
//   - [V1], AKAv1-MD5 (RFC 3310 3.3): "The resulting AKA RES parameter is
//     treated as a "password" when calculating the response directive of
//     RFC 2617." The password is the raw RES octets, not their hex or
//     base64 form.
//   - [V2], AKAv2-MD5 (RFC 4169 2.1): the password is base64(PRF(RES || IK ||
//     CK, "http-digest-akav2-password")), where PRF is HMAC-MD5 for
//     AKAv2-MD5, keyed with RES || IK || CK over the 26 ASCII bytes of the
//     label. The result is the 24 ASCII characters of the padded standard
//     base64 encoding of the 16-byte HMAC.
//
// Password does not check lengths (any RES, IK and CK work). It returns
// nil for an unknown version. For the resynchronisation case use
// [ResyncPassword] instead.
func Password(v Version, res, ik, ck []byte) []byte {
	switch v {
	case V1:
		out := make([]byte, len(res))
		copy(out, res)
		return out
	case V2:
		key := make([]byte, 0, len(res)+len(ik)+len(ck))
		key = append(key, res...)
		key = append(key, ik...)
		key = append(key, ck...)
		mac := hmac.New(md5.New, key)
		mac.Write([]byte(akav2PasswordLabel))
		var sum [md5.Size]byte
		out := make([]byte, base64.StdEncoding.EncodedLen(md5.Size))
		base64.StdEncoding.Encode(out, mac.Sum(sum[:0]))
		return out
	}
	return nil
}

// nonceMin is the shortest decoded nonce: RAND || AUTN.
const nonceMin = RANDSize + AUTNSize

// EncodeNonce builds the Digest AKA "nonce" directive value of RFC 3310
// 3.2: the base64 encoding (standard alphabet, with padding) of RAND (16
// bytes) || AUTN (16 bytes) || serverData (any length, may be empty; RFC
// 3310 allows the server to append data of its own).
func EncodeNonce(rand, autn, serverData []byte) (string, error) {
	if err := checkLen("RAND", rand, RANDSize); err != nil {
		return "", err
	}
	if err := checkLen("AUTN", autn, AUTNSize); err != nil {
		return "", err
	}
	raw := make([]byte, 0, nonceMin+len(serverData))
	raw = append(raw, rand...)
	raw = append(raw, autn...)
	raw = append(raw, serverData...)
	return base64.StdEncoding.EncodeToString(raw), nil
}

// DecodeNonce splits a Digest AKA nonce (RFC 3310 3.2) into RAND (16
// bytes), AUTN (16 bytes) and the server data that follows them (nil if
// there is none). It accepts the standard base64 alphabet with or without
// "=" padding; the caller removes the quotes of the quoted-string. A value
// that is not base64 gives an error matching [ErrInvalidNonce]; one that
// decodes to fewer than 32 bytes gives a *[LengthError] matching both
// [ErrInvalidNonce] and [ErrInvalidLength]. The three results share one
// allocation and do not alias nonce.
func DecodeNonce(nonce string) (rand, autn, serverData []byte, err error) {
	raw, err := decodeBase64(nonce)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %w", ErrInvalidNonce, err)
	}
	if len(raw) < nonceMin {
		return nil, nil, nil, &LengthError{Field: "decoded nonce", Got: len(raw), Want: nonceMin, AtLeast: true, kind: ErrInvalidNonce}
	}
	rand, raw = cut(raw, RANDSize)
	autn, raw = cut(raw, AUTNSize)
	if len(raw) > 0 {
		serverData = raw
	}
	return rand, autn, serverData, nil
}

// EncodeAUTS returns the value of the "auts" directive (RFC 3310 3.4): the
// base64 encoding (standard alphabet, with padding) of a 14-byte AUTS.
func EncodeAUTS(auts []byte) (string, error) {
	if err := checkLen("AUTS", auts, AUTSSize); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(auts), nil
}

// DecodeAUTS decodes the value of an "auts" directive (RFC 3310 3.4),
// standard base64 with or without padding, into the 14-byte AUTS. Errors
// match [ErrInvalidAUTS]; a wrong length is also a *[LengthError].
func DecodeAUTS(s string) ([]byte, error) {
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidAUTS, err)
	}
	if len(raw) != AUTSSize {
		return nil, &LengthError{Field: "decoded auts", Got: len(raw), Want: AUTSSize, kind: ErrInvalidAUTS}
	}
	return raw, nil
}

// decodeBase64 decodes standard base64, padded or not.
func decodeBase64(s string) ([]byte, error) {
	enc := base64.RawStdEncoding
	if strings.ContainsRune(s, '=') {
		enc = base64.StdEncoding
	}
	return enc.DecodeString(s)
}
