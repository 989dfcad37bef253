package pcapgen

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Payload is anything a capture can carry as transport payload.
// *Message payloads are also counted in Capture.Want.
type Payload interface {
	Bytes() []byte
}

// Raw is a Payload of literal bytes; it is never counted as SIP.
type Raw []byte

// Bytes returns r.
func (r Raw) Bytes() []byte { return r }

// Header is one SIP header line.
type Header struct {
	Name, Value string
}

// Message is a SIP request or response. Bytes renders it with CRLF line
// endings and a Content-Length header computed from Body.
type Message struct {
	// Method and RequestURI are set for requests.
	Method, RequestURI string
	// StatusCode and Reason are set for responses (Method is empty).
	StatusCode int
	Reason     string
	// Headers are written in order. They must not include Content-Length,
	// which Bytes appends as the last header.
	Headers []Header
	// Body is the message body.
	Body []byte
	// CompactLength writes the Content-Length header in compact form,
	// "l: N".
	CompactLength bool
}

// IsRequest reports whether m is a request.
func (m *Message) IsRequest() bool { return m.Method != "" }

// Bytes renders m: start line, headers, Content-Length, blank line, body.
func (m *Message) Bytes() []byte {
	var b strings.Builder
	if m.IsRequest() {
		fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", m.Method, m.RequestURI)
	} else {
		fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", m.StatusCode, m.Reason)
	}
	for _, h := range m.Headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	if m.CompactLength {
		fmt.Fprintf(&b, "l: %d\r\n\r\n", len(m.Body))
	} else {
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(m.Body))
	}
	return append([]byte(b.String()), m.Body...)
}

// Get returns the value of the first header named name (case-insensitive),
// or "".
func (m *Message) Get(name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// Set replaces the value of the first header named name
// (case-insensitive), or appends the header if there is none. It returns m.
func (m *Message) Set(name, value string) *Message {
	for i, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			m.Headers[i].Value = value
			return m
		}
	}
	m.Headers = append(m.Headers, Header{name, value})
	return m
}

// Clone returns a deep copy of m.
func (m *Message) Clone() *Message {
	c := *m
	c.Headers = append([]Header(nil), m.Headers...)
	c.Body = append([]byte(nil), m.Body...)
	return &c
}

// compactNames maps header names to their RFC 3261 compact forms.
var compactNames = map[string]string{
	"via": "v", "from": "f", "to": "t", "call-id": "i", "contact": "m",
	"content-type": "c", "subject": "s", "supported": "k", "content-encoding": "e",
}

// Compact returns a copy of m that uses compact header names (v, f, t, i,
// m, c, s, k, e) and "l:" for Content-Length.
func (m *Message) Compact() *Message {
	c := m.Clone()
	for i, h := range c.Headers {
		if s, ok := compactNames[strings.ToLower(h.Name)]; ok {
			c.Headers[i].Name = s
		}
	}
	c.CompactLength = true
	return c
}

// Counts holds SIP message counts the way expected.json stores them:
// requests by method, responses by status code (as a decimal string).
type Counts struct {
	Requests  map[string]int `json:"requests"`
	Responses map[string]int `json:"responses"`
}

// Add counts m once.
func (c *Counts) Add(m *Message) {
	if c.Requests == nil {
		c.Requests = map[string]int{}
	}
	if c.Responses == nil {
		c.Responses = map[string]int{}
	}
	if m.IsRequest() {
		c.Requests[m.Method]++
	} else {
		c.Responses[strconv.Itoa(m.StatusCode)]++
	}
}

// Total returns the number of messages counted.
func (c Counts) Total() int {
	n := 0
	for _, v := range c.Requests {
		n += v
	}
	for _, v := range c.Responses {
		n += v
	}
	return n
}

// UA is a SIP user agent: its identity and the address it sends from.
type UA struct {
	// User and Domain make the address-of-record sip:User@Domain.
	User, Domain string
	// Addr is the host address and port used in Via and Contact.
	Addr netip.AddrPort
	// Transport is the Via transport token: UDP, TCP, TLS, SCTP or WS;
	// empty means UDP.
	Transport string
}

