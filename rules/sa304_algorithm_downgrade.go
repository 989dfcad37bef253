package rules

import (
	"slices"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// SA304 algorithm-downgrade: a client answered with MD5 although the
// challenge offered SHA-256, or with an algorithm the challenge did not
// offer at all. The UE must take the first algorithm it supports in the
// server's order (TS 33.203 N.2.1.1, SM6/SM7); MD5 where SHA-256 was
// offered is a weak client or an attacker who rewrote the challenge.
// Judged when the challenge is in the capture. "Offered" is what the
// 401/407 that issued the nonce offered: a server may give each
// algorithm's challenge its own nonce, so an MD5 answer over the MD5
// challenge's nonce is a downgrade when the same response also offered
// SHA-256 (the rule remembers, per nonce, whether its response did). An
// algorithm "not offered" is judged against the nonce's own challenges.
// Folds per user and server.
type sa304 struct {
	strong *window[struct{}] // nonces whose 401/407 also offered SHA-256 or SHA-512-256
}

var sa304Info = finding.RuleInfo{
	ID: "SA304", Name: "algorithm-downgrade", Severity: finding.Medium,
	Clause:  "TS 33.203 N.2.1.1 (SM6/SM7)",
	Summary: "A client answered with MD5 although SHA-256 was offered, or with an algorithm that was not offered.",
	Help:    "The client (or something rewriting the challenge) picks the weaker algorithm. Update the client to support SHA-256, and make the server refuse algorithms it did not offer.",
}

func (*sa304) Info() finding.RuleInfo { return sa304Info }

// strongOffers returns the window of nonces whose 401/407 also offered a
// strong algorithm, keyed by sa304.key.
func (s *sa304) strongOffers() *window[struct{}] {
	if s.strong == nil {
		// As long as the analyzer remembers challenges for linking.
		s.strong = newWindow[struct{}](2 * digest.DefaultNonceLifetime)
	}
	return s.strong
}

func (s *sa304) key(proxy bool, nonce string) uint64 {
	if proxy {
		return s.strongOffers().hash2("proxy", nonce)
	}
	return s.strongOffers().hash2("www", nonce)
}

func (s *sa304) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	if ev.Msg.Request || ev.Retransmission || len(ev.Challenges) == 0 {
		return
	}
	w := s.strongOffers()
	w.expire(ev.Time)
	for _, kind := range []analyzer.AuthKind{analyzer.WWWAuthenticate, analyzer.ProxyAuthenticate} {
		strong := false
		for _, c := range ev.Challenges {
			if c.Kind == kind && c.Scheme == "Digest" && isStrong(challengeAlgorithm(c.Challenge)) {
				strong = true
			}
		}
		for _, c := range ev.Challenges {
			if c.Kind != kind || c.Scheme != "Digest" || c.Challenge.Nonce == "" {
				continue
			}
			key := s.key(kind == analyzer.ProxyAuthenticate, c.Challenge.Nonce)
			if strong {
				w.putH(key, ev.Time, struct{}{})
			} else {
				w.deleteH(key) // reissued without SHA-256
			}
		}
	}
}

func (s *sa304) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	ch := ex.Result.Challenge
	if ex.Scheme != "Digest" || ch == nil || len(ch.Algorithms) == 0 || ex.Result.Cause == digest.CauseInitial {
		return
	}
	used := ex.Credentials.Algorithm
	if ex.Credentials.AlgorithmName == "" {
		used = digest.MD5
	}
	strongOffered := slices.ContainsFunc(ch.Algorithms, isStrong)
	if !strongOffered {
		_, strongOffered = s.strongOffers().getH(s.key(ex.Header == analyzer.ProxyAuthorization.String(), ex.Nonce))
	}
	why := ""
	switch {
	case used == 0 || !slices.Contains(ch.Algorithms, used):
		why = "answered with " + quote(ex.Algorithm) + ", which the challenge did not offer"
	case isMD5Family(used) && strongOffered:
		why = "answered with " + used.String() + " although the challenge offered SHA-256"
	default:
		return
	}
	key := "user " + ex.Username + " server " + ex.Server
	if r.Again(key, ex.Time) {
		return
	}
	r.Report(exFinding(ex, key,
		"The client of "+who(ex)+" "+why+" ("+frameOf(ex)+", server answered "+status(ex)+"). Update the client to use the strongest algorithm offered; make the server refuse others."))
}
