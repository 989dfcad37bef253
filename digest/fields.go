package digest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrNotDigest is returned when a typed Digest view is asked of another
// scheme.
var ErrNotDigest = errors.New("not a Digest challenge or credentials")

// ErrNotBasic is returned by ParseBasic for a scheme other than Basic.
var ErrNotBasic = errors.New("not Basic credentials")

// ProblemKind classifies a Problem.
type ProblemKind uint8

// The kinds of Problem.
const (
	// Duplicate: the parameter appears more than once; the first is used.
	Duplicate ProblemKind = iota + 1
	// Unknown: a parameter RFC 7616 (or RFC 3310, TS 24.229) does not define.
	Unknown
	// Quoting: a token parameter sent quoted, or a quoted-string one sent
	// as a token (RFC 7616 3.3 and 3.4: recipients accept both forms).
	Quoting
	// BadValue: the value does not match the parameter's grammar.
	BadValue
	// Missing: a parameter the header must carry is absent.
	Missing
)

var problemKinds = [...]string{Duplicate: "duplicate", Unknown: "unknown", Quoting: "quoting", BadValue: "bad-value", Missing: "missing"}

func (k ProblemKind) String() string {
	if int(k) < len(problemKinds) && problemKinds[k] != "" {
		return problemKinds[k]
	}
	return "problem"
}

// Problem is something wrong with one parameter that does not stop the
// header from being understood.
type Problem struct {
	Param  string      `json:"param"`
	Kind   ProblemKind `json:"kind"`
	Detail string      `json:"detail"`
}

func (p Problem) String() string {
	return fmt.Sprintf("parameter %s: %s: %s", p.Param, p.Kind, p.Detail)
}

// ParamError is a parameter that makes a header unusable (for example a
// missing nonce in credentials, or an nc that is not 8 hex digits).
type ParamError struct {
	Param  string
	Reason string
}

func (e *ParamError) Error() string { return "parameter " + e.Param + ": " + e.Reason }

// quoting says how RFC 7616 wants a parameter written.
type quoting uint8

const (
	eitherForm quoting = iota
	quotedForm
	tokenForm
)

type paramSpec map[string]quoting

var (
	challengeParams = paramSpec{
		"realm": quotedForm, "domain": quotedForm, "nonce": quotedForm, "opaque": quotedForm,
		"qop": quotedForm, "stale": tokenForm, "algorithm": tokenForm, "charset": tokenForm,
		"userhash": tokenForm,
		// TS 33.203 6.1.1 SM4: the S-CSCF adds ck and ik for the P-CSCF,
		// which must strip them (SA502).
		"ck": quotedForm, "ik": quotedForm,
	}
	credentialParams = paramSpec{
		"username": quotedForm, "username*": tokenForm, "realm": quotedForm, "nonce": quotedForm,
		"uri": quotedForm, "response": quotedForm, "algorithm": tokenForm, "cnonce": quotedForm,
		"opaque": quotedForm, "qop": tokenForm, "nc": tokenForm, "userhash": tokenForm,
		// RFC 3310 3.4: AKA resynchronisation.
		"auts": quotedForm,
		// TS 24.229 7.2A.1: set by the P-CSCF.
		"integrity-protected": eitherForm,
	}
	authInfoParams = paramSpec{
		"nextnonce": quotedForm, "qop": tokenForm, "rspauth": quotedForm, "cnonce": quotedForm, "nc": tokenForm,
	}
)

// paramVals holds the first value of each known parameter, by lower-case
// name: a spec has at most maxKnown names, so it needs no allocation (a
// map here was most of the cost of parsing credentials).
type paramVals struct {
	n  int
	kv [maxKnown]struct{ name, value string }
}

const maxKnown = 16

func (v *paramVals) lookup(name string) (string, bool) {
	for i := range v.n {
		if v.kv[i].name == name {
			return v.kv[i].value, true
		}
	}
	return "", false
}