// AOR returns the user's address-of-record URI, sip:User@Domain.
func (u UA) AOR() string { return "sip:" + u.User + "@" + u.Domain }

func (u UA) transport() string {
	if u.Transport == "" {
		return "UDP"
	}
	return strings.ToUpper(u.Transport)
}

// hostport renders the UA's address for Via and Contact, with IPv6
// addresses in brackets.
func (u UA) hostport() string {
	return netip.AddrPortFrom(u.Addr.Addr().Unmap(), u.Addr.Port()).String()
}

// Contact returns the UA's Contact header value.
func (u UA) Contact() string {
	s := "<sip:" + u.User + "@" + u.hostport()
	if t := u.transport(); t != "UDP" {
		s += ";transport=" + strings.ToLower(t)
	}
	return s + ">"
}

// Via returns a Via header value for this UA with the given branch.
func (u UA) Via(branch string) string {
	return "SIP/2.0/" + u.transport() + " " + u.hostport() + ";branch=" + branch + ";rport"
}

// token returns a deterministic hex token of n characters derived from
// parts.
func token(n int, parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(h[:])[:n]
}

// Branch returns the deterministic RFC 3261 branch used for a request
// with this Call-ID, CSeq number and method.
func Branch(callID string, cseq int, method string) string {
	return "z9hG4bK" + token(12, "branch", callID, strconv.Itoa(cseq), method)
}

// Tag returns the deterministic From/To tag of user in call callID.
func Tag(callID, user string) string { return token(8, "tag", callID, user) }

// NewRequest returns a request from ua to requestURI with Via, Max-Forwards,
// From (tagged), To (toURI, untagged), Call-ID, CSeq, Contact and
// User-Agent headers.
func NewRequest(method string, ua UA, requestURI, toURI, callID string, cseq int) *Message {
	return &Message{
		Method:     method,
		RequestURI: requestURI,
		Headers: []Header{
			{"Via", ua.Via(Branch(callID, cseq, method))},
			{"Max-Forwards", "70"},
			{"From", "<" + ua.AOR() + ">;tag=" + Tag(callID, ua.User)},
			{"To", "<" + toURI + ">"},
			{"Call-ID", callID},
			{"CSeq", fmt.Sprintf("%d %s", cseq, method)},
			{"Contact", ua.Contact()},
			{"User-Agent", "pcapgen/1.0"},
		},
	}
}

// Register returns a REGISTER of ua's address-of-record to its domain,
// with Expires 3600.
func Register(ua UA, callID string, cseq int) *Message {
	m := NewRequest("REGISTER", ua, "sip:"+ua.Domain, ua.AOR(), callID, cseq)
	m.Set("Expires", "3600")
	return m
}

// Options returns an OPTIONS request from ua to target, with Accept
// application/sdp.
func Options(ua UA, target, callID string, cseq int) *Message {
	m := NewRequest("OPTIONS", ua, target, target, callID, cseq)
	m.Set("Accept", "application/sdp")
	return m
}

// Invite returns an INVITE from ua to target carrying sdp as an
// application/sdp body.
func Invite(ua UA, target, callID string, cseq int, sdp []byte) *Message {
	m := NewRequest("INVITE", ua, target, target, callID, cseq)
	m.Set("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")
	m.Set("Content-Type", "application/sdp")
	m.Body = sdp
	return m
}

// Response returns a response to req with code and reason: Via, From,
// Call-ID and CSeq are copied, To is copied and, for codes above 100,
// tagged with Tag(callID, "uas") unless it already has a tag.
func Response(req *Message, code int, reason string) *Message {
	r := &Message{StatusCode: code, Reason: reason}
	for _, h := range req.Headers {
		switch strings.ToLower(h.Name) {
		case "via", "v", "from", "f", "call-id", "i", "cseq":
			r.Headers = append(r.Headers, h)
		case "to", "t":
			if code > 100 && !strings.Contains(h.Value, ";tag=") {
				h.Value += ";tag=" + Tag(req.Get("Call-ID"), "uas")
			}
			r.Headers = append(r.Headers, h)
		}
	}
	r.Headers = append(r.Headers, Header{"Server", "pcapgen/1.0"})
	return r
}

