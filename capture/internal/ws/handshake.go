package ws

import "bytes"

// MaxHandshake is the largest handshake head, in bytes including the blank
// line that ends it, that UpgradeRequest and UpgradeResponse accept.
const MaxHandshake = 16 << 10

// UpgradeRequest reports whether b starts with an HTTP/1.1 request asking to
// upgrade to WebSocket (RFC 6455 section 4.1): request line
// "GET <target> HTTP/1.1", an Upgrade header listing "websocket" and a
// Connection header containing the token "upgrade" (names, values and tokens
// compared case-insensitively). Other headers, such as
// Sec-WebSocket-Protocol: sip (RFC 7118), are not checked.
//
// n is the length of the request head including the blank line that ends
// it. ok reports an upgrade request. When the head is complete and
// well-formed but not an upgrade request, n is its length and ok is false;
// when b does not start with a well-formed request head, n is 0.
//
// need is true when b has no blank line yet, len(b) < MaxHandshake and b is a
// prefix of something that might still become an upgrade request; the caller
// should retry with more bytes. When need is false and ok is false, b does not
// start with an upgrade request.
//
// Lines may end in CRLF or bare LF. Whitespace around header names, values
// and list elements is ignored, obsolete line folding (continuation lines
// starting with a space or tab) is accepted, and control characters other than
// tab make the head invalid.
func UpgradeRequest(b []byte) (n int, ok bool, need bool) {
	return parseHead(b, false)
}

// UpgradeResponse reports whether b starts with an HTTP/1.1 server response
// accepting a WebSocket upgrade (RFC 6455 section 4.2.2): status line
// "HTTP/1.1 101" followed by an optional reason phrase, and an Upgrade header
// listing "websocket". To stay useful to a passive observer it does not
// require the Connection header or check Sec-WebSocket-Accept.
//
// The results n, ok and need, and the accepted syntax variations, are as for
// UpgradeRequest.
func UpgradeResponse(b []byte) (n int, ok bool, need bool) {
	return parseHead(b, true)
}

// Header kinds tracked while parsing a handshake head.
const (
	hdrNone = iota
	hdrOther
	hdrUpgrade
	hdrConnection
)

// parseHead implements UpgradeRequest (resp false) and UpgradeResponse
// (resp true).
func parseHead(b []byte, resp bool) (n int, ok bool, need bool) {
	lim := b
	if len(lim) > MaxHandshake {
		lim = lim[:MaxHandshake]
	}
	var upgrade, connection bool
	cur := hdrNone // header the previous line belonged to, for folding
	pos := 0
	first := true
	for {
		i := bytes.IndexByte(lim[pos:], '\n')
		if i < 0 {
			// Incomplete line: can it still become part of a valid head?
			ln := trimCR(lim[pos:])
			if hasCTL(ln) {
				return 0, false, false
			}
			if first && !startLineOK(ln, resp, true) {
				return 0, false, false
			}
			if !first && len(ln) > 0 && isWS(ln[0]) && cur == hdrNone {
				return 0, false, false
			}
			if len(b) >= MaxHandshake {
				return 0, false, false
			}
			return 0, false, true
		}
		ln := trimCR(lim[pos : pos+i])
		pos += i + 1
		if hasCTL(ln) {
			return 0, false, false
		}
		if first {
			if !startLineOK(ln, resp, false) {
				return 0, false, false
			}
			first = false
			continue
		}
		if len(ln) == 0 {
			return pos, upgrade && (resp || connection), false
		}
		var value []byte
		if isWS(ln[0]) {
			// Obsolete line folding: continues the previous header's value.
			if cur == hdrNone {
				return 0, false, false
			}
			value = ln
		} else {
			colon := bytes.IndexByte(ln, ':')
			if colon < 0 {
				return 0, false, false
			}
			name := trimWS(ln[:colon])
			if len(name) == 0 {
				return 0, false, false
			}
			switch {
			case equalFold(name, "upgrade"):
				cur = hdrUpgrade
			case equalFold(name, "connection"):
				cur = hdrConnection
			default:
				cur = hdrOther
			}
			value = ln[colon+1:]
		}
		switch cur {
		case hdrUpgrade:
			if !upgrade && hasToken(value, "websocket", true) {
				upgrade = true
			}
		case hdrConnection:
			if !connection && hasToken(value, "upgrade", false) {
				connection = true
			}
		}
	}
}

// startLineOK checks a request line (resp false) or status line (resp true).
// With partial set, ln may be an incomplete line and startLineOK reports
// whether it can still be completed into a valid one.
func startLineOK(ln []byte, resp, partial bool) bool {
	if len(ln) > 0 && isWS(ln[0]) {
		return false
	}
	fields := 0
	i := 0
	for i < len(ln) {
		for i < len(ln) && isWS(ln[i]) {
			i++
		}
		if i == len(ln) {
			break
		}
		j := i
		for j < len(ln) && !isWS(ln[j]) {
			j++
		}
		if !startFieldOK(ln[i:j], fields, resp, partial && j == len(ln)) {
			return false
		}
		fields++
		i = j
	}
	switch {
	case partial:
		return true
	case resp:
		return fields >= 2
	default:
		return fields == 3
	}
}

// startFieldOK checks field number idx of a start line. With prefix set, the
// field may be incomplete and only has to be a prefix of the expected value.
func startFieldOK(f []byte, idx int, resp, prefix bool) bool {
	var want string
	if resp {
		switch idx {
		case 0:
			want = "HTTP/1.1"
		case 1:
			want = "101"
		default:
			return true // reason phrase
		}
	} else {
		switch idx {
		case 0:
			want = "GET"
		case 1:
			return true // request target
		case 2:
			want = "HTTP/1.1"
		default:
			return false
		}
	}
	if prefix {
		return len(f) <= len(want) && string(f) == want[:len(f)]
	}
	return string(f) == want
}

// hasToken reports whether the comma-separated list v contains tok,
// compared case-insensitively. With slash set, a "/version" suffix on list
// elements is ignored (as in Upgrade: websocket/13).
func hasToken(v []byte, tok string, slash bool) bool {
	for len(v) > 0 {
		var t []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			t, v = v[:i], v[i+1:]
		} else {
			t, v = v, nil
		}
		if slash {
			if i := bytes.IndexByte(t, '/'); i >= 0 {
				t = t[:i]
			}
		}
		if equalFold(trimWS(t), tok) {
			return true
		}
	}
	return false
}

// equalFold reports whether b equals the lower-case ASCII string s, ignoring
// ASCII case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

func isWS(c byte) bool { return c == ' ' || c == '\t' }

// trimWS removes leading and trailing spaces and tabs.
func trimWS(b []byte) []byte {
	for len(b) > 0 && isWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// trimCR removes one trailing carriage return.
func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// hasCTL reports whether b contains an ASCII control character other than tab.
func hasCTL(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}
