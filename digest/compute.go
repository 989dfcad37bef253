package digest

import (
	"strings"
)

// Input is everything a digest response is computed over (RFC 7616 3.4.1
// to 3.4.3). Username is the real username even when the credentials
// carry a userhash.
type Input struct {
	Algorithm Algorithm
	Username  string
	Realm     string
	Nonce     string
	CNonce    string
	NC        string // 8 hex digits, as sent
	QOP       string // "auth", "auth-int" or "" (RFC 2069 form)
	Method    string // the request method; unused for rspauth
	URI       string // the digest-uri of the credentials
	Body      []byte // the entity body, hashed for auth-int
}

// HA1 returns H(username ":" realm ":" password) in lowercase hex: the
// value an HSS hands the S-CSCF in an SD-AV (TS 33.203 N.2.1.1 CM2) and
// the A1 hash of the non-"-sess" algorithms (RFC 7616 3.4.2). The password
// is bytes because IMS AKA uses the binary RES as the password.
func HA1(h Hash, username, realm string, password []byte) string {
	var in [256]byte
	b := append(in[:0], username...)
	b = append(b, ':')
	b = append(b, realm...)
	b = append(b, ':')
	b = append(b, password...)
	var out [64]byte
	return string(h.appendHex(out[:0], b))
}

// Userhash returns H(username ":" realm), the value sent in place of the
// username when userhash=true (RFC 7616 3.4.4).
func Userhash(h Hash, username, realm string) string { return h.Hex(username, realm) }

// Work is the computation shown step by step, so a report can explain a
// verdict. Secrets are masked: the password never appears, and the H(A1)
// values (which are password equivalents) are replaced by a placeholder.
type Work struct {
	Algorithm string `json:"algorithm"`
	A1        string `json:"a1"`       // masked, e.g. alice:ims.example.com:<password>
	HA1       string `json:"ha1"`      // masked
	A2        string `json:"a2"`       // method ":" digest-uri [":" H(body)]
	HA2       string `json:"ha2"`      // hex
	Data      string `json:"data"`     // the KD input with H(A1) masked
	Expected  string `json:"expected"` // the response the reference computes
	Received  string `json:"received,omitempty"`
}

// Steps returns the work as labelled lines, in order.
func (w Work) Steps() [][2]string {
	s := [][2]string{
		{"algorithm", w.Algorithm},
		{"A1", w.A1},
		{"H(A1)", w.HA1},
		{"A2", w.A2},
		{"H(A2)", w.HA2},
		{"KD data", w.Data},
		{"expected", w.Expected},
	}
	if w.Received != "" {
		s = append(s, [2]string{"received", w.Received})
	}
	return s
}

const maskedHA1 = "<H(A1) withheld>"

// maskExpected shortens the expected value of a failed check: in full it
// would be a right response for a (nonce, nc) the client has not used,
// which a report must not hand out. Eight hex digits show it differs.
func (w *Work) maskExpected() {
	if len(w.Expected) > 8 {
		w.Expected = w.Expected[:8] + "... (rest withheld: a valid response is a credential)"
	}
}

// Response computes the request-digest of RFC 7616 3.4.1 from the base
// H(A1) (HA1 of the password, or as given in an SD-AV) and returns it with
// the work shown.
func (in Input) Response(ha1 string) (string, Work) {
	return in.compute(ha1, in.Method)
}

// RspAuth computes the rspauth of an Authentication-Info field (RFC 7616
// 3.5): the same computation with an empty method in A2, so that the UE
// can authenticate the network (TS 33.203 N.2.1.1 SM12).
func (in Input) RspAuth(ha1 string) (string, Work) {
	return in.compute(ha1, "")
}

func (in Input) compute(ha1, method string) (string, Work) {
	h := in.Algorithm.Hash()
	w := Work{Algorithm: in.Algorithm.String()}
	w.A1 = in.Username + ":" + in.Realm + ":<password>"
	if in.Algorithm.AKA() != 0 {
		w.A1 = in.Username + ":" + in.Realm + ":<RES-derived password>"
	}
	if in.Algorithm.Sess() {
		ha1 = h.Hex(ha1, in.Nonce, in.CNonce)
		w.A1 = "H(" + w.A1 + "):" + in.Nonce + ":" + in.CNonce
	}
	w.HA1 = maskedHA1
	w.A2 = method + ":" + in.URI
	if strings.EqualFold(in.QOP, "auth-int") {
		w.A2 += ":" + h.hexBytes(in.Body)
	}
	w.HA2 = h.Hex(w.A2)
	var resp string
	if in.QOP == "" {
		resp = h.Hex(ha1, in.Nonce, w.HA2)
		w.Data = maskedHA1 + ":" + in.Nonce + ":" + w.HA2
	} else {
		resp = h.Hex(ha1, in.Nonce, in.NC, in.CNonce, in.QOP, w.HA2)
		w.Data = maskedHA1 + ":" + strings.Join([]string{in.Nonce, in.NC, in.CNonce, in.QOP, w.HA2}, ":")
	}
	w.Expected = resp
	return resp, w
}

// equalHex compares two hex digests case-insensitively, in constant time
// for equal lengths.
func equalHex(a, b string) bool {
	if len(a) != len(b) || !isHex(a) || !isHex(b) {
		return false
	}
	var diff byte
	for i := 0; i < len(a); i++ {
		diff |= (a[i] | 0x20) ^ (b[i] | 0x20)
	}
	return diff == 0
}
