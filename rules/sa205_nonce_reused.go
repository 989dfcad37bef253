package rules

import (
	"hash/maphash"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA205 nonce-reused: the same nonce appears in challenges of different
// dialogs or for different users. A nonce must be unique per challenge
// (RFC 7616 3.3): a server that hands the same nonce to several clients
// lets a response captured from one be replayed in another's name, and
// makes nonce-count tracking meaningless. The same challenge seen again
// on another hop of the same dialog (same Call-ID) is not a reuse.
type sa205 struct {
	seen *window[nonceUse]
}

// nonceUse is where a nonce was first issued: the dialog and user
// hashed, so that ten minutes of challenges cost little memory.
type nonceUse struct {
	dialog, user uint64
	frame        int
}

var nonceSeed = maphash.MakeSeed()

var sa205Info = finding.RuleInfo{
	ID: "SA205", Name: "nonce-reused", Severity: finding.High,
	Clause:  "RFC 7616 3.3",
	Summary: "The same nonce appears in two different challenges (different dialogs, users or clients).",
	Help:    "Nonces are not unique, so responses can be replayed across dialogs and users. Generate every nonce from a cryptographic random source (or a keyed hash with a counter).",
}

func (*sa205) Info() finding.RuleInfo { return sa205Info }

func (s *sa205) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	if ev.Msg.Request || ev.Retransmission {
		return
	}
	user := ""
	for c := range digestChallenges(ev) {
		n := c.Challenge.Nonce
		if n == "" {
			continue
		}
		if user == "" {
			user = analyzer.AORKeyView(ev.Msg.ToURI)
		}
		prev, ok := s.seen.get(n)
		if !ok {
			s.seen.put(n, ev.Time, nonceUse{maphash.String(nonceSeed, ev.Msg.CallID), maphash.String(nonceSeed, user), ev.Frame()})
			continue
		}
		if prev.dialog == maphash.String(nonceSeed, ev.Msg.CallID) {
			// The same dialog: the challenge again, or the same one on
			// another hop (a proxy relaying it may rewrite To).
			continue
		}
		other := "in another dialog"
		if prev.user != maphash.String(nonceSeed, user) {
			other = "for another user"
		}
		f := evFinding(ev, "nonce "+n,
			"The server at "+ev.SrcText()+" issued nonce "+quote(n)+" again (frame "+itoa(ev.Frame())+", for "+quote(user)+
				") after issuing it in frame "+itoa(prev.frame)+" "+other+": responses to it can be replayed across dialogs. Make nonces unique.")
		f.Frames = sortedFrames(append(f.Frames, prev.frame))
		r.Report(f)
	}
}

// nonceMemory is how long a nonce is remembered: a usual lifetime.
const nonceMemory = digest.DefaultNonceLifetime
