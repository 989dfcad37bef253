package rules

import (
	"encoding/binary"
	"strings"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA301 basic-auth: a Basic challenge or Basic credentials. Basic sends
// the password itself, base64-encoded, in every request: anybody on the
// path reads it. RFC 3261 22.1 deprecates Basic for SIP. Credentials are
// looked for in every Authorization and Proxy-Authorization field of a
// request, not only the one its exchange is about (a Basic field next to
// a Digest one counts); ACK and CANCEL, which repeat the INVITE's
// credentials, are not counted again. Occurrences fold per user and
// server (credentials) or per server (challenges). The finding never
// shows the password.
type sa301 struct{}

var sa301Info = finding.RuleInfo{
	ID: "SA301", Name: "basic-auth", Severity: finding.Critical,
	Clause:  "RFC 3261 22.1",
	Summary: "A Basic challenge or Basic credentials appear (the password crosses the wire in clear).",
	Help:    "The password is readable by anyone who sees the traffic. Disable Basic on the server and the client, use Digest with SHA-256, and change the exposed password.",
}

func (sa301) Info() finding.RuleInfo { return sa301Info }

func (sa301) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	if ev.Retransmission {
		return
	}
	if ev.Msg.Request {
		m := ev.Msg
		if m.Method == "ACK" || m.Method == "CANCEL" {
			return
		}
		user, ok := basicCredentials(m)
		if !ok {
			return
		}
		f := evFinding(ev, "credentials user "+user+" server "+ev.DstText(),
			an(m.Method, true)+" from "+ev.SrcText()+" (frame "+itoa(ev.Frame())+") carries Basic credentials for "+quote(user)+
				": the password crosses the wire in clear and must be considered known. Change it, and disable Basic on the client and the server.")
		f.Username = user
		r.Report(f)
		return
	}
	for _, c := range ev.Challenges {
		if c.Scheme == "Basic" {
			r.Report(evFinding(ev, "challenge server "+ev.SrcText(),
				"The server at "+ev.SrcText()+" offers Basic authentication (frame "+itoa(ev.Frame())+", "+c.Kind.String()+
					"): clients that take it send their password in clear. Disable Basic on the server."))
			return
		}
	}
}

// basicCredentials finds Basic credentials in the Authorization and
// Proxy-Authorization fields of a request and returns their user-id (a
// copy: the decoded text also holds the password).
func basicCredentials(m *analyzer.Msg) (user string, ok bool) {
	for _, f := range m.Auth {
		// Basic credentials start with the token Basic: a field without
		// it (almost every Digest field) is not parsed again.
		if f.Kind != analyzer.Authorization && f.Kind != analyzer.ProxyAuthorization || !mayBeBasic(f.Value) {
			continue
		}
		auths, _ := digest.Parse(f.Value)
		for _, au := range auths {
			if !au.IsBasic() {
				continue
			}
			u, pw, err := digest.ParseBasic(au)
			clear(pw)
			if err != nil {
				u = ""
			}
			return strings.Clone(u), true
		}
	}
	return "", false
}

// mayBeBasic reports whether v may hold the scheme Basic as
// digest.Auth.IsBasic sees it (strings.EqualFold): "basic" in any ASCII
// case, or any non-ASCII byte (EqualFold also folds U+017F to s).
func mayBeBasic(v string) bool {
	if !isASCII(v) {
		return true
	}
	for _, b := range [2]byte{'b', 'B'} {
		for rest := v; ; {
			i := strings.IndexByte(rest, b)
			if i < 0 || i+len("basic") > len(rest) {
				break
			}
			if containsFoldASCII(rest[i:i+len("basic")], "basic") {
				return true
			}
			rest = rest[i+1:]
		}
	}
	return false
}

// isASCII reports whether s has no byte above 0x7f, eight at a time.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64([]byte(s[i:i+8]))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// containsFoldASCII reports whether s contains lower (ASCII lower-case
// letters) in any case, without allocating.
func containsFoldASCII(s, lower string) bool {
	for i := 0; i+len(lower) <= len(s); i++ {
		j := 0
		for ; j < len(lower); j++ {
			if s[i+j]|0x20 != lower[j] {
				break
			}
		}
		if j == len(lower) {
			return true
		}
	}
	return false
}
