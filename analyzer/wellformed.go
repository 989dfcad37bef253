package analyzer

import "bytes"

// This file holds wellFormed, a fast pre-check that spares the sipgo parse
// (the malformed count) for ordinary messages.
//
// It accepts a restricted grammar, every form of which was checked against
// the source of sipgo v1.7.2 (parser.go, parse_header.go, parse_address.go,
// parse_uri.go, parse_via.go, parse_params.go):
//
//	message     = start-line *header-line EOL body
//	EOL         = CRLF when the start line ends with CRLF (sipgo's own
//	              line splitting: every CR must be followed by LF), else LF
//	              (bare LF line ends: sipgo fails on raw and Counter.Parse
//	              retries with crlfHeaders), in which case no header line
//	              may hold a CR, and a response no CR at all
//	start-line  = method SP uri SP "SIP/2.0"           (method = 1*UPALPHA)
//	            / "SIP/2.0" SP 3DIGIT SP reason-phrase
//	header-line = token *WSP ":" value                 (no folding)
//
// Headers with a sipgo parser must hold:
//
//	Via, v         1#( "SIP/2.0/" 1*ALNUM SP host [":" port] *(";" token ["=" vvalue]) )
//	From, f, To, t, Referred-By
//	               address
//	Contact, m     "*" / 1#address
//	Route, Record-Route, Refer-To
//	               1#address
//	Call-ID, i, Content-Type, c
//	               anything whose first and last bytes are visible ASCII
//	CSeq           1*10DIGIT (at most 2^31-1) WSP 1*tokenchar
//	Max-Forwards, Content-Length, l
//	               1*9DIGIT
//	address        ( [display] "<" uri ">" / bare-uri ) hparams
//	display        quoted-string / 1*(token / WSP / non-ASCII)
//	uri            ("sip" / "sips") ":" [userinfo "@"] (hostname / "[" IPv6 "]")
//	               [":" 1*5DIGIT] [(";" / "?") params]
//	               / ALPHA-scheme ":" 1*uric         (tel:, urn:, ...: sipgo keeps them raw)
//
// and the message must carry Via, From, To, Call-ID and CSeq, and at least
// Content-Length bytes of body. All other headers are generic (sipgo only
// needs their colon).

// wfDefaultMax is the message size wellFormed allows: sipgo's default
// MaxMessageLength. A Counter built with a smaller maxMessage must use
// wellFormedMax.
const wfDefaultMax = 65535

// wellFormed reports whether raw is certainly not malformed in the sense of
// (*Counter).Parse: when it returns true, Parse must succeed (for a Counter
// whose maxMessage is at least wfDefaultMax, as capture.DefaultLimits'
// is). When it returns false nothing is known (the caller then runs
// sipgo). It does not allocate.
func wellFormed(raw []byte) bool { return wellFormedMax(raw, wfDefaultMax) }

// Character classes.
const (
	wfTok   uint16 = 1 << iota // token: ALNUM -.!%*_+`'~
	wfHost                     // hostname: ALNUM -._
	wfUser                     // userinfo and URI params/headers: ALNUM -_.!~*'()%&=+$/:;?
	wfUserB                    // userinfo of a bare URI: wfUser without ; and ?
	wfIP6                      // inside [ ]: HEXDIG : .
	wfDisp                     // unquoted display name: token, SP, HT, non-ASCII
	wfQd                       // inside a quoted string: VCHAR but " and \, SP, HT, non-ASCII
	wfHPar                     // address header params outside quotes: token ;=:/@[]?&$() SP HT
	wfVPar                     // Via param value: token : [ ]
	wfDigit                    // 0-9
	wfVis                      // visible ASCII
	wfAlnum                    // ALNUM
	wfRaw                      // other schemes' part: wfUser and @
	wfRawB                     // other schemes' part in a bare URI: wfUserB and @
)

