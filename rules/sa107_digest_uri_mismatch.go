package rules

import (
	"strings"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA107 digest-uri-mismatch: the credentials' uri is not the
// Request-URI, and the server accepted the request anyway. The uri is
// what the response protects: a server that does not compare it accepts
// credentials captured for one request on another (RFC 7616 3.4.6).
type sa107 struct{}

var sa107Info = finding.RuleInfo{
	ID: "SA107", Name: "digest-uri-mismatch", Severity: finding.Medium,
	Clause:  "RFC 7616 3.4.6",
	Summary: "The credentials' uri differs from the Request-URI and the server accepted the request.",
	Help:    "The server does not check that the digest-uri matches the Request-URI, so credentials made for one request can be replayed on another. Enable the uri check.",
}

func (sa107) Info() finding.RuleInfo { return sa107Info }

func (sa107) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.Scheme != "Digest" || ex.URI == "" || ex.RequestURI == "" || !accepted(ex) || sameURI(ex.URI, ex.RequestURI) {
		return
	}
	r.Report(exFinding(ex, "exchange "+ex.CallID+" "+ex.Method+" "+ex.Nonce+" "+ex.NC,
		"The server accepted "+an(ex.Method, false)+" from "+who(ex)+" ("+frameOf(ex)+") whose digest uri "+quote(ex.URI)+
			" is not its Request-URI "+quote(ex.RequestURI)+": credentials computed for another request were honoured. Make the server compare the uri with the Request-URI."))
}

// sameURI compares URIs as RFC 3261 19.1.4 does for the parts that
// matter here: scheme and host case-insensitively, the rest exactly.
func sameURI(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == b {
		return true
	}
	sa, ra, okA := strings.Cut(a, ":")
	sb, rb, okB := strings.Cut(b, ":")
	if !okA || !okB || !strings.EqualFold(sa, sb) {
		return false
	}
	ua, ha := splitUserHost(ra)
	ub, hb := splitUserHost(rb)
	return ua == ub && strings.EqualFold(ha, hb)
}

func splitUserHost(s string) (user, rest string) {
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}
