package digest

import (
	"fmt"
	"strings"
)

// MaxHeaderLen is the longest field value Parse accepts. SIP messages are
// capped well below this by the capture layer; the cap here keeps the
// parser's work bounded when it is called on its own.
const MaxHeaderLen = 64 << 10

// maxParams caps the auth-params of one field value.
const maxParams = 256

// Param is one auth-param as it appeared on the wire: the name as written,
// the value with quotes removed and escapes resolved, and whether it was a
// quoted-string.
type Param struct {
	Name   string
	Value  string
	Quoted bool
}

// Auth is one challenge (WWW-Authenticate, Proxy-Authenticate) or one set
// of credentials (Authorization, Proxy-Authorization), or the parameter
// list of an Authentication-Info field (which has no scheme). It keeps
// every parameter in order, duplicates and unknown ones included, so that
// nothing the peer sent is lost; the typed views (Challenge, Credentials,
// AuthInfo) interpret it.
type Auth struct {
	Scheme  string // as written; compare with strings.EqualFold
	Token68 string // the token68 form (Basic credentials), if used
	Params  []Param
}

// Get returns the value of the first parameter called name (compared
// case-insensitively, RFC 7235 2.1) and whether it was present.
func (a Auth) Get(name string) (string, bool) {
	for _, p := range a.Params {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return "", false
}

// IsDigest reports whether the scheme is Digest (case-insensitive).
func (a Auth) IsDigest() bool { return strings.EqualFold(a.Scheme, "Digest") }

// IsBasic reports whether the scheme is Basic (case-insensitive).
func (a Auth) IsBasic() bool { return strings.EqualFold(a.Scheme, "Basic") }

// String formats a as a field value: the scheme, then either the token68
// or the parameters separated by ", ". A parameter is written quoted when
// it arrived quoted or when its value is not a token.
func (a Auth) String() string {
	var b strings.Builder
	b.WriteString(a.Scheme)
	if a.Token68 != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.Token68)
		return b.String()
	}
	for i, p := range a.Params {
		switch {
		case i > 0:
			b.WriteString(", ")
		case b.Len() > 0:
			b.WriteByte(' ')
		}
		b.WriteString(p.Name)
		b.WriteByte('=')
		if p.Quoted || !isToken(p.Value) {
			writeQuoted(&b, p.Value)
		} else {
			b.WriteString(p.Value)
		}
	}
	return b.String()
}

// SyntaxError is a field value that cannot be parsed. Offset is the byte
// offset in the field value where parsing stopped; Param names the
// parameter being read, if any.
type SyntaxError struct {
	Offset int
	Param  string
	Msg    string
}

func (e *SyntaxError) Error() string {
	if e.Param != "" {
		return fmt.Sprintf("parameter %s: %s (at byte %d)", e.Param, e.Msg, e.Offset)
	}
	return fmt.Sprintf("%s (at byte %d)", e.Msg, e.Offset)
}

