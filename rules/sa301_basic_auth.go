package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA301 basic-auth: a Basic challenge or Basic credentials. Basic sends
// the password itself, base64-encoded, in every request: anybody on the
// path reads it. RFC 3261 22.1 deprecates Basic for SIP. The finding
// never shows the password.
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
		ex := ev.Exchange
		if ex == nil || ex.Scheme != "Basic" {
			return
		}
		r.Report(evFinding(ev, "credentials user "+ex.Username+" server "+addr(ev.Dst),
			"A "+ex.Method+" from "+addr(ev.Src)+" (frame "+itoa(ev.Frame())+") carries Basic credentials for "+who(ex)+
				": the password crosses the wire in clear and must be considered known. Change it, and disable Basic on the client and the server."))
		return
	}
	for _, c := range ev.Challenges {
		if c.Scheme == "Basic" {
			r.Report(evFinding(ev, "challenge server "+addr(ev.Src),
				"The server at "+addr(ev.Src)+" offers Basic authentication (frame "+itoa(ev.Frame())+", "+c.Kind.String()+
					"): clients that take it send their password in clear. Disable Basic on the server."))
			return
		}
	}
}