func (v *paramVals) get(name string) string {
	s, _ := v.lookup(name)
	return s
}

// collect walks the params once: it reports duplicates, unknown names and
// quoting, and returns the first value of each known parameter keyed by
// lower-case name.
func (s paramSpec) collect(a Auth, vals *paramVals) []Problem {
	var probs []Problem
	for _, p := range a.Params {
		name := lowerASCII(p.Name)
		q, known := s[name]
		if !known {
			probs = append(probs, Problem{p.Name, Unknown, "not a parameter of this header"})
			continue
		}
		if _, dup := vals.lookup(name); dup {
			probs = append(probs, Problem{p.Name, Duplicate, "appears more than once; the first is used"})
			continue
		}
		if vals.n < maxKnown { // always: a spec has fewer names
			vals.kv[vals.n].name, vals.kv[vals.n].value = name, p.Value
			vals.n++
		}
		switch {
		case q == quotedForm && !p.Quoted:
			probs = append(probs, Problem{p.Name, Quoting, "sent as a token, RFC 7616 says quoted-string"})
		case q == tokenForm && p.Quoted:
			probs = append(probs, Problem{p.Name, Quoting, "sent quoted, RFC 7616 says token"})
		}
	}
	return probs
}

// lowerASCII is strings.ToLower without a copy when s has no upper-case
// or non-ASCII byte.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || ('A' <= c && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}

// Challenge is a Digest challenge from a WWW-Authenticate or
// Proxy-Authenticate field (RFC 7616 3.3).
type Challenge struct {
	Realm     string
	Domain    string
	Nonce     string
	Opaque    string
	Stale     bool
	Algorithm Algorithm // 0 when the name is not one the reference knows
	// AlgorithmName is the algorithm parameter as sent ("" when absent,
	// which means MD5).
	AlgorithmName string
	QOP           []string // the offered qop values, in order; nil when absent
	Charset       string
	Userhash      bool
	// AKAKeys is true when the challenge carries ck or ik (which must never
	// reach the UE, TS 33.203 6.1.1 SM6).
	AKAKeys  bool
	Problems []Problem
	Raw      Auth
}

// ParseChallenge interprets a Digest challenge. Only a non-Digest scheme
// is an error; everything else wrong is listed in Problems.
func ParseChallenge(a Auth) (Challenge, error) {
	if !a.IsDigest() {
		return Challenge{}, ErrNotDigest
	}
	var v paramVals
	probs := challengeParams.collect(a, &v)
	c := Challenge{
		Realm: v.get("realm"), Domain: v.get("domain"), Nonce: v.get("nonce"), Opaque: v.get("opaque"),
		Charset: v.get("charset"), Raw: a, AlgorithmName: v.get("algorithm"),
	}
	_, ck := v.lookup("ck")
	_, ik := v.lookup("ik")
	c.AKAKeys = ck || ik
	for _, req := range []string{"realm", "nonce"} {
		if _, ok := v.lookup(req); !ok {
			probs = append(probs, Problem{req, Missing, "a Digest challenge must carry it (RFC 7616 3.3)"})
		}
	}
	if alg, ok := ParseAlgorithm(c.AlgorithmName); ok {
		c.Algorithm = alg
	} else {
		probs = append(probs, Problem{"algorithm", BadValue, fmt.Sprintf("unknown algorithm %q", clip(c.AlgorithmName))})
	}
	if s, ok := v.lookup("stale"); ok {
		c.Stale, probs = parseBool("stale", s, probs)
	}
	if s, ok := v.lookup("userhash"); ok {
		c.Userhash, probs = parseBool("userhash", s, probs)
	}
	if q, ok := v.lookup("qop"); ok {
		for _, item := range strings.Split(q, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			if !isToken(item) {
				probs = append(probs, Problem{"qop", BadValue, fmt.Sprintf("%q is not a token", clip(item))})
				continue
			}
			c.QOP = append(c.QOP, item)
		}
		if c.QOP == nil {
			c.QOP = []string{}
			probs = append(probs, Problem{"qop", BadValue, "empty list"})
		}
	}
	c.Problems = probs
	return c, nil
}

