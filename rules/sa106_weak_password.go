package rules

import (
	"hash/maphash"
	"strconv"
	"strings"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/digest/crack"
	"github.com/sipaudit/sipaudit/finding"
)

// SA106 weak-password: the password behind a captured digest response is
// the username, the user part of the IMPU, or the realm, or it is in the
// wordlist the user gave (--wordlist). Anyone who captures one exchange
// recovers such a password offline in seconds (seed 000: WebRTC clients
// over cleartext WebSocket). Only digests the server did not refuse are
// audited (one per user, the first): a digest it refused, or one the
// known password does not produce, is somebody's guess (a scanner trying
// the username as password), not the user's password. The password itself
// is never reported: the finding says it was found, how, and its length.
type sa106 struct {
	crack   func([]crack.Target) []crack.Result
	tried   map[uint64]bool // users (userHash) whose trivial passwords were tried
	targets []crack.Target  // one per user, for the wordlist
	exs     []*analyzer.Exchange
}

var sa106Info = finding.RuleInfo{
	ID: "SA106", Name: "weak-password", Severity: finding.High,
	Clause:  "TS 33.203 6.1.1.1 note (seed 000)",
	Summary: "The password behind a captured digest was recovered from the user's wordlist, or equals the username, the user part of the IMPU, or the realm.",
	Help:    "A captured digest exchange is an offline dictionary attack away from the password. Change the password to a long random one and carry SIP over TLS.",
}

func (*sa106) Info() finding.RuleInfo { return sa106Info }

// maxCrackTargets bounds the users kept for the wordlist audit.
const maxCrackTargets = 1 << 16

// target is the crack target of a Digest exchange, false when it has no
// response to attack (AKA, initial REGISTER, missing fields).
func target(ex *analyzer.Exchange) (crack.Target, bool) {
	c := ex.Credentials
	t := crack.Target{
		Algorithm: c.AlgorithmName, Username: ex.Username, Realm: c.Realm, Method: ex.Method,
		URI: c.URI, Nonce: c.Nonce, CNonce: c.CNonce, NC: c.NC, QOP: c.QOP, Response: c.Response,
		Server: ex.Server, Client: ex.Client,
	}
	if ex.Scheme != "Digest" || c.Response == "" || strings.EqualFold(c.QOP, "auth-int") || t.Validate() != nil {
		return t, false
	}
	return t, true
}

func (s *sa106) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	// A refused or wrong digest is a guess, not the user's password; the
	// user's next exchange is audited instead.
	if refused(ex) || !accepted(ex) && ex.Result.Cause == digest.CauseWrongDigest {
		return
	}
	user := userHash(ex.Username, ex.Realm)
	if s.tried[user] || len(s.tried) >= maxCrackTargets {
		return
	}
	t, ok := target(ex)
	if !ok {
		return
	}
	s.tried[user] = true
	// The IMPU is the To of a REGISTER; the To of other requests is the
	// callee, whose name says nothing about the caller's password.
	impu := ex.From
	if ex.Method == "REGISTER" {
		impu = ex.To
	}
	guesses := [...]struct{ what, pw string }{
		{"the username", ex.Username},
		{"the user part of the IMPU", userPart(impu)},
		{"the user part of the From URI", userPart(ex.From)},
		{"the realm", ex.Realm},
	}
	// All at once (one plan, one pass of the multi-lane hash), in order:
	// the first that matches names the finding.
	var pws [len(guesses)][]byte
	var which [len(guesses)]int
	n := 0
	for i, g := range guesses {
		if g.pw != "" {
			pws[n], which[n] = []byte(g.pw), i
			n++
		}
	}
	if i := crack.CheckFirst(t, pws[:n]); i >= 0 {
		g := guesses[which[i]]
		s.report(ex, r, "equals "+g.what, len(g.pw))
		return
	}
	if s.crack != nil {
		s.targets = append(s.targets, t)
		// The exchange is kept for the finding's evidence, without its
		// parsed credentials.
		keep := *ex
		keep.Credentials, keep.Work = digest.Credentials{}, nil
		s.exs = append(s.exs, &keep)
	}
}

func (s *sa106) report(ex *analyzer.Exchange, r analyzer.Reporter, how string, n int) {
	r.Report(exFinding(ex, "user "+ex.Username+" "+ex.Realm,
		"The password of "+who(ex)+" "+how+" ("+strconv.Itoa(n)+" characters): it was recovered from the "+ex.Algorithm+
			" digest of "+frameOf(ex)+". Anyone who captured this exchange can do the same offline. Set a long random password and use TLS."))
}

func (s *sa106) Finish(r analyzer.Reporter) {
	if s.crack == nil || len(s.targets) == 0 {
		return
	}
	for _, res := range s.crack(s.targets) {
		if res.Found && res.Index >= 0 && res.Index < len(s.exs) {
			s.report(s.exs[res.Index], r, "is in the wordlist", len(res.Password))
		}
	}
	s.targets, s.exs = nil, nil
}

// userHash stands for a username in a realm: a 64-bit hash (a random
// seed), no copy of the strings.
func userHash(username, realm string) uint64 { return hashStrings(userSeed, username, realm) }

var userSeed = maphash.MakeSeed()