var wfClass = func() (t [256]uint16) {
	set := func(c uint16, s string) {
		for i := 0; i < len(s); i++ {
			t[s[i]] |= c
		}
	}
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	set(wfAlnum, alnum)
	set(wfDigit, "0123456789")
	set(wfTok, alnum+"-.!%*_+`'~")
	set(wfHost, alnum+"-._")
	set(wfUser|wfRaw, alnum+"-_.!~*'()%&=+$/:;?")
	set(wfUserB|wfRawB, alnum+"-_.!~*'()%&=+$/:")
	set(wfRaw|wfRawB, "@")
	set(wfIP6, "0123456789abcdefABCDEF:.")
	set(wfDisp, alnum+"-.!%*_+`'~ \t")
	set(wfHPar, alnum+"-.!%*_+`'~;=:/@[]?&$() \t")
	set(wfVPar, alnum+"-.!%*_+`'~:[]")
	for c := 0x20; c < 0x7f; c++ {
		if c != '"' && c != '\\' {
			t[c] |= wfQd
		}
		if c != ' ' {
			t[c] |= wfVis
		}
	}
	t['\t'] |= wfQd
	for c := 0x80; c < 0x100; c++ {
		t[c] |= wfDisp | wfQd
	}
	return t
}()

// Which sipgo parser a header name selects.
const (
	wfGeneric = iota
	wfVia
	wfFrom
	wfTo
	wfCallID
	wfCSeq
	wfContact
	wfRouteList // Route, Record-Route, Refer-To: 1#address
	wfReferredBy
	wfMaxFwd
	wfCLen
	wfCType
)