// Parse reads one WWW-Authenticate, Proxy-Authenticate, Authorization or
// Proxy-Authorization field value (RFC 7235 section 2.1, RFC 3261 25.1),
// which may hold several challenges separated by commas:
//
//	Digest realm="a", nonce="x", algorithm=SHA-256, Digest realm="a", ...
//
// Scheme and parameter names are kept as written. Values may be tokens or
// quoted-strings with backslash escapes. An unquoted value is read up to
// the next comma and kept even when it is not a strict token (real
// clients write uri=sip:host unquoted); the typed views report that as a
// Problem. Parse returns a *SyntaxError when the value cannot be split
// into challenges: an unterminated quoted-string, a parameter without
// "=", a missing scheme, or a value longer than MaxHeaderLen.
func Parse(value string) ([]Auth, error) {
	if len(value) > MaxHeaderLen {
		return nil, &SyntaxError{Offset: MaxHeaderLen, Msg: fmt.Sprintf("field value of %d bytes is too long", len(value))}
	}
	p := parser{s: value}
	var out []Auth
	nparams := 0
	for {
		p.skipListSep()
		if p.eof() {
			break
		}
		start := p.i
		scheme := p.token()
		if scheme == "" {
			return out, p.errf("", "expected an auth-scheme, found %q", p.peekRune())
		}
		a := Auth{Scheme: scheme}
		if p.i < len(p.s) && p.s[p.i] == '=' {
			p.i = start
			return out, p.errf(scheme, "parameter before any auth-scheme")
		}
		hadSpace := p.skipWS()
		if p.eof() || p.s[p.i] == ',' {
			out = append(out, a)
			continue
		}
		if !hadSpace {
			return out, p.errf("", "expected a space after auth-scheme %q", scheme)
		}
		if t, ok := p.token68(); ok {
			a.Token68 = t
			out = append(out, a)
			continue
		}
		// auth-params until the next scheme or the end.
		for {
			if nparams++; nparams > maxParams {
				return out, p.errf("", "more than %d parameters", maxParams)
			}
			prm, err := p.param()
			if err != nil {
				return out, err
			}
			if a.Params == nil {
				// One allocation for the parameters: at most one per '='.
				a.Params = make([]Param, 0, min(strings.Count(p.s[p.i:], "=")+1, maxParams))
			}
			a.Params = append(a.Params, prm)
			p.skipWS()
			if p.eof() {
				break
			}
			if p.s[p.i] != ',' {
				return out, p.errf(prm.Name, "expected a comma after the value, found %q", p.peekRune())
			}
			p.skipListSep()
			if p.eof() || !p.nextIsParam() {
				break
			}
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, &SyntaxError{Msg: "empty field value"}
	}
	return out, nil
}

// ParseParams reads a bare list of auth-params, as in an
// Authentication-Info or Proxy-Authentication-Info field value (RFC 7615
// section 3), which has no scheme. The result has an empty Scheme.
func ParseParams(value string) (Auth, error) {
	if len(value) > MaxHeaderLen {
		return Auth{}, &SyntaxError{Offset: MaxHeaderLen, Msg: fmt.Sprintf("field value of %d bytes is too long", len(value))}
	}
	p := parser{s: value}
	var a Auth
	for {
		p.skipListSep()
		if p.eof() {
			return a, nil
		}
		if len(a.Params) >= maxParams {
			return a, p.errf("", "more than %d parameters", maxParams)
		}
		prm, err := p.param()
		if err != nil {
			return a, err
		}
		a.Params = append(a.Params, prm)
		p.skipWS()
		if !p.eof() && p.s[p.i] != ',' {
			return a, p.errf(prm.Name, "expected a comma after the value, found %q", p.peekRune())
		}
	}
}

type parser struct {
	s string
	i int
}

func (p *parser) eof() bool { return p.i >= len(p.s) }

func (p *parser) peekRune() string {
	if p.eof() {
		return "end of value"
	}
	return p.s[p.i : p.i+1]
}

func (p *parser) errf(param, format string, args ...any) error {
	return &SyntaxError{Offset: p.i, Param: param, Msg: fmt.Sprintf(format, args...)}
}

// skipWS skips spaces, tabs and folded line ends (LWS, RFC 3261 25.1) and
// reports whether it skipped anything.
func (p *parser) skipWS() bool {
	start := p.i
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return p.i > start
		}
	}
	return p.i > start
}

// skipListSep skips whitespace and commas (empty list elements are
// allowed, RFC 7230 7).
func (p *parser) skipListSep() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n', ',':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) token() string {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// token68 reads a token68 (RFC 7235 2.1) if that is what follows: its
// characters, optional "=" padding, then the end of the value or a comma.
// Otherwise it leaves the position unchanged.
func (p *parser) token68() (string, bool) {
	start := p.i
	j := p.i
	for j < len(p.s) && isToken68char(p.s[j]) {
		j++
	}
	if j == start {
		return "", false
	}
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	k := j
	for k < len(p.s) && (p.s[k] == ' ' || p.s[k] == '\t') {
		k++
	}
	if k < len(p.s) && p.s[k] != ',' {
		return "", false
	}
	if k < len(p.s) {
		// "realm, nonce=..." is a parameter without a value, not a
		// token68: a token68 stands alone (RFC 7235 2.1).
		q := parser{s: p.s, i: k}
		q.skipListSep()
		if !q.eof() && q.nextIsParam() {
			return "", false
		}
	}
	// "name=" with nothing after it is a token68 with padding, but
	// "name=value" was rejected above because value follows.
	p.i = j
	return p.s[start:j], true
}