// Offers reports whether the challenge offers the qop value (compared
// case-insensitively).
func (c Challenge) Offers(qop string) bool {
	for _, q := range c.QOP {
		if strings.EqualFold(q, qop) {
			return true
		}
	}
	return false
}

// Auth formats the challenge in RFC 7616's preferred form.
func (c Challenge) Auth() Auth {
	a := Auth{Scheme: "Digest"}
	add := func(name, v string, quoted bool) {
		if v != "" {
			a.Params = append(a.Params, Param{name, v, quoted})
		}
	}
	add("realm", c.Realm, true)
	add("domain", c.Domain, true)
	add("nonce", c.Nonce, true)
	add("opaque", c.Opaque, true)
	if c.Stale {
		add("stale", "true", false)
	}
	if c.Algorithm != 0 {
		add("algorithm", c.Algorithm.String(), false)
	} else {
		add("algorithm", c.AlgorithmName, false)
	}
	if len(c.QOP) > 0 {
		add("qop", strings.Join(c.QOP, ","), true)
	}
	add("charset", c.Charset, false)
	if c.Userhash {
		add("userhash", "true", false)
	}
	return a
}

// Credentials are Digest credentials from an Authorization or
// Proxy-Authorization field (RFC 7616 3.4, RFC 3261 22.4, RFC 3310 3.4).
type Credentials struct {
	// Username is the username parameter, or the decoded username*
	// (RFC 7616 3.4.4). With Userhash it is H(username ":" realm).
	Username      string
	Realm         string
	Nonce         string
	URI           string
	Response      string
	Algorithm     Algorithm // 0 when the name is not one the reference knows
	AlgorithmName string    // as sent; "" means MD5
	CNonce        string
	Opaque        string
	QOP           string
	NC            string
	Userhash      bool
	AUTS          string // AKA resynchronisation token (RFC 3310 3.4)
	Problems      []Problem
	Raw           Auth
}

// ParseCredentials interprets Digest credentials. Only a non-Digest scheme
// is an error; everything else wrong is listed in Problems, and Validate
// says whether the credentials can be verified at all.
func ParseCredentials(a Auth) (Credentials, error) {
	if !a.IsDigest() {
		return Credentials{}, ErrNotDigest
	}
	var v paramVals
	probs := credentialParams.collect(a, &v)
	c := Credentials{
		Username: v.get("username"), Realm: v.get("realm"), Nonce: v.get("nonce"), URI: v.get("uri"),
		Response: v.get("response"), AlgorithmName: v.get("algorithm"), CNonce: v.get("cnonce"),
		Opaque: v.get("opaque"), QOP: v.get("qop"), NC: v.get("nc"), AUTS: v.get("auts"), Raw: a,
	}
	if star, ok := v.lookup("username*"); ok {
		if _, plain := v.lookup("username"); plain {
			probs = append(probs, Problem{"username*", Duplicate, "username and username* must not both be sent (RFC 7616 3.4)"})
		} else if u, err := decodeExtValue(star); err != nil {
			probs = append(probs, Problem{"username*", BadValue, err.Error()})
		} else {
			c.Username = u
		}
	}
	if alg, ok := ParseAlgorithm(c.AlgorithmName); ok {
		c.Algorithm = alg
	} else {
		probs = append(probs, Problem{"algorithm", BadValue, fmt.Sprintf("unknown algorithm %q", clip(c.AlgorithmName))})
	}
	if s, ok := v.lookup("userhash"); ok {
		c.Userhash, probs = parseBool("userhash", s, probs)
	}
	if c.NC != "" && !isNC(c.NC) {
		probs = append(probs, Problem{"nc", BadValue, fmt.Sprintf("%q is not 8 hex digits", clip(c.NC))})
	}
	if c.QOP != "" && !strings.EqualFold(c.QOP, "auth") && !strings.EqualFold(c.QOP, "auth-int") {
		probs = append(probs, Problem{"qop", BadValue, fmt.Sprintf("%q is neither auth nor auth-int", clip(c.QOP))})
	}
	if _, ok := v.lookup("uri"); ok && !strings.ContainsAny(c.URI, ":/") && c.URI != "*" {
		probs = append(probs, Problem{"uri", BadValue, fmt.Sprintf("%q is not a URI", clip(c.URI))})
	}
	c.Problems = probs
	return c, nil
}

