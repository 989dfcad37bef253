package aka

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of them
// (test with [errors.Is]); the wrapping text says what exactly was wrong.
var (
	// ErrInvalidLength means an input (key, RAND, SQN, AMF, AUTN, AUTS,
	// nonce, ...) has the wrong number of bytes. The error is a
	// *[LengthError], which carries the details.
	ErrInvalidLength = errors.New("aka: invalid length")

	// ErrMACFailure means a MAC did not verify: XMAC-A differs from the
	// MAC-A in an AUTN (the UE rejects the network, TS 33.102 6.3.3), or
	// XMAC-S differs from the MAC-S in an AUTS (the network rejects the
	// resynchronisation request, TS 33.102 6.3.5). For a Digest AKA
	// client this is the "MAC failure" case: see the package
	// documentation for what the client then sends.
	ErrMACFailure = errors.New("aka: MAC failure")

	// ErrSyncFailure means a sequence number is not in the accepted range
	// (see [CheckSQN]). For a Digest AKA client this is the
	// "synchronization failure" of RFC 3310 3.4: it answers with an AUTS
	// (see [Milenage.GenerateAUTS]) and the empty password
	// [ResyncPassword].
	ErrSyncFailure = errors.New("aka: synchronization failure")

	// ErrInvalidNonce means a Digest AKA nonce is not base64 or is too
	// short to hold RAND and AUTN. A too-short nonce is also a
	// *[LengthError] (and so also matches [ErrInvalidLength]).
	ErrInvalidNonce = errors.New("aka: invalid nonce")

	// ErrInvalidAUTS means an "auts" directive value is not base64 or
	// does not decode to exactly 14 bytes. A wrong length is also a
	// *[LengthError].
	ErrInvalidAUTS = errors.New("aka: invalid auts")

	// ErrUnsupportedVersion means a [Version] other than [V1] or [V2].
	ErrUnsupportedVersion = errors.New("aka: unsupported Digest AKA version")

	// ErrInconsistentOPc means a [Subscriber] holds both OP and OPc and
	// OPc is not the value derived from K and OP.
	ErrInconsistentOPc = errors.New("aka: OPc does not match K and OP")
)

// LengthError reports an input of the wrong size. It matches
// [ErrInvalidLength] with [errors.Is], and in addition [ErrInvalidNonce]
// or [ErrInvalidAUTS] when it was found while decoding a nonce or an
// "auts" value.
type LengthError struct {
	// Field names the input: "K", "OPc", "RAND", "SQN", "AUTN", "nonce",
	// and so on.
	Field string
	// Got is the length received, in bytes.
	Got int
	// Want is the length required, in bytes; with AtLeast, the minimum.
	Want int
	// AtLeast is set when any length from Want up is acceptable.
	AtLeast bool

	kind error // ErrInvalidNonce, ErrInvalidAUTS or nil
}

// Error implements error.
func (e *LengthError) Error() string {
	if e.AtLeast {
		return fmt.Sprintf("aka: %s is %d bytes, want at least %d", e.Field, e.Got, e.Want)
	}
	return fmt.Sprintf("aka: %s is %d bytes, want %d", e.Field, e.Got, e.Want)
}

// Unwrap returns [ErrInvalidLength] and, for a nonce or "auts" value, the
// matching decoding sentinel.
func (e *LengthError) Unwrap() []error {
	if e.kind != nil {
		return []error{ErrInvalidLength, e.kind}
	}
	return []error{ErrInvalidLength}
}

// checkLen returns a *LengthError unless len(b) == want.
func checkLen(field string, b []byte, want int) error {
	if len(b) != want {
		return &LengthError{Field: field, Got: len(b), Want: want}
	}
	return nil
}
