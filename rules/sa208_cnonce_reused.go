package rules

import (
	"hash/maphash"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA208 cnonce-reused: a client used the same cnonce with two different
// nonces. The cnonce is the client's contribution of randomness (RFC 7616
// 3.4): a constant one gives a chosen-nonce attacker the same response
// for the same nonce, and helps precomputed dictionaries against -sess
// algorithms. Occurrences fold per user and cnonce.
type sa208 struct {
	seen *window[cnonceUse] // user + cnonce -> first nonce
}

type cnonceUse struct {
	nonce uint64 // hashed: ten minutes of exchanges cost little memory
	frame int
}

var sa208Info = finding.RuleInfo{
	ID: "SA208", Name: "cnonce-reused", Severity: finding.Low,
	Clause:  "RFC 7616 3.4",
	Summary: "A client used the same cnonce with two different nonces.",
	Help:    "The client's cnonce is not random. Update the client's SIP stack to draw a fresh random cnonce for every nonce.",
}

func (*sa208) Info() finding.RuleInfo { return sa208Info }

func (s *sa208) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if ex.Scheme != "Digest" || ex.CNonce == "" || ex.Nonce == "" {
		return
	}
	key := s.seen.hash2(ex.Username, ex.CNonce)
	prev, ok := s.seen.getH(key)
	if !ok {
		s.seen.putH(key, ex.Time, cnonceUse{maphash.String(nonceSeed, ex.Nonce), ex.Frame})
		return
	}
	if prev.nonce == maphash.String(nonceSeed, ex.Nonce) {
		return
	}
	f := exFinding(ex, "user "+ex.Username+" cnonce "+ex.CNonce,
		"The client of "+who(ex)+" used cnonce "+quote(ex.CNonce)+" again ("+frameOf(ex)+") with another nonce than in frame "+itoa(prev.frame)+
			": its cnonce is not random. Update the client to draw a fresh cnonce for every nonce.")
	f.Frames = sortedFrames(append(f.Frames, prev.frame))
	r.Report(f)
}
