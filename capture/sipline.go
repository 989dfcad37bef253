package capture

import "bytes"

// StartLine is the first line of a SIP message.
type StartLine struct {
	// Method is the request method as written ("INVITE"), empty for a
	// response.
	Method string
	// StatusCode is the response status code, 0 for a request.
	StatusCode int
}

// IsRequest reports whether the line is a Request-Line.
func (s StartLine) IsRequest() bool { return s.Method != "" }

// ParseStartLine parses the first line of b as a SIP Request-Line or
// Status-Line (RFC 3261 7.1, 7.2). Leading CRLFs are skipped as RFC 3261
// 7.5 allows. ok is false when b does not start with a SIP start line.
func ParseStartLine(b []byte) (sl StartLine, ok bool) {
	method, code, ok := classifyLine(firstLine(skipCRLF(b)))
	if !ok {
		return sl, false
	}
	if code != 0 {
		return StartLine{StatusCode: code}, true
	}
	return StartLine{Method: methodString(method)}, true
}

// methodString returns method as a string, without allocating for the
// methods of RFC 3261 and its extensions.
func methodString(m []byte) string {
	switch string(m) {
	case "INVITE":
		return "INVITE"
	case "ACK":
		return "ACK"
	case "BYE":
		return "BYE"
	case "CANCEL":
		return "CANCEL"
	case "REGISTER":
		return "REGISTER"
	case "OPTIONS":
		return "OPTIONS"
	case "SUBSCRIBE":
		return "SUBSCRIBE"
	case "NOTIFY":
		return "NOTIFY"
	case "REFER":
		return "REFER"
	case "MESSAGE":
		return "MESSAGE"
	case "INFO":
		return "INFO"
	case "PRACK":
		return "PRACK"
	case "UPDATE":
		return "UPDATE"
	case "PUBLISH":
		return "PUBLISH"
	}
	return string(m)
}

// maxStartLine bounds how far a start line is looked for.
const maxStartLine = 8 << 10

// skipCRLF drops the CR and LF bytes that may precede a start line
// (RFC 3261 7.5; keep-alives of RFC 5626 4.4.1).
func skipCRLF(b []byte) []byte {
	i := 0
	for i < len(b) && (b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return b[i:]
}

// classifyLine reports whether line (without its line ending) is a SIP
// start line. For a request it returns the method, for a response the
// status code.
//
//	Request-Line = Method SP Request-URI SP SIP-Version
//	Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase
//
// SIP-Version is matched case-insensitively ("SIP" is a quoted string in
// the RFC 3261 25.1 ABNF, and those are case-insensitive).
//
// A line holding a control character (other than HTAB) is not a start
// line: neither a Request-URI nor a Reason-Phrase may contain one.
func classifyLine(line []byte) (method []byte, code int, ok bool) {
	for _, c := range line {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return nil, 0, false
		}
	}
	if len(line) >= 11 && isSIPVersion(line[:7]) && line[7] == ' ' {
		c := line[8:11]
		if !isDigit(c[0]) || !isDigit(c[1]) || !isDigit(c[2]) {
			return nil, 0, false
		}
		if len(line) > 11 && line[11] != ' ' {
			return nil, 0, false
		}
		code = int(c[0]-'0')*100 + int(c[1]-'0')*10 + int(c[2]-'0')
		if code < 100 {
			return nil, 0, false
		}
		return nil, code, true
	}
	if len(line) < 13 || !isSIPVersion(line[len(line)-7:]) || line[len(line)-8] != ' ' {
		return nil, 0, false
	}
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 || sp+1 >= len(line)-8 { // no method, or no Request-URI
		return nil, 0, false
	}
	for _, c := range line[:sp] {
		if !isTokenChar(c) {
			return nil, 0, false
		}
	}
	uri := line[sp+1 : len(line)-8]
	if len(uri) == 0 || bytes.IndexByte(uri, ' ') >= 0 {
		return nil, 0, false
	}
	return line[:sp], 0, true
}

func isSIPVersion(b []byte) bool {
	return len(b) == 7 && b[0]|0x20 == 's' && b[1]|0x20 == 'i' && b[2]|0x20 == 'p' &&
		b[3] == '/' && b[4] == '2' && b[5] == '.' && b[6] == '0'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isTokenChar reports whether c may appear in an RFC 3261 25.1 token.
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~':
		return true
	}
	return false
}

// findStartLine looks for the first complete line of b that is a SIP
// start line; b must begin at a line boundary. It returns the line's
// offset, or -1 and keep: the offset from which bytes must be kept
// because they may still become a start line once more bytes arrive (the
// beginning of the last, incomplete line).
func findStartLine(b []byte) (at, keep int) {
	pos := 0
	for pos < len(b) {
		i := bytes.Index(b[pos:], sipVersion)
		if i < 0 {
			break
		}
		i += pos
		ls := bytes.LastIndexByte(b[:i], '\n') + 1
		le := bytes.IndexByte(b[i:], '\n')
		if le < 0 {
			return -1, ls
		}
		le += i
		if _, _, ok := classifyLine(firstLine(b[ls:le])); ok {
			return ls, ls
		}
		pos = i + len(sipVersion)
	}
	return -1, bytes.LastIndexByte(b, '\n') + 1
}

var sipVersion = []byte("SIP/2.0")

// headerEnd returns the length of the header section of msg, the blank
// line included, or -1 when it is not complete. Both CRLF and bare LF
// line endings are accepted.
func headerEnd(msg []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(msg[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		if i < len(msg) && msg[i] == '\n' {
			return i + 1
		}
		if i+1 < len(msg) && msg[i] == '\r' && msg[i+1] == '\n' {
			return i + 2
		}
		if i >= len(msg) {
			return -1
		}
	}
}

// contentLength returns the value of the Content-Length (or compact "l")
// header in the header section hdr. found is false when there is none;
// valid is false when its value is not a number.
func contentLength(hdr []byte) (n int, found, valid bool) {
	for len(hdr) > 0 {
		e := bytes.IndexByte(hdr, '\n')
		var line []byte
		if e < 0 {
			line, hdr = hdr, nil
		} else {
			line, hdr = hdr[:e], hdr[e+1:]
		}
		c := bytes.IndexByte(line, ':')
		if c < 0 {
			continue
		}
		name := bytes.TrimRight(line[:c], " \t")
		if !(len(name) == 1 && name[0]|0x20 == 'l') && !bytes.EqualFold(name, []byte("Content-Length")) {
			continue
		}
		v := bytes.TrimSpace(line[c+1:])
		if len(v) == 0 || len(v) > 9 {
			return 0, true, false
		}
		n = 0
		for _, d := range v {
			if !isDigit(d) {
				return 0, true, false
			}
			n = n*10 + int(d-'0')
		}
		return n, true, true
	}
	return 0, false, true
}

// firstLine returns b up to its first line end, CR or LF (a bare CR ends
// a line for Wireshark too), or nil when b has no line end within
// maxStartLine bytes.
func firstLine(b []byte) []byte {
	for i, c := range b {
		if c == '\r' || c == '\n' {
			return b[:i]
		}
		if i >= maxStartLine {
			return nil
		}
	}
	if len(b) > maxStartLine {
		return nil
	}
	return b
}
