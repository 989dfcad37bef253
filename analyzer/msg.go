package analyzer

import (
	"strconv"
	"strings"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
)

// AuthKind identifies the authentication header fields.
type AuthKind uint8

// The authentication header fields (RFC 3261 20.5, 20.27, 20.28, 20.44;
// RFC 7615 for Proxy-Authentication-Info).
const (
	WWWAuthenticate AuthKind = iota + 1
	ProxyAuthenticate
	Authorization
	ProxyAuthorization
	AuthenticationInfo
	ProxyAuthenticationInfo
)

var authNames = [...]string{
	WWWAuthenticate: "WWW-Authenticate", ProxyAuthenticate: "Proxy-Authenticate",
	Authorization: "Authorization", ProxyAuthorization: "Proxy-Authorization",
	AuthenticationInfo: "Authentication-Info", ProxyAuthenticationInfo: "Proxy-Authentication-Info",
}

func (k AuthKind) String() string {
	if int(k) < len(authNames) && authNames[k] != "" {
		return authNames[k]
	}
	return "unknown"
}

// AuthField is one authentication header field of a message, its value
// as sent.
type AuthField struct {
	Kind  AuthKind
	Value string
}

// Msg is what the analyzer reads of a SIP message. It is filled by a
// lenient scanner that needs only the start line and the header fields it
// reads, so that a message sipgo rejects (one bad header fails the whole
// message there) is still correlated. Its strings share one copy of the
// message, made by ScanMsg: a Msg stays valid after the capture callback
// returns, and whoever keeps a field for long should strings.Clone it so
// as not to pin the whole message.
type Msg struct {
	Request    bool
	Method     string // request method
	RequestURI string
	Status     int // response status code

	CallID     string
	CSeq       uint32
	CSeqMethod string
	// Branch and SentBy are the topmost Via's branch parameter and
	// sent-by (host[:port]); Vias counts the Via values.
	Branch string
	SentBy string
	Vias   int

	FromURI, FromTag string
	// FromDisplay is the From display name, unquoted (scanners put
	// their name there).
	FromDisplay  string
	ToURI, ToTag string
	UserAgent    string
	Expires      int // the Expires header, -1 when absent
	Contacts     []string
	ContentType  string
	Event        string
	// SubscriptionState is the Subscription-State header (RFC 6665).
	SubscriptionState string
	// PAssociatedURIs and PAssertedIdentities are the IMS headers of RFC
	// 7315 and RFC 3325, one URI per element.
	PAssociatedURIs     []string
	PAssertedIdentities []string
	Auth                []AuthField
	Body                string

	text string  // the whole message
	pre  preAuth // see prepare
	// txn is the hash of the transaction key (txnHash), 0 until computed.
	txn uint64
	// the dialog keys (dialogHashes)
	dlgDone        bool
	dlgFrom, dlgTo uint64
}

// ScanMsg reads a SIP message leniently: the start line, then every
// header field (with line folding and compact forms), stopping at the
// empty line; the rest is the body. ok is false when the start line is not
// SIP. Values that cannot be read (a CSeq without a number, say) are left
// empty rather than failing the message. It makes one copy of the
// message; every string of the Msg is part of it.
func ScanMsg(raw []byte) (Msg, bool) {
	m := Msg{Expires: -1}
	sl, ok := capture.ParseStartLine(raw)
	if !ok {
		return m, false
	}
	m.scan(sl, string(raw))
	return m, true
}

