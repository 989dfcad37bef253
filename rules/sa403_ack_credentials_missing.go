package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA403 ack-credentials-missing: the ACK of an authenticated INVITE does
// not repeat the INVITE's Authorization / Proxy-Authorization values.
// RFC 3261 22.1: UACs duplicate them in the ACK, so that a proxy that
// authenticates every request can route the ACK. A client that does not
// depends on proxies letting ACKs through unauthenticated. "Authenticated"
// means the server took the INVITE's credentials (it was let through,
// whatever the callee answered); the ACK of a 401/407 or 403 to an
// INVITE whose credentials were refused or stale is not judged. Folds per
// User-Agent (or client) and server.
type sa403 struct{}

var sa403Info = finding.RuleInfo{
	ID: "SA403", Name: "ack-credentials-missing", Severity: finding.Low,
	Clause:  "RFC 3261 22.1",
	Summary: "The ACK of an authenticated INVITE does not repeat its Authorization / Proxy-Authorization values.",
	Help:    "Proxies that authenticate the ACK will drop it and the call fails after answer. Update the client to copy the INVITE's credentials into the ACK.",
}

func (sa403) Info() finding.RuleInfo { return sa403Info }

func (sa403) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.AckCredentials != "missing" && ex.AckCredentials != "different" || !accepted(ex) {
		return
	}
	client := ex.UserAgent
	if client == "" {
		client = host(ex.Client)
	}
	key := "client " + client + " server " + ex.Server
	if r.Again(key, ex.Time) {
		return
	}
	f := exFinding(ex, key,
		"The ACK ("+framesLabel(ex.AckFrames)+") of the INVITE that "+who(ex)+" authenticated ("+frameOf(ex)+") has "+ex.AckCredentials+" "+ex.Header+
			" values (user agent "+quote(ex.UserAgent)+"): RFC 3261 22.1 has the ACK repeat them. Update the client.")
	f.Frames = sortedFrames(append(f.Frames, ex.AckFrames...))
	r.Report(f)
}