// wfEq reports whether name, made only of token characters, equals the
// lower-case lower ignoring ASCII case (for token characters c|0x20 only
// folds letters).
func wfEq(name []byte, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// wfKind returns the parser sipgo uses for the header name (token
// characters only).
func wfKind(name []byte) int {
	switch len(name) {
	case 1:
		switch name[0] | 0x20 {
		case 'v':
			return wfVia
		case 'f':
			return wfFrom
		case 't':
			return wfTo
		case 'i':
			return wfCallID
		case 'm':
			return wfContact
		case 'l':
			return wfCLen
		case 'c':
			return wfCType
		}
	case 2:
		if wfEq(name, "to") {
			return wfTo
		}
	case 3:
		if wfEq(name, "via") {
			return wfVia
		}
	case 4:
		if wfEq(name, "from") {
			return wfFrom
		}
		if wfEq(name, "cseq") {
			return wfCSeq
		}
	case 5:
		if wfEq(name, "route") {
			return wfRouteList
		}
	case 7:
		if wfEq(name, "call-id") {
			return wfCallID
		}
		if wfEq(name, "contact") {
			return wfContact
		}
	case 8:
		if wfEq(name, "refer-to") {
			return wfRouteList
		}
	case 11:
		if wfEq(name, "referred-by") {
			return wfReferredBy
		}
	case 12:
		if wfEq(name, "content-type") {
			return wfCType
		}
		if wfEq(name, "max-forwards") {
			return wfMaxFwd
		}
		if wfEq(name, "record-route") {
			return wfRouteList
		}
	case 14:
		if wfEq(name, "content-length") {
			return wfCLen
		}
	}
	return wfGeneric
}

// Bits of the mandatory headers seen.
const (
	wfHaveVia = 1 << iota
	wfHaveFrom
	wfHaveTo
	wfHaveCallID
	wfHaveCSeq
	wfHaveAll = wfHaveVia | wfHaveFrom | wfHaveTo | wfHaveCallID | wfHaveCSeq
)

// wellFormedMax is wellFormed for a Counter whose maxMessage is max.
func wellFormedMax(raw []byte, max int) bool {
	if len(raw) > max {
		return false
	}
	// Line ends. When the start line ends with CRLF, Parse keeps sipgo's
	// parse of raw, which splits lines at each CR (which must be followed
	// by LF). When it ends with a bare LF, Parse uses crlfHeaders(raw),
	// whose lines are raw's LF-separated lines (less one trailing CR),
	// provided sipgo fails on raw: it does when raw holds no CR at all, and
	// for a request when no header line holds one, as the first CR then
	// comes after the Via line, whose space leaves sipgo a start line that
	// is neither a request line nor a status line.
	nl := bytes.IndexByte(raw, '\n')
	if nl < 1 {
		return false
	}
	crlf := raw[nl-1] == '\r'
	if !crlf && bytes.HasPrefix(raw, []byte("SIP/")) && bytes.IndexByte(raw, '\r') >= 0 {
		return false // a status line
	}
	pos, lines := 0, 0
	// next returns the next line and moves pos past it.
	next := func() ([]byte, bool) {
		rest := raw[pos:]
		if crlf {
			i := bytes.IndexByte(rest, '\r')
			if i < 0 || i+1 >= len(rest) || rest[i+1] != '\n' {
				return nil, false
			}
			pos += i + 2
			return rest[:i], true
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return nil, false
		}
		pos += i + 1
		lines++
		line := rest[:i]
		if bytes.IndexByte(line, '\r') >= 0 {
			// Only the empty line may be CRLF.
			return nil, len(line) == 1
		}
		return line, true
	}
	line, ok := next()
	if !ok || !wfStartLine(line) {
		return false
	}
	have := 0
	clen := -1
	for {
		line, ok = next()
		if !ok {
			return false
		}
		if len(line) == 0 {
			break
		}
		// Header name: token, optional WSP, colon. A line starting with
		// WSP would be folded into the previous one.
		n := 0
		for n < len(line) && wfClass[line[n]]&wfTok != 0 {
			n++
		}
		if n == 0 {
			return false
		}
		name := line[:n]
		for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
			n++
		}
		if n >= len(line) || line[n] != ':' {
			return false
		}
		kind := wfKind(name)
		if kind == wfGeneric {
			continue
		}
		v := wfTrim(line[n+1:])
		if len(v) == 0 {
			return false
		}
		switch kind {
		case wfVia:
			if !wfViaValue(v) {
				return false
			}
			have |= wfHaveVia
		case wfFrom:
			if !wfAddrList(v, false) {
				return false
			}
			have |= wfHaveFrom
		case wfTo:
			if !wfAddrList(v, false) {
				return false
			}
			have |= wfHaveTo
		case wfReferredBy:
			if !wfAddrList(v, false) {
				return false
			}
		case wfContact:
			if !(len(v) == 1 && v[0] == '*') && !wfAddrList(v, true) {
				return false
			}
		case wfRouteList:
			if !wfAddrList(v, true) {
				return false
			}
		case wfCallID:
			if !wfVisEnds(v) {
				return false
			}
			have |= wfHaveCallID
		case wfCType:
			if !wfVisEnds(v) {
				return false
			}
		case wfCSeq:
			if !wfCSeqValue(v) {
				return false
			}
			have |= wfHaveCSeq
		case wfMaxFwd:
			if wfNumber(v) < 0 {
				return false
			}
		case wfCLen:
			if clen = wfNumber(v); clen < 0 {
				return false
			}
		}
	}
	if have != wfHaveAll {
		return false
	}
	// crlfHeaders adds a CR to each line of the header section.
	if !crlf && len(raw)+lines > max {
		return false
	}
	return clen <= len(raw)-pos
}

