package rules

import (
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA204 stale-ignored: after a challenge with stale=true the client did
// not retry with the new nonce within the window. stale=true says "your
// password was right, only the nonce is old" (TS 33.203 N.2.3); a client
// that gives up instead loses its registration or call for nothing.
// A retry with any nonce of the stale response counts (it may offer
// SHA-256 and MD5 challenges); each response is reported once. Judged
// only when the capture goes on past the window.
type sa204 struct {
	span    time.Duration
	pending *window[staleChallenge] // nonce -> the stale challenge
}

type staleChallenge struct {
	f finding.Finding
	// resp is shared by the nonces of one stale response (a 401 may
	// offer SHA-256 and MD5 challenges, TS 33.203 N.2.1.1): answering
	// one of them is a retry, and the response is reported once.
	resp *staleResponse
}

type staleResponse struct{ answered, reported bool }

var sa204Info = finding.RuleInfo{
	ID: "SA204", Name: "stale-ignored", Severity: finding.Low,
	Clause:  "TS 33.203 N.2.3",
	Summary: "After a challenge with stale=true the client did not retry with the new nonce.",
	Help:    "The client treats stale=true as a failure. Update the client's SIP stack so it retries with the new nonce without asking for a password.",
}

func (*sa204) Info() finding.RuleInfo { return sa204Info }

func (s *sa204) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	if ev.Retransmission {
		return
	}
	if ev.Msg.Request {
		if ev.Exchange != nil && ev.Exchange.Nonce != "" {
			if c, ok := s.pending.get(ev.Exchange.Nonce); ok {
				c.resp.answered = true
			}
			s.pending.delete(ev.Exchange.Nonce)
		}
		return
	}
	var resp *staleResponse
	for c := range digestChallenges(ev) {
		if !c.Challenge.Stale || c.Challenge.Nonce == "" {
			continue
		}
		if resp == nil {
			resp = &staleResponse{}
		}
		f := evFinding(ev, "client "+host(ev.DstText())+" server "+ev.SrcText(),
			"The client at "+ev.DstText()+" did not retry within "+s.span.String()+" after the stale=true challenge of frame "+framesText(ev.Frames[len(ev.Frames)-1:])+
				" (Call-ID "+quote(ev.Msg.CallID)+"): it gave up although its password was right. Update the client so it retries with the new nonce.")
		s.pending.put(strings.Clone(c.Challenge.Nonce), ev.Time, staleChallenge{f, resp})
	}
}

func (s *sa204) Tick(now time.Time, r analyzer.Reporter) {
	for _, c := range s.pending.expire(now) {
		if !c.resp.answered && !c.resp.reported {
			c.resp.reported = true
			r.Report(c.f)
		}
	}
}
