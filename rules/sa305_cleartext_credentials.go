package rules

import (
	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA305 cleartext-credentials: Digest credentials travel over UDP, TCP,
// SCTP or plain WebSocket. Digest hides the password but not the
// response: whoever captures it can run an offline dictionary attack
// (TS 33.203 N.2.1.2 note 1; seed 000 for WebRTC clients). Folds per
// server and transport.
type sa305 struct{}

var sa305Info = finding.RuleInfo{
	ID: "SA305", Name: "cleartext-credentials", Severity: finding.Low,
	Clause:  "TS 33.203 N.2.1.2 note 1; seed 000",
	Summary: "Digest credentials travel over UDP, TCP or plain WebSocket, open to offline dictionary attack.",
	Help:    "Anyone on the path can capture responses and guess passwords offline. Carry SIP over TLS (or WSS for WebRTC clients).",
}

func (sa305) Info() finding.RuleInfo { return sa305Info }

func (sa305) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.Scheme != "Digest" || ex.Nonce == "" && ex.Result.Cause == "initial" {
		return
	}
	switch ex.Transport {
	case "udp", "tcp", "ws", "sctp":
	default:
		return
	}
	key := "server " + ex.Server + " transport " + ex.Transport
	if r.Again(key, ex.Time) {
		return
	}
	r.Report(exFinding(ex, key,
		"Digest credentials reach "+ex.Server+" over "+ex.Transport+" in clear (first: "+who(ex)+", "+frameOf(ex)+
			"): anyone on the path can capture them and guess the passwords offline. Use TLS (or WSS)."))
}