// Challenge returns a 401 Unauthorized response to req with a
// WWW-Authenticate Digest challenge (MD5, qop=auth) for realm and nonce.
func Challenge(req *Message, realm, nonce string) *Message {
	r := Response(req, 401, "Unauthorized")
	r.Set("WWW-Authenticate", fmt.Sprintf(`Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"`, realm, nonce))
	return r
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// DigestResponse computes an RFC 2617 MD5 digest response. With qop
// "auth" it is MD5(HA1:nonce:nc:cnonce:qop:HA2); with an empty qop it is
// MD5(HA1:nonce:HA2), where HA1 = MD5(user:realm:password) and
// HA2 = MD5(method:uri).
func DigestResponse(user, password, realm, nonce, method, uri, qop, nc, cnonce string) string {
	ha1 := md5hex(user + ":" + realm + ":" + password)
	ha2 := md5hex(method + ":" + uri)
	if qop == "" {
		return md5hex(ha1 + ":" + nonce + ":" + ha2)
	}
	return md5hex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2)
}

// Authorize sets an Authorization header on req answering a Digest
// challenge for realm and nonce (MD5, qop=auth, nc=00000001, cnonce
// derived from the nonce) with a correct response for user and password.
// It returns req.
func Authorize(req *Message, user, password, realm, nonce string) *Message {
	cnonce := token(16, "cnonce", nonce)
	resp := DigestResponse(user, password, realm, nonce, req.Method, req.RequestURI, "auth", "00000001", cnonce)
	return req.Set("Authorization", fmt.Sprintf(
		`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, cnonce="%s", qop=auth, nc=00000001`,
		user, realm, nonce, req.RequestURI, resp, cnonce))
}

// Ack returns the ACK for a 2xx response ok to invite, sent by ua: To is
// taken from ok (with its tag), the request URI from ok's Contact (or the
// INVITE's request URI), and the branch is new.
func Ack(ua UA, invite, ok *Message) *Message {
	return inDialog("ACK", ua, invite, ok, cseqNum(invite))
}

// Bye returns a BYE from the caller ua in the dialog established by invite
// and its 2xx response ok, with CSeq number cseq.
func Bye(ua UA, invite, ok *Message, cseq int) *Message {
	return inDialog("BYE", ua, invite, ok, cseq)
}

func cseqNum(m *Message) int {
	n, _ := strconv.Atoi(strings.Fields(m.Get("CSeq") + " 0")[0])
	return n
}

func inDialog(method string, ua UA, invite, ok *Message, cseq int) *Message {
	uri := invite.RequestURI
	if c := ok.Get("Contact"); c != "" {
		uri = strings.Trim(c, "<>")
	}
	callID := invite.Get("Call-ID")
	return &Message{
		Method:     method,
		RequestURI: uri,
		Headers: []Header{
			{"Via", ua.Via(Branch(callID, cseq, method))},
			{"Max-Forwards", "70"},
			{"From", invite.Get("From")},
			{"To", ok.Get("To")},
			{"Call-ID", callID},
			{"CSeq", fmt.Sprintf("%d %s", cseq, method)},
			{"User-Agent", "pcapgen/1.0"},
		},
	}
}

// SDP returns an audio offer/answer body for addr and RTP port, padded
// with a=x-pad attribute lines until it is at least minLen bytes long.
func SDP(addr netip.Addr, port int, sessionID int, minLen int) []byte {
	ipv := "IP4"
	if addr.Is6() && !addr.Is4In6() {
		ipv = "IP6"
	}
	a := addr.Unmap().String()
	s := fmt.Sprintf("v=0\r\no=pcapgen %d %d IN %s %s\r\ns=pcapgen\r\nc=IN %s %s\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"+
		"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n",
		sessionID, sessionID, ipv, a, ipv, a, port)
	for i := 0; len(s) < minLen; i++ {
		s += fmt.Sprintf("a=x-pad:%04d %s\r\n", i, strings.Repeat("0123456789", 6))
	}
	return []byte(s)
}