// nextIsParam reports whether the text at the position is "token =" (a
// further auth-param) rather than the start of a new challenge.
func (p *parser) nextIsParam() bool {
	j := p.i
	for j < len(p.s) && isTchar(p.s[j]) {
		j++
	}
	if j == p.i {
		return true // not a token at all: let param() report it
	}
	for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t' || p.s[j] == '\r' || p.s[j] == '\n') {
		j++
	}
	return j < len(p.s) && p.s[j] == '='
}

func (p *parser) param() (Param, error) {
	name := p.token()
	if name == "" {
		return Param{}, p.errf("", "expected a parameter name, found %q", p.peekRune())
	}
	p.skipWS()
	if p.eof() || p.s[p.i] != '=' {
		return Param{}, p.errf(name, "expected \"=\", found %q", p.peekRune())
	}
	p.i++
	p.skipWS()
	if p.eof() {
		return Param{Name: name}, p.errf(name, "missing value")
	}
	if p.s[p.i] == '"' {
		v, err := p.quoted(name)
		return Param{Name: name, Value: v, Quoted: true}, err
	}
	// Lenient unquoted value: up to the next comma, trailing space
	// trimmed. Typed views flag values that are not tokens.
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != '"' {
		if c := p.s[p.i]; c == ' ' || c == '\t' {
			// "realm=a nonce=b": a missing comma, not one value.
			q := parser{s: p.s, i: p.i}
			q.skipWS()
			if !q.eof() && isTchar(q.s[q.i]) && q.nextIsParam() {
				break
			}
		}
		p.i++
	}
	v := strings.TrimRight(p.s[start:p.i], " \t\r\n")
	if v == "" {
		return Param{Name: name}, p.errf(name, "missing value")
	}
	if p.i < len(p.s) && p.s[p.i] == '"' {
		return Param{Name: name}, p.errf(name, "stray quote in unquoted value")
	}
	return Param{Name: name, Value: v}, nil
}

// quoted reads a quoted-string with quoted-pair escapes (RFC 3261 25.1).
func (p *parser) quoted(name string) (string, error) {
	open := p.i
	p.i++ // opening quote
	start := p.i
	simple := true
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '"':
			v := p.s[start:p.i]
			p.i++
			if simple {
				return v, nil
			}
			return unescape(v), nil
		case '\\':
			simple = false
			p.i += 2
		default:
			p.i++
		}
	}
	p.i = open
	return "", p.errf(name, "unterminated quoted-string")
}

func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func writeQuoted(b *strings.Builder, v string) {
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
}

// isTchar reports whether c is a token character (RFC 3261 25.1 token,
// which also allows the RFC 7230 tchar set minus a few).
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~', '#', '$', '&', '^', '|':
		return true
	}
	return false
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

func isToken68char(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '+', '/':
		return true
	}
	return false
}

// Redacted returns a copy of a with the values of parameters that carry
// secrets replaced: ck and ik (AKA session keys a P-CSCF must strip, TS
// 33.203 6.1.1 SM6). Use it whenever a header is shown.
func (a Auth) Redacted() Auth {
	out := a
	out.Params = append([]Param(nil), a.Params...)
	for i, p := range out.Params {
		if strings.EqualFold(p.Name, "ck") || strings.EqualFold(p.Name, "ik") {
			out.Params[i].Value = "<withheld>"
			out.Params[i].Quoted = true
		}
	}
	return out
}
