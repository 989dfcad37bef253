package rules

import (
	"net/netip"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA505 incomplete-authentication: a Digest challenge was never answered
// within the window (no request used its nonce). Now and then that is a
// client that gave up; in numbers it is a scanner probing which users
// exist, or a client without the password, and each open challenge holds
// state on the server (TS 33.203 N.2.2.3). A challenge counts as answered
// when any credentials follow in its Call-ID. Judged only when the
// capture goes on past the window; folds per client and server.
type sa505 struct {
	span    time.Duration
	pending *window[openChallenge] // Call-ID -> its open challenge
}

var sa505Info = finding.RuleInfo{
	ID: "SA505", Name: "incomplete-authentication", Severity: finding.Low,
	Clause:  "TS 33.203 N.2.2.3",
	Summary: "A challenge was never answered within the window.",
	Help:    "A client gave up (no password configured) or a scanner probes users. Check the client's configuration; if many come from one source, see SA601/SA602.",
}

func (*sa505) Info() finding.RuleInfo { return sa505Info }

func (s *sa505) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	if ev.Retransmission {
		return
	}
	if ev.Msg.Request {
		// Any credentials in the dialog answer its challenge, even Basic
		// ones (SA301's business) or ones over another nonce.
		if ev.Exchange != nil {
			s.pending.delete(ev.Msg.CallID)
		}
		return
	}
	for c := range digestChallenges(ev) {
		if c.Challenge.Nonce == "" || c.Challenge.Stale {
			continue // stale challenges are SA204's
		}
		// What the finding needs, kept small: most challenges are
		// answered, and the finding is built only for those that are not.
		s.pending.put(ev.Msg.CallID, ev.Time, openChallenge{
			callID: strings.Clone(ev.Msg.CallID), input: ev.Input, frame: ev.Frame(), at: ev.Time, client: ev.Dst, server: ev.Src,
			transport: ev.Transport, status: ev.Msg.Status, method: strings.Clone(ev.RequestMethod),
		})
		return
	}
}

type openChallenge struct {
	callID         string
	input          string
	frame          int
	at             time.Time
	client, server netip.AddrPort
	transport      string
	status         int
	method         string
}

func (s *sa505) Tick(now time.Time, r analyzer.Reporter) {
	for _, c := range s.pending.expire(now) {
		callID := c.callID
		key := "client " + c.client.Addr().String() + " server " + addr(c.server)
		if r.Again(key, c.at) {
			continue
		}
		r.Report(finding.Finding{
			Input: c.input, CallID: callID, Frames: []int{c.frame}, Time: c.at,
			Client: addr(c.client), Server: addr(c.server), Transport: c.transport, Key: key,
			Message: "The " + itoa(c.status) + " challenge of frame " + itoa(c.frame) + " to " + addr(c.client) + " (" + c.method + ", Call-ID " + quote(callID) +
				") was not answered within " + s.span.String() + ": a client without the password, or a probe.",
		})
	}
}
