package crack

import (
	"errors"
	"fmt"
	"strings"
)

// Target is one captured Digest response to attack. String fields hold the
// unquoted parameter values exactly as they were sent; they are hashed
// byte for byte, so no field is trimmed or case-folded except where noted.
type Target struct {
	// Algorithm is the algorithm parameter: "MD5", "MD5-sess", "SHA-256",
	// "SHA-256-sess", "SHA-512-256" or "SHA-512-256-sess", compared
	// case-insensitively. Empty means MD5 (RFC 7616 section 3.3).
	Algorithm string
	// Username is the username parameter (the real user name: a response
	// sent with userhash=true must be given the name it stands for).
	Username string
	// Realm is the realm parameter.
	Realm string
	// Method is the request method, e.g. "REGISTER" or "GET".
	Method string
	// URI is the digest-uri (uri parameter), e.g. "sip:example.com".
	URI string
	// Nonce is the server nonce.
	Nonce string
	// CNonce is the client nonce. It is required when QOP is set and is
	// part of A1 for the -sess algorithms.
	CNonce string
	// NC is the nonce count, e.g. "00000001". It is required when QOP is
	// set and ignored otherwise.
	NC string
	// QOP is the qop the client chose: "auth", "auth-int" (recognised
	// case-insensitively, hashed as given) or empty for the RFC 2069 form.
	QOP string
	// BodyHash is H(entity-body) as hex, for QOP auth-int only, with the
	// hash function of Algorithm (32 hex digits for MD5, 64 otherwise).
	BodyHash string
	// Response is the captured response parameter as hex, in either case:
	// 32 digits for MD5, 64 for SHA-256 and SHA-512-256.
	Response string
	// Server and Client are the server and client addresses that the
	// "$sip$*" lines of John the Ripper and hashcat carry. They are kept
	// for those lines only and are not part of the digest.
	Server, Client string
}

// Sentinel errors that Validate, ParseJohn and Run wrap, for callers that
// branch with errors.Is. The concrete error is a *FieldError naming the
// offending field, or for ParseJohn a wrapped ErrJohnSyntax.
var (
	// ErrUnknownAlgorithm reports an algorithm this package does not know.
	ErrUnknownAlgorithm = errors.New("unsupported algorithm")
	// ErrBadResponse reports a response that is not hex of the length the
	// algorithm produces.
	ErrBadResponse = errors.New("malformed response")
	// ErrUnknownQOP reports a qop other than auth, auth-int or empty.
	ErrUnknownQOP = errors.New("unsupported qop")
	// ErrMissingField reports a field the computation needs but that is
	// empty: CNonce or NC with a qop, BodyHash with auth-int.
	ErrMissingField = errors.New("required field is empty")
	// ErrBadBodyHash reports a BodyHash that is not hex of the length the
	// algorithm produces.
	ErrBadBodyHash = errors.New("malformed body hash")
	// ErrJohnSyntax reports a line that is not a "$sip$*" line with 14
	// '*'-separated fields.
	ErrJohnSyntax = errors.New("malformed $sip$ line")
)

// FieldError is a problem with one field of a Target.
type FieldError struct {
	// Field is the name of the Target field, e.g. "Response".
	Field string
	// Err wraps one of the sentinel errors with details.
	Err error
}

// Error implements error.
func (e *FieldError) Error() string {
	return "crack: " + e.Field + ": " + e.Err.Error()
}

// Unwrap returns the wrapped error, so errors.Is finds the sentinel.
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, sentinel error, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}

// hashKind is the hash function of an algorithm.
type hashKind uint8

const (
	kindMD5 hashKind = iota
	kindSHA256
	kindSHA512_256
)

// size returns the digest size in bytes.
func (k hashKind) size() int {
	if k == kindMD5 {
		return 16
	}
	return 32
}

func (k hashKind) String() string {
	switch k {
	case kindMD5:
		return "MD5"
	case kindSHA256:
		return "SHA-256"
	default:
		return "SHA-512-256"
	}
}

// parseAlgorithm maps an algorithm name to its hash function and whether it
// is a -sess variant.
func parseAlgorithm(name string) (hashKind, bool, error) {
	base, sess := name, false
	if n := len(name) - len("-sess"); n >= 0 && strings.EqualFold(name[n:], "-sess") {
		base, sess = name[:n], true
	}
	switch {
	case base == "" && !sess, strings.EqualFold(base, "MD5"):
		return kindMD5, sess, nil
	case strings.EqualFold(base, "SHA-256"):
		return kindSHA256, sess, nil
	case strings.EqualFold(base, "SHA-512-256"):
		return kindSHA512_256, sess, nil
	}
	return 0, false, fieldErr("Algorithm", ErrUnknownAlgorithm, "%q", name)
}

// qopKind classifies a qop value.
type qopKind uint8

const (
	qopNone qopKind = iota
	qopAuth
	qopAuthInt
)

func parseQOP(q string) (qopKind, error) {
	switch {
	case q == "":
		return qopNone, nil
	case strings.EqualFold(q, "auth"):
		return qopAuth, nil
	case strings.EqualFold(q, "auth-int"):
		return qopAuthInt, nil
	}
	return 0, fieldErr("QOP", ErrUnknownQOP, "%q (want auth, auth-int or empty)", q)
}

// Validate reports whether t can be attacked: a known algorithm, a response
// of the right length, a known qop, CNonce and NC with a qop, and a body
// hash with auth-int. The error is a *FieldError wrapping one of
// ErrUnknownAlgorithm, ErrBadResponse, ErrUnknownQOP, ErrMissingField and
// ErrBadBodyHash.
func (t Target) Validate() error {
	_, err := t.parse()
	return err
}

// parsed is the validated, decoded form of a Target.
type parsed struct {
	kind hashKind
	sess bool
	qop  qopKind
	want [32]byte // decoded response, zero-padded past kind.size()
}

func (t Target) parse() (parsed, error) {
	var p parsed
	var err error
	if p.kind, p.sess, err = parseAlgorithm(t.Algorithm); err != nil {
		return p, err
	}
	n := p.kind.size()
	if !isHex(t.Response, n) {
		return p, fieldErr("Response", ErrBadResponse, "want %d hex digits for %s, got %q", 2*n, p.kind, clip(t.Response))
	}
	for i := 0; i < n; i++ {
		p.want[i] = fromHexChar(t.Response[2*i])<<4 | fromHexChar(t.Response[2*i+1])
	}
	if p.qop, err = parseQOP(t.QOP); err != nil {
		return p, err
	}
	if p.qop != qopNone {
		if t.CNonce == "" {
			return p, fieldErr("CNonce", ErrMissingField, "qop %q needs a cnonce", t.QOP)
		}
		if t.NC == "" {
			return p, fieldErr("NC", ErrMissingField, "qop %q needs a nonce count", t.QOP)
		}
	}
	if p.qop == qopAuthInt {
		if t.BodyHash == "" {
			return p, fieldErr("BodyHash", ErrMissingField, "qop auth-int needs H(entity-body)")
		}
		if !isHex(t.BodyHash, n) {
			return p, fieldErr("BodyHash", ErrBadBodyHash, "want %d hex digits for %s, got %q", 2*n, p.kind, clip(t.BodyHash))
		}
	}
	return p, nil
}

// isHex reports whether s is exactly 2*n hex digits of either case.
func isHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if fromHexChar(s[i]) > 15 {
			return false
		}
	}
	return true
}

func fromHexChar(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 80
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