// scan fills m from text, whose start line is sl. Its strings are parts
// of text, which is not copied: the analyzer scans a view of the capture
// buffer and clones what it keeps. The slices of m are reused.
func (m *Msg) scan(sl capture.StartLine, text string) {
	*m = Msg{
		Expires: -1, text: text,
		Contacts: m.Contacts[:0], Auth: m.Auth[:0],
		PAssociatedURIs: m.PAssociatedURIs[:0], PAssertedIdentities: m.PAssertedIdentities[:0],
		pre: preAuth{chs: [2][]digest.Challenge{m.pre.chs[0][:0], m.pre.chs[1][:0]}},
	}
	end := strings.IndexByte(text, '\n')
	if end < 0 {
		end = len(text)
	}
	if sl.IsRequest() {
		m.Request, m.Method = true, sl.Method
		line := strings.TrimRight(text[:end], "\r")
		if _, rest, ok := strings.Cut(line, " "); ok {
			m.RequestURI, _, _ = strings.Cut(strings.TrimLeft(rest, " "), " ")
		}
	} else {
		m.Status = sl.StatusCode
	}
	rest := text[min(end+1, len(text)):]
	var lower [32]byte
	for len(rest) > 0 {
		// One logical header line: physical lines joined while the next
		// starts with a space or tab (RFC 3261 7.3.1 folding).
		n, next := logicalLine(rest)
		hdr := rest[:n]
		rest = rest[next:]
		if len(strings.TrimSpace(hdr)) == 0 {
			break // the empty line: the body follows
		}
		colon := strings.IndexByte(hdr, ':')
		if colon <= 0 {
			continue
		}
		name := strings.TrimSpace(hdr[:colon])
		if len(name) > len(lower) {
			continue // no header the analyzer reads is this long
		}
		for i := 0; i < len(name); i++ {
			c := name[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[i] = c
		}
		id := headerID(lower[:len(name)])
		if id == 0 {
			continue
		}
		m.header(id, unfold(hdr[colon+1:]))
	}
	m.Body = rest
}

// The header fields the analyzer reads.
const (
	hCallID = iota + 1
	hCSeq
	hVia
	hFrom
	hTo
	hUserAgent
	hExpires
	hContact
	hContentType
	hEvent
	hSubscriptionState
	hPAssociatedURI
	hPAssertedIdentity
	hWWWAuthenticate
	hProxyAuthenticate
	hAuthorization
	hProxyAuthorization
	hAuthenticationInfo
	hProxyAuthenticationInfo
)

// headerID returns the id of a lower-case header name the analyzer
// reads, with the compact forms of RFC 3261 7.3.3 (and later RFCs), or 0.
// A switch on the length first: cheaper than a map per header line.
func headerID(n []byte) int {
	switch len(n) {
	case 1:
		switch n[0] {
		case 'i':
			return hCallID
		case 'v':
			return hVia
		case 'f':
			return hFrom
		case 't':
			return hTo
		case 'm':
			return hContact
		case 'c':
			return hContentType
		case 'o':
			return hEvent
		}
	case 2:
		if string(n) == "to" {
			return hTo
		}
	case 3:
		if string(n) == "via" {
			return hVia
		}
	case 4:
		switch string(n) {
		case "cseq":
			return hCSeq
		case "from":
			return hFrom
		}
	case 5:
		if string(n) == "event" {
			return hEvent
		}
	case 7:
		switch string(n) {
		case "call-id":
			return hCallID
		case "expires":
			return hExpires
		case "contact":
			return hContact
		}
	case 10:
		if string(n) == "user-agent" {
			return hUserAgent
		}
	case 12:
		if string(n) == "content-type" {
			return hContentType
		}
	case 13:
		if string(n) == "authorization" {
			return hAuthorization
		}
	case 16:
		switch string(n) {
		case "www-authenticate":
			return hWWWAuthenticate
		case "p-associated-uri":
			return hPAssociatedURI
		}
	case 18:
		switch string(n) {
		case "subscription-state":
			return hSubscriptionState
		case "proxy-authenticate":
			return hProxyAuthenticate
		}
	case 19:
		switch string(n) {
		case "p-asserted-identity":
			return hPAssertedIdentity
		case "proxy-authorization":
			return hProxyAuthorization
		case "authentication-info":
			return hAuthenticationInfo
		}
	case 25:
		if string(n) == "proxy-authentication-info" {
			return hProxyAuthenticationInfo
		}
	}
	return 0
}

// logicalLine returns the length of the logical line at the start of b
// (without its line end) and the offset of the next one. A physical line
// that starts with a space or tab continues the previous one (RFC 3261
// 7.3.1); an empty first line is the end of the header section.
func logicalLine(b string) (n, next int) {
	i := 0
	for {
		j := strings.IndexByte(b[i:], '\n')
		if j < 0 {
			return len(b), len(b)
		}
		end := i + j
		next = end + 1
		if i == 0 && len(strings.TrimRight(b[:end], "\r")) == 0 {
			return end, next
		}
		if next < len(b) && (b[next] == ' ' || b[next] == '\t') {
			i = next
			continue
		}
		return end, next
	}
}

// unfold turns a folded value into one line: every CRLF followed by
// whitespace becomes a single space (RFC 3261 7.3.1). Unfolded values are
// returned as they are, without a copy.
func unfold(v string) string {
	s := strings.TrimSpace(v)
	if strings.IndexByte(s, '\n') < 0 && strings.IndexByte(s, '\r') < 0 {
		return s
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' || c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

func (m *Msg) header(id int, value string) {
	switch id {
	case hCallID:
		if m.CallID == "" {
			m.CallID = value
		}
	case hCSeq:
		num, method, _ := strings.Cut(value, " ")
		if n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 32); err == nil {
			m.CSeq = uint32(n)
		}
		m.CSeqMethod = upper(strings.TrimSpace(method))
	case hVia:
		// Only the topmost via-parm is read; the others are counted.
		if m.Vias == 0 {
			first := value
			if i := strings.IndexByte(value, ','); i >= 0 {
				first = value[:i]
			}
			m.SentBy, m.Branch = parseVia(strings.TrimSpace(first))
		}
		m.Vias += 1 + strings.Count(value, ",")
	case hFrom:
		if m.FromURI == "" {
			m.FromURI, m.FromTag = nameAddr(value)
			m.FromDisplay = displayName(value)
		}
	case hTo:
		if m.ToURI == "" {
			m.ToURI, m.ToTag = nameAddr(value)
		}
	case hUserAgent:
		m.UserAgent = value
	case hExpires:
		if n, err := strconv.Atoi(value); err == nil && n >= 0 {
			m.Expires = n
		}
	case hContact:
		if strings.IndexByte(value, ',') < 0 {
			m.Contacts = append(m.Contacts, value)
		} else {
			m.Contacts = append(m.Contacts, splitList(value)...)
		}
	case hContentType:
		m.ContentType = value
	case hEvent:
		m.Event = value
	case hSubscriptionState:
		m.SubscriptionState = value
	case hPAssociatedURI:
		for _, v := range splitList(value) {
			u, _ := nameAddr(v)
			m.PAssociatedURIs = append(m.PAssociatedURIs, u)
		}
	case hPAssertedIdentity:
		for _, v := range splitList(value) {
			u, _ := nameAddr(v)
			m.PAssertedIdentities = append(m.PAssertedIdentities, u)
		}
	case hWWWAuthenticate:
		m.Auth = append(m.Auth, AuthField{WWWAuthenticate, value})
	case hProxyAuthenticate:
		m.Auth = append(m.Auth, AuthField{ProxyAuthenticate, value})
	case hAuthorization:
		m.Auth = append(m.Auth, AuthField{Authorization, value})
	case hProxyAuthorization:
		m.Auth = append(m.Auth, AuthField{ProxyAuthorization, value})
	case hAuthenticationInfo:
		m.Auth = append(m.Auth, AuthField{AuthenticationInfo, value})
	case hProxyAuthenticationInfo:
		m.Auth = append(m.Auth, AuthField{ProxyAuthenticationInfo, value})
	}
}

// AuthValues returns the values of the fields of one kind, in order.
func (m *Msg) AuthValues(k AuthKind) []string {
	var out []string
	for _, f := range m.Auth {
		if f.Kind == k {
			out = append(out, f.Value)
		}
	}
	return out
}

// splitList splits a header value at commas outside quotes and angle
// brackets (RFC 3261 7.3.1 combined field values).
func splitList(v string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<':
			depth++
		case c == '>' && depth > 0:
			depth--
		case c == ',' && depth == 0:
			if s := strings.TrimSpace(v[start:i]); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(v[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// parseVia returns the sent-by and branch of one via-parm:
// "SIP/2.0/UDP host:port;branch=z9hG4bK...;rport".
func parseVia(v string) (sentBy, branch string) {
	_, rest, ok := strings.Cut(v, " ")
	if !ok {
		return "", ""
	}
	rest = strings.TrimSpace(rest)
	sentBy, params, _ := strings.Cut(rest, ";")
	sentBy = strings.TrimSpace(sentBy)
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, val, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "branch") {
			branch = strings.TrimSpace(val)
		}
	}
	return sentBy, branch
}

// nameAddr returns the URI and tag parameter of a From or To value, in
// name-addr or addr-spec form (RFC 3261 20.20, 20.39).
func nameAddr(v string) (uri, tag string) {
	params := ""
	if lt := indexUnquoted(v, '<'); lt >= 0 {
		gt := strings.IndexByte(v[lt:], '>')
		if gt < 0 {
			return strings.TrimSpace(v[lt+1:]), ""
		}
		uri = v[lt+1 : lt+gt]
		params = v[lt+gt+1:]
	} else {
		// addr-spec: the header parameters start at the first ';'
		// (RFC 3261 20.10: URI parameters need angle brackets).
		uri, params, _ = strings.Cut(v, ";")
	}
	for more := true; more; {
		var p string
		p, params, more = strings.Cut(params, ";")
		k, val, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "tag") {
			tag = strings.TrimSpace(val)
		}
	}
	return strings.TrimSpace(uri), tag
}

// displayName returns the display-name of a name-addr (RFC 3261 25.1),
// without its quotes; "" for an addr-spec.
func displayName(v string) string {
	lt := indexUnquoted(v, '<')
	if lt <= 0 {
		return ""
	}
	d := strings.TrimSpace(v[:lt])
	if len(d) >= 2 && d[0] == '"' && d[len(d)-1] == '"' {
		d = d[1 : len(d)-1]
	}
	return d
}

func indexUnquoted(s string, c byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case quoted && s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && s[i] == c:
			return i
		}
	}
	return -1
}

// upper returns s in upper case, without a copy when it already is.
func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}