// wfTrim trims SP and HT from both ends.
func wfTrim(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// wfVisEnds reports whether v starts and ends with visible ASCII, so that
// it stays non-empty under any trimming of white space.
func wfVisEnds(v []byte) bool {
	return len(v) > 0 && wfClass[v[0]]&wfVis != 0 && wfClass[v[len(v)-1]]&wfVis != 0
}

// wfNumber returns the value of 1 to 9 digits, or -1.
func wfNumber(v []byte) int {
	if len(v) == 0 || len(v) > 9 {
		return -1
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// wfCSeqValue checks "1*10DIGIT WSP 1*tokenchar" with a number of at most
// 2^31-1.
func wfCSeqValue(v []byte) bool {
	i, n := 0, 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		n = n*10 + int(v[i]-'0')
		i++
		if i > 10 {
			return false
		}
	}
	if i == 0 || n > 1<<31-1 || i+1 >= len(v) || (v[i] != ' ' && v[i] != '\t') {
		return false
	}
	for _, c := range v[i+1:] {
		if wfClass[c]&wfTok == 0 {
			return false
		}
	}
	return true
}

// wfStartLine checks a request line (method SP uri SP SIP/2.0) or a status
// line (SIP/2.0 SP 3DIGIT SP reason).
func wfStartLine(l []byte) bool {
	const ver = "SIP/2.0"
	if len(l) > 12 && string(l[:8]) == ver+" " {
		if l[11] != ' ' || l[8] < '1' || l[8] > '6' || l[9] < '0' || l[9] > '9' || l[10] < '0' || l[10] > '9' {
			return false
		}
		// sipgo takes a reason without a space that starts with "sip" or
		// "SIP" for the version of a request line.
		reason := l[12:]
		if len(reason) >= 3 && bytes.IndexByte(reason, ' ') < 0 && wfEq(reason[:3], "sip") {
			return false
		}
		return bytes.IndexByte(reason, '\n') < 0
	}
	i := 0
	for i < len(l) && l[i] >= 'A' && l[i] <= 'Z' {
		i++
	}
	if i == 0 || i >= len(l) || l[i] != ' ' {
		return false
	}
	j := wfURI(l, i+1, true)
	return j > 0 && j < len(l) && l[j] == ' ' && string(l[j+1:]) == ver
}

// wfURI parses a URI at b[i:] and returns the index after it, or -1. A full
// URI (request line, inside < >) may have params and headers; a bare one
// (an address without < >, which sipgo ends at the first ';') may not. The
// caller checks the byte that ends it.
//
// sipgo finds the userinfo by the first '@' or '[' of the whole URI; every
// byte accepted after the host is also a userinfo byte, so when the
// userinfo scan below stops at anything but '@', what follows is either
// the end of the URI or a byte that makes the caller reject it.
func wfURI(b []byte, i int, full bool) int {
	s := i
	for i < len(b) && (b[i]|0x20 >= 'a' && b[i]|0x20 <= 'z') {
		i++
	}
	if i == s || i >= len(b) || b[i] != ':' {
		return -1
	}
	scheme := b[s:i]
	i++
	if !wfEq(scheme, "sip") && !wfEq(scheme, "sips") {
		// sipgo keeps other schemes' part raw.
		m := wfRawB
		if full {
			m = wfRaw
		}
		j := i
		for j < len(b) && wfClass[b[j]]&m != 0 {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
	m := wfUserB
	if full {
		m = wfUser
	}
	j := i
	for j < len(b) && wfClass[b[j]]&m != 0 {
		j++
	}
	if j < len(b) && b[j] == '@' {
		if j == i {
			return -1
		}
		i = j + 1
	}
	// Host.
	if i < len(b) && b[i] == '[' {
		j = i + 1
		for j < len(b) && wfClass[b[j]]&wfIP6 != 0 {
			j++
		}
		// sipgo looks for ']' within 42 bytes of '['.
		if j >= len(b) || b[j] != ']' || j-i-1 < 2 || j-i-1 > 39 {
			return -1
		}
		i = j + 1
	} else {
		j = i
		for j < len(b) && wfClass[b[j]]&wfHost != 0 {
			j++
		}
		if j == i {
			return -1
		}
		i = j
	}
	// Port.
	if i < len(b) && b[i] == ':' {
		j = i + 1
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == i+1 || j-i-1 > 5 {
			return -1
		}
		i = j
	}
	// Params and headers: sipgo never fails on them.
	if full && i < len(b) && (b[i] == ';' || b[i] == '?') {
		for i < len(b) && wfClass[b[i]]&wfUser != 0 {
			i++
		}
	}
	return i
}

// wfAddrList checks an address, or with list a comma-separated list of
// them, filling v (trimmed).
func wfAddrList(v []byte, list bool) bool {
	i := 0
	for {
		i = wfAddr(v, i, list)
		if i < 0 {
			return false
		}
		if i == len(v) {
			return true
		}
		i++ // the comma
	}
}

// wfAddr parses one address at v[i:] and returns the index after it (the
// end of v or, with list, a comma), or -1.
func wfAddr(v []byte, i int, list bool) int {
	start := i
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	if i >= len(v) {
		return -1
	}
	switch c := v[i]; {
	case c == '"':
		// Quoted display name. sipgo's Contact and Route splitters do not
		// know escapes, so these are only taken in a single address.
		i++
		for i < len(v) && v[i] != '"' {
			if v[i] == '\\' && !list && i+1 < len(v) && v[i+1] >= 0x20 && v[i+1] < 0x7f {
				i += 2
				continue
			}
			if wfClass[v[i]]&wfQd == 0 {
				return -1
			}
			i++
		}
		if i >= len(v) {
			return -1
		}
		i++
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i >= len(v) || v[i] != '<' {
			return -1
		}
	case c != '<':
		j := i
		for j < len(v) && wfClass[v[j]]&wfDisp != 0 {
			j++
		}
		if j < len(v) && v[j] == '<' {
			i = j // unquoted display name
			break
		}
		// A bare URI, which sipgo ends at the first ';'. sipgo does not
		// trim it: it must start the address (a list's next address
		// starts right after the comma, and a space would be taken for
		// the scheme) and be followed by exactly ';', the comma or the
		// end (a port followed by a space would fail).
		if i != start {
			return -1
		}
		i = wfURI(v, i, false)
		if i < 0 {
			return -1
		}
		if i < len(v) && v[i] != ';' && !(list && v[i] == ',') {
			return -1
		}
		return wfHParams(v, i, list)
	}
	// v[i] == '<'
	j := wfURI(v, i+1, true)
	if j < 0 || j >= len(v) || v[j] != '>' {
		return -1
	}
	return wfHParams(v, j+1, list)
}

// wfHParams skips an address's header params (sipgo never fails on them)
// up to the end of v or, with list, a comma outside quotes; -1 when they
// hold a byte that could confuse sipgo's splitters.
func wfHParams(v []byte, i int, list bool) int {
	for i < len(v) {
		c := v[i]
		switch {
		case c == '"':
			i++
			for i < len(v) && v[i] != '"' {
				if wfClass[v[i]]&wfQd == 0 {
					return -1
				}
				i++
			}
			if i >= len(v) {
				return -1
			}
		case c == ',':
			if list {
				return i
			}
			return -1
		case wfClass[c]&wfHPar == 0:
			return -1
		}
		i++
	}
	return i
}

// wfViaValue checks a Via value: 1#("SIP/2.0/" transport SP host [":"
// port] *(";" token ["=" value])).
func wfViaValue(v []byte) bool {
	i := 0
	for {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if len(v)-i < 8 || string(v[i:i+8]) != "SIP/2.0/" {
			return false
		}
		i += 8
		j := i
		for j < len(v) && wfClass[v[j]]&wfAlnum != 0 {
			j++
		}
		if j == i || j >= len(v) || v[j] != ' ' {
			return false
		}
		i = j + 1
		if i < len(v) && v[i] == '[' {
			j = i + 1
			for j < len(v) && wfClass[v[j]]&wfIP6 != 0 {
				j++
			}
			if j >= len(v) || v[j] != ']' || j-i-1 < 2 {
				return false
			}
			i = j + 1
		} else {
			j = i
			for j < len(v) && wfClass[v[j]]&wfHost != 0 {
				j++
			}
			if j == i {
				return false
			}
			i = j
		}
		if i < len(v) && v[i] == ':' {
			j = i + 1
			for j < len(v) && v[j] >= '0' && v[j] <= '9' {
				j++
			}
			if j == i+1 || j-i-1 > 5 {
				return false
			}
			i = j
		}
		for i < len(v) && v[i] == ';' {
			i++
			j = i
			for j < len(v) && wfClass[v[j]]&wfTok != 0 {
				j++
			}
			if j == i {
				return false
			}
			i = j
			if i < len(v) && v[i] == '=' {
				i++
				j = i
				for j < len(v) && wfClass[v[j]]&wfVPar != 0 {
					j++
				}
				if j == i {
					return false
				}
				i = j
			}
		}
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i == len(v) {
			return true
		}
		if v[i] != ',' {
			return false
		}
		i++
	}
}