// Validate returns a *ParamError naming the first parameter that makes the
// credentials impossible to verify: a missing username, realm, nonce, uri
// or response; a response that is not hex of the algorithm's length; qop
// without cnonce or nc; an nc that is not 8 hex digits; an unknown qop or
// algorithm.
func (c Credentials) Validate() error {
	has := func(name string) bool { _, ok := c.Raw.Get(name); return ok }
	for _, req := range []string{"realm", "nonce", "uri", "response"} {
		if !has(req) {
			return &ParamError{req, "missing"}
		}
	}
	if !has("username") && !has("username*") {
		return &ParamError{"username", "missing"}
	}
	if c.Username == "" && has("username*") {
		return &ParamError{"username*", "cannot be decoded (RFC 8187)"}
	}
	if c.Algorithm == 0 {
		return &ParamError{"algorithm", fmt.Sprintf("unknown algorithm %q", clip(c.AlgorithmName))}
	}
	if n := 2 * c.Algorithm.Hash().Size(); len(c.Response) != n || !isHex(c.Response) {
		return &ParamError{"response", fmt.Sprintf("%q is not %d hex digits (%s)", clip(c.Response), n, c.Algorithm)}
	}
	if c.Algorithm.Sess() && !has("cnonce") {
		return &ParamError{"cnonce", "missing although the algorithm is " + c.Algorithm.String() + " (RFC 7616 3.4.2)"}
	}
	if c.QOP != "" {
		if !strings.EqualFold(c.QOP, "auth") && !strings.EqualFold(c.QOP, "auth-int") {
			return &ParamError{"qop", fmt.Sprintf("%q is neither auth nor auth-int", clip(c.QOP))}
		}
		if !has("cnonce") {
			return &ParamError{"cnonce", "missing although qop is present (RFC 7616 3.4)"}
		}
		if !has("nc") {
			return &ParamError{"nc", "missing although qop is present (RFC 7616 3.4)"}
		}
		if !isNC(c.NC) {
			return &ParamError{"nc", fmt.Sprintf("%q is not 8 hex digits", clip(c.NC))}
		}
	}
	return nil
}

// NCValue returns the nonce-count as a number, or false when it is absent
// or malformed.
func (c Credentials) NCValue() (uint32, bool) {
	if !isNC(c.NC) {
		return 0, false
	}
	n, err := strconv.ParseUint(c.NC, 16, 32)
	return uint32(n), err == nil
}

// Input returns the values the response is computed over, given the
// request method and entity body and the real username (which differs
// from c.Username only with userhash).
func (c Credentials) Input(username, method string, body []byte) Input {
	return Input{
		Algorithm: c.Algorithm, Username: username, Realm: c.Realm, Nonce: c.Nonce,
		CNonce: c.CNonce, NC: c.NC, QOP: c.QOP, Method: method, URI: c.URI, Body: body,
	}
}

// Auth formats the credentials in RFC 7616's preferred form.
func (c Credentials) Auth() Auth {
	a := Auth{Scheme: "Digest"}
	add := func(name, v string, quoted bool) {
		if v != "" {
			a.Params = append(a.Params, Param{name, v, quoted})
		}
	}
	add("username", c.Username, true)
	add("realm", c.Realm, true)
	add("nonce", c.Nonce, true)
	add("uri", c.URI, true)
	add("response", c.Response, true)
	if c.Algorithm != 0 {
		add("algorithm", c.Algorithm.String(), false)
	}
	add("cnonce", c.CNonce, true)
	add("opaque", c.Opaque, true)
	add("qop", c.QOP, false)
	add("nc", c.NC, false)
	if c.Userhash {
		add("userhash", "true", false)
	}
	add("auts", c.AUTS, true)
	return a
}

// AuthInfo is an Authentication-Info or Proxy-Authentication-Info field
// (RFC 7616 3.5, RFC 7615).
type AuthInfo struct {
	NextNonce string
	QOP       string
	RspAuth   string
	CNonce    string
	NC        string
	Problems  []Problem
	Raw       Auth
}

// ParseAuthInfo interprets a parsed Authentication-Info field value (see
// ParseParams).
func ParseAuthInfo(a Auth) AuthInfo {
	var v paramVals
	probs := authInfoParams.collect(a, &v)
	ai := AuthInfo{NextNonce: v.get("nextnonce"), QOP: v.get("qop"), RspAuth: v.get("rspauth"), CNonce: v.get("cnonce"), NC: v.get("nc"), Raw: a}
	if ai.NC != "" && !isNC(ai.NC) {
		probs = append(probs, Problem{"nc", BadValue, fmt.Sprintf("%q is not 8 hex digits", clip(ai.NC))})
	}
	ai.Problems = probs
	return ai
}

// Auth formats the Authentication-Info parameters (Scheme empty).
func (ai AuthInfo) Auth() Auth {
	var a Auth
	add := func(name, v string, quoted bool) {
		if v != "" {
			a.Params = append(a.Params, Param{name, v, quoted})
		}
	}
	add("nextnonce", ai.NextNonce, true)
	add("qop", ai.QOP, false)
	add("rspauth", ai.RspAuth, true)
	add("cnonce", ai.CNonce, true)
	add("nc", ai.NC, false)
	return a
}

// ParseBasic decodes Basic credentials (RFC 7617): base64 of
// user-id ":" password. The password is returned so a caller can check it
// for weakness; it must never be stored or printed.
func ParseBasic(a Auth) (username string, password []byte, err error) {
	if !a.IsBasic() {
		return "", nil, ErrNotBasic
	}
	if a.Token68 == "" {
		return "", nil, &ParamError{"token68", "Basic credentials without the base64 user-pass"}
	}
	raw, err := base64.StdEncoding.DecodeString(a.Token68)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(a.Token68, "="))
		if err != nil {
			return "", nil, &ParamError{"token68", "not base64"}
		}
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", nil, &ParamError{"token68", "no colon between user-id and password"}
	}
	return user, []byte(pass), nil
}

func parseBool(name, s string, probs []Problem) (bool, []Problem) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, probs
	case strings.EqualFold(s, "false"):
		return false, probs
	}
	return false, append(probs, Problem{name, BadValue, fmt.Sprintf("%q is neither true nor false", clip(s))})
}

// decodeExtValue decodes an RFC 8187 ext-value: charset'lang'pct-encoded.
func decodeExtValue(s string) (string, error) {
	charset, rest, ok := strings.Cut(s, "'")
	if !ok {
		return "", errors.New("not charset'language'value (RFC 8187)")
	}
	_, enc, ok := strings.Cut(rest, "'")
	if !ok {
		return "", errors.New("not charset'language'value (RFC 8187)")
	}
	if !strings.EqualFold(charset, "UTF-8") {
		return "", fmt.Errorf("charset %q is not UTF-8", charset)
	}
	v, err := url.PathUnescape(enc)
	if err != nil {
		return "", errors.New("bad percent-encoding")
	}
	if !utf8.ValidString(v) {
		return "", errors.New("not UTF-8")
	}
	return v, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isNC(s string) bool { return len(s) == 8 && isHex(s) }

// clip shortens attacker-controlled text quoted in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
