package digest

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Engine selects one of the S-CSCF's two logically separate protocol
// engines (TS 33.203 N.2.1.2 note 1a): Authorization for registrations
// (401, WWW-Authenticate) and Proxy-Authorization for other requests
// (407, Proxy-Authenticate). Each has its own nonces and nonce-counts.
type Engine uint8

// The two engines.
const (
	WWW Engine = iota
	Proxy
)

func (e Engine) String() string {
	if e == Proxy {
		return "Proxy-Authorization"
	}
	return "Authorization"
}

// Verdict is the reference S-CSCF's conclusion about one set of
// credentials. Its text form is the "reference" value of the JSON report.
type Verdict uint8

// The verdicts.
const (
	// Valid: right digest, fresh nonce, increasing nc.
	Valid Verdict = iota + 1
	// Invalid: wrong digest, or an answer the challenge did not allow
	// (qop missing or not offered).
	Invalid
	// Stale: right digest over an unknown, expired or ended nonce: the
	// server must re-challenge with stale=true (TS 33.203 N.2.3).
	Stale
	// Replay: right digest, but the (nonce, nc) was accepted before, nc
	// did not increase, or a qop-less answer was re-sent (N.2.3).
	Replay
	// UnknownCredentials: no secret for the user; the digest is not
	// judged (nonce handling still is, see Result.NCReplay).
	UnknownCredentials
	// Unverifiable: fields missing or malformed, or an algorithm the
	// challenge did not offer or the reference cannot compute.
	Unverifiable
)

var verdictNames = [...]string{Valid: "valid", Invalid: "invalid", Stale: "stale", Replay: "replay", UnknownCredentials: "unknown-credentials", Unverifiable: "unverifiable"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) && verdictNames[v] != "" {
		return verdictNames[v]
	}
	return "none"
}

// MarshalText writes the verdict's name.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// WantsStale reports whether the server should answer with a new
// challenge carrying stale=true (TS 33.203 N.2.3).
func (v Verdict) WantsStale() bool { return v == Stale || v == Replay }

// NonceState is what the reference knows about the nonce credentials use.
type NonceState uint8

// The nonce states.
const (
	// NonceFresh: issued by the server, not ended, within its lifetime.
	NonceFresh NonceState = iota + 1
	// NonceUnknown: never seen in a challenge on this engine.
	NonceUnknown
	// NonceExpired: older than the nonce lifetime.
	NonceExpired
	// NonceEnded: a later REGISTER challenge for the same identity ended
	// this authentication (TS 33.203 N.2.2.3).
	NonceEnded
)

var nonceStateNames = [...]string{NonceFresh: "fresh", NonceUnknown: "unknown", NonceExpired: "expired", NonceEnded: "ended"}

func (s NonceState) String() string {
	if int(s) < len(nonceStateNames) && nonceStateNames[s] != "" {
		return nonceStateNames[s]
	}
	return "none"
}

// MarshalText writes the state's name.
func (s NonceState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// SecretUsed says which of a user's H(A1) values matched (N.2.5).
type SecretUsed uint8

// Which secret matched.
const (
	NoSecret SecretUsed = iota
	// Newest: the most recently added secret.
	Newest
	// Older: the secret before it, still held because the newest has not
	// yet been used successfully.
	Older
	// Retired: a secret the reference has dropped (the newer one was used
	// successfully, or a third was added). A response matching it is
	// invalid; a server that accepts it keeps an old password alive
	// (SA507).
	Retired
)

var secretUsedNames = [...]string{NoSecret: "none", Newest: "newest", Older: "older", Retired: "retired"}

func (s SecretUsed) String() string {
	if int(s) < len(secretUsedNames) {
		return secretUsedNames[s]
	}
	return "none"
}

// MarshalText writes the name.
func (s SecretUsed) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Cause is why the reference reached its verdict, for rules to branch on
// (Reason says it in words).
type Cause string

// The causes.
const (
	CauseOK Cause = "ok"
	// CauseInitial: an empty nonce and response, the first REGISTER of
	// an IMS UE giving its IMPI (TS 24.229 5.1.1.2.1): no answer yet.
	CauseInitial Cause = "initial"
	// CauseMalformed: fields missing or malformed (Validate).
	CauseMalformed Cause = "malformed"
	// CauseAlgorithmNotOffered: an algorithm the challenge did not offer
	// (the digest is still computed: see DigestOK).
	CauseAlgorithmNotOffered Cause = "algorithm-not-offered"
	// CauseNoCredentials: no secret for the user (or none usable with
	// the algorithm).
	CauseNoCredentials Cause = "no-credentials"
	// CauseWrongDigest: the response matches no secret.
	CauseWrongDigest Cause = "wrong-digest"
	// CauseSupersededSecret: the response matches an older password
	// dropped after the newer one was used successfully (N.2.5; SA507).
	CauseSupersededSecret Cause = "superseded-secret"
	// CauseDisplacedSecret: it matches a password dropped when newer ones
	// were pushed (N.2.5).
	CauseDisplacedSecret Cause = "displaced-secret"
	// CauseQOPDowngrade: right digest in RFC 2069 form (no qop) although
	// the challenge offered qop (SA209).
	CauseQOPDowngrade Cause = "qop-downgrade"
	// CauseQOPNotOffered: a qop value the challenge did not offer.
	CauseQOPNotOffered Cause = "qop-not-offered"
	// CauseNonce: right digest over a nonce that is not fresh (see Nonce).
	CauseNonce Cause = "nonce"
	// CauseNCReplay: right digest, but the nc was already accepted.
	CauseNCReplay Cause = "nc-replay"
	// CauseAKASync and CauseAKAMAC: AKA answers that are not
	// authentications (see Result.AKA).
	CauseAKASync Cause = "aka-sync-failure"
	CauseAKAMAC  Cause = "aka-mac-failure"
)

// ChallengeInfo is what the reference learnt of the challenge that issued
// a nonce.
type ChallengeInfo struct {
	Realm      string      `json:"realm"`
	Algorithms []Algorithm `json:"algorithms"`
	QOP        []string    `json:"qop"`
	Identity   string      `json:"identity"`
	Issued     time.Time   `json:"issued"`
}

// Result is the reference's verdict on one set of credentials, with the
// reason and the work shown.
type Result struct {
	Verdict Verdict `json:"verdict"`
	Cause   Cause   `json:"cause"`
	Reason  string  `json:"reason"`
	// DigestOK: the response matches a secret the reference holds,
	// whatever the nonce and nc say.
	DigestOK bool       `json:"digest_ok"`
	Nonce    NonceState `json:"nonce"`
	// NCReplay: the client sent an nc not greater than one it already
	// sent for this nonce, or re-sent a qop-less answer (SA202), whether
	// or not the digest could be judged.
	NCReplay bool `json:"nc_replay"`
	// LastNC is the highest nc the reference had accepted for the nonce
	// before these credentials (0 when none).
	LastNC uint32     `json:"last_nc"`
	Secret SecretUsed `json:"secret"`
	// AKA marks IMS AKA answers that are not authentications:
	// "sync-failure" (auts present, TS 33.203 6.1.3) or "mac-failure"
	// (empty response: the UE rejected the network's AUTN, TS 33.203
	// 6.1.2.2, TS 24.229 5.1.1.5.3).
	AKA string `json:"aka,omitempty"`
	// SQNms is the UE's highest accepted sequence number recovered from a
	// valid AUTS, in hex ("" when not checked or invalid).
	SQNms string `json:"sqn_ms,omitempty"`
	// Username is the real username: c.Username, or the user whose
	// userhash it is.
	Username string `json:"username"`
	// Challenge is the challenge that issued the nonce, when the
	// reference saw it.
	Challenge *ChallengeInfo `json:"challenge,omitempty"`
	Work      *Work          `json:"work,omitempty"`
}

// Request is what the verifier needs of the request carrying credentials.
type Request struct {
	Method string
	Body   []byte // for qop=auth-int
}

// Config tunes the verifier.
type Config struct {
	// NonceLifetime is how long a nonce stays valid after the challenge
	// that issued it. Zero means DefaultNonceLifetime.
	NonceLifetime time.Duration
	// MaxNonces caps the nonces remembered per engine; the oldest are
	// forgotten first (and then count as unknown). Zero means
	// DefaultMaxNonces.
	MaxNonces int
}

// Defaults for Config.
const (
	// DefaultNonceLifetime is Kamailio's auth nonce_expire default.
	DefaultNonceLifetime = 300 * time.Second
	DefaultMaxNonces     = 1 << 20
)

// maxSecrets is how many secrets a user keeps live (N.2.5: at most one
// stored besides the newest).
const maxSecrets = 2

// Verifier is the reference S-CSCF of TS 33.203 Annex N: it holds the
// users' secrets, learns the nonces the real server issues, and judges
// every set of credentials. It is a state machine fed in capture order;
// time comes from the caller. It is not safe for concurrent use.
type Verifier struct {
	cfg    Config
	users  map[userKey]*user
	byName map[string][]*user // username -> users, for realm-less lookups
	eng    [2]engineState
	// realms interns the realms of challenges: a server has a handful,
	// and every nonce would otherwise hold its own copy.
	realms map[string]string
}

// maxInternedRealms bounds Verifier.realms; past it, realms are copied.
const maxInternedRealms = 1024

func (v *Verifier) realm(r string) string {
	if in, ok := v.realms[r]; ok {
		return in
	}
	r = strings.Clone(r)
	if len(v.realms) < maxInternedRealms {
		v.realms[r] = r
	}
	return r
}

// internQOP returns a copy of q, shared for the usual values.
func internQOP(q string) string {
	switch q {
	case "auth":
		return "auth"
	case "auth-int":
		return "auth-int"
	}
	return strings.Clone(q)
}

type userKey struct{ username, realm string }

type user struct {
	key     userKey
	secrets []*secretEntry // live, oldest first
	retired []*secretEntry // dropped, newest last (bounded)
}

type secretEntry struct {
	Secret
	seq        int
	used       bool // verified successfully at least once
	superseded bool // retired because a newer secret was used
}

type engineState struct {
	nonces  map[string]*nonceState
	order   []*nonceState       // issue order, for expiry and the cap
	current map[string][]string // identity -> nonces of its latest REGISTER challenge
}

type nonceState struct {
	nonce     string
	identity  string
	realm     string
	issued    time.Time
	algs      []Algorithm
	qop       []string
	ended     bool
	accepted  uint32 // highest nc accepted
	sent      uint32 // highest nc sent
	anySent   bool
	noQOPSent bool // a qop-less answer was sent
	noQOPOK   bool // a qop-less answer was accepted
	// room for the usual algs and qop, without an allocation of their own
	algBuf [2]Algorithm
	qopBuf [2]string
}

// NewVerifier returns a verifier with no users and no nonces.
func NewVerifier(cfg Config) *Verifier {
	if cfg.NonceLifetime <= 0 {
		cfg.NonceLifetime = DefaultNonceLifetime
	}
	if cfg.MaxNonces <= 0 {
		cfg.MaxNonces = DefaultMaxNonces
	}
	v := &Verifier{cfg: cfg, users: map[userKey]*user{}, byName: map[string][]*user{}, realms: map[string]string{}}
	for i := range v.eng {
		v.eng[i] = engineState{nonces: map[string]*nonceState{}, current: map[string][]string{}}
	}
	return v
}

// AddSecret adds a secret for username in realm ("" matches any realm).
// A later secret is newer (a password change pushed by the HSS, N.2.5):
// it is tried first, and the user keeps at most two; adding a third drops
// the oldest.
func (v *Verifier) AddSecret(username, realm string, s Secret) {
	k := userKey{username, realm}
	u := v.users[k]
	if u == nil {
		u = &user{key: k}
		v.users[k] = u
		v.byName[username] = append(v.byName[username], u)
	}
	seq := len(u.secrets) + len(u.retired)
	u.secrets = append(u.secrets, &secretEntry{Secret: s, seq: seq})
	for len(u.secrets) > maxSecrets {
		// N.2.5: "delete the oldest H(A1) not yet successfully used".
		drop := 0
		for i, e := range u.secrets[:len(u.secrets)-1] {
			if !e.used {
				drop = i
				break
			}
		}
		u.retire(drop)
	}
}

func (u *user) retire(i int) {
	u.retired = append(u.retired, u.secrets[i])
	if len(u.retired) > 4 {
		u.retired = u.retired[1:]
	}
	u.secrets = append(u.secrets[:i], u.secrets[i+1:]...)
}

// lookup finds the user for a username and realm: an exact realm match
// first, then the realm-less entry.
func (v *Verifier) lookup(username, realm string) *user {
	if u := v.users[userKey{username, realm}]; u != nil {
		return u
	}
	return v.users[userKey{username, ""}]
}

// resolveUserhash finds the user whose H(username ":" realm) is hash.
func (v *Verifier) resolveUserhash(h Hash, hash, realm string) *user {
	for name, us := range v.byName {
		if equalHex(Userhash(h, name, realm), hash) {
			for _, u := range us {
				if u.key.realm == realm {
					return u
				}
			}
			return us[0]
		}
	}
	return nil
}

// Challenged tells the verifier about one challenging response: all the
// Digest challenges it carried (a 401 may offer SHA-256 and MD5 in two
// WWW-Authenticate fields, TS 33.203 N.2.1.1 SM4). identity is the IMPI
// the challenge is for (the username of the request's credentials, or
// the one derived from its To URI) and register says whether the request
// was a REGISTER: a new REGISTER challenge ends the previous
// authentication of that identity (N.2.2.3). at is the capture time.
func (v *Verifier) Challenged(e Engine, identity string, register bool, chs []Challenge, at time.Time) {
	es := &v.eng[e&1]
	v.expire(es, at)
	var nonces []string
	ownIdentity := "" // the nonces' copy of identity
	for _, ch := range chs {
		if ch.Nonce == "" {
			continue
		}
		st := es.nonces[ch.Nonce]
		if st == nil {
			// Own copies: the caller's strings may be parts of a whole
			// message that should not stay in memory for the nonce's life.
			st = &nonceState{nonce: strings.Clone(ch.Nonce)}
			st.algs, st.qop = st.algBuf[:0], st.qopBuf[:0]
			es.nonces[st.nonce] = st
			es.order = append(es.order, st)
			if len(es.nonces) > v.cfg.MaxNonces {
				v.forgetOldest(es)
			}
		}
		if !containsNonce(nonces, ch.Nonce) {
			nonces = append(nonces, st.nonce)
			if !st.issued.Equal(at) {
				// The server (re)issued the nonce now. (A caller handing
				// the fields of one response over several calls, all at
				// the same time, merges them instead.)
				st.issued, st.ended, st.algs, st.qop = at, false, st.algs[:0], st.qop[:0]
			}
		}
		if st.realm != ch.Realm {
			st.realm = v.realm(ch.Realm)
		}
		if st.identity != identity {
			if ownIdentity == "" {
				ownIdentity = strings.Clone(identity)
			}
			st.identity = ownIdentity
		}
		ownIdentity = st.identity
		alg := ch.Algorithm
		if alg != 0 && !containsAlg(st.algs, alg) {
			st.algs = append(st.algs, alg)
		}
		for _, q := range ch.QOP {
			if !containsFold(st.qop, q) {
				st.qop = append(st.qop, internQOP(q))
			}
		}
	}
	if register && identity != "" && len(nonces) > 0 {
		for _, old := range es.current[identity] {
			if st := es.nonces[old]; st != nil && !containsNonce(nonces, old) {
				st.ended = true
			}
		}
		es.current[ownIdentity] = nonces
	}
}

func (v *Verifier) expire(es *engineState, at time.Time) {
	// Forget nonces long past their lifetime; they would be stale anyway,
	// and the memory stays bounded on long captures.
	keep := 2 * v.cfg.NonceLifetime
	n := 0
	for n < len(es.order) && at.Sub(es.order[n].issued) > keep {
		n++
	}
	for _, st := range es.order[:n] {
		es.forget(st)
	}
	clear(es.order[:n]) // popped from the front: no copying, no pinning
	es.order = es.order[n:]
}

func (v *Verifier) forgetOldest(es *engineState) {
	for len(es.order) > 0 && len(es.nonces) > v.cfg.MaxNonces {
		st := es.order[0]
		es.order[0] = nil
		es.order = es.order[1:]
		es.forget(st)
	}
}

// forget drops a nonce and, when it was the last of its identity's
// current challenge, the identity's entry: memory stays bounded.
func (es *engineState) forget(st *nonceState) {
	if es.nonces[st.nonce] == st {
		delete(es.nonces, st.nonce)
	}
	cur, ok := es.current[st.identity]
	if !ok {
		return
	}
	live := cur[:0]
	for _, n := range cur {
		if _, ok := es.nonces[n]; ok {
			live = append(live, n)
		}
	}
	if len(live) == 0 {
		delete(es.current, st.identity)
	} else {
		es.current[st.identity] = live
	}
}

// Verify judges credentials received on engine e at time at, as the
// reference S-CSCF would (TS 33.203 N.2.1.1 SM9, N.2.1.2, N.2.3, N.2.5),
// and updates its state: an accepted nc is remembered, and a success with
// the newest secret drops the older one.
func (v *Verifier) Verify(e Engine, c Credentials, req Request, at time.Time) Result {
	es := &v.eng[e&1]
	r := Result{Username: c.Username}
	st := es.nonces[c.Nonce]
	r.Nonce = v.nonceState(st, at)
	if st != nil {
		r.LastNC = st.accepted
		r.Challenge = &ChallengeInfo{Realm: st.realm, Algorithms: append([]Algorithm(nil), st.algs...), QOP: append([]string(nil), st.qop...), Identity: st.identity, Issued: st.issued}
	}
	nc, hasNC := c.NCValue()

	// Client-side nonce handling is judged whatever else happens (SA202),
	// but only credentials that are right, or that cannot be judged, move
	// the bookkeeping: a forged request cannot poison it.
	if st != nil && c.Response != "" {
		switch {
		case c.QOP == "" && st.noQOPSent:
			r.NCReplay = true
		case c.QOP != "" && hasNC && st.anySent && nc <= st.sent:
			r.NCReplay = true
		}
		defer func() {
			if !r.DigestOK && r.Verdict != UnknownCredentials {
				return
			}
			if c.QOP == "" {
				st.noQOPSent = true
			} else if hasNC {
				st.anySent = true
				st.sent = max(st.sent, nc)
			}
		}()
	}

	if c.AUTS != "" {
		return v.resync(r, c, req)
	}
	if _, present := c.Raw.Get("response"); present && c.Response == "" {
		if c.Nonce == "" {
			r.Verdict, r.Cause = Unverifiable, CauseInitial
			r.Reason = "no answer yet: empty nonce and response, as in the first REGISTER of an IMS UE, which gives its IMPI (TS 24.229 5.1.1.2.1; TS 33.203 N.2.1.1 SM1)"
			return r
		}
		if c.Algorithm.AKA() != 0 {
			r.Verdict, r.Cause, r.AKA = Unverifiable, CauseAKAMAC, "mac-failure"
			r.Reason = "empty response to an AKA challenge: the UE could not authenticate the network (AUTN MAC or SQN rejected, TS 33.203 6.1.2.2, TS 24.229 5.1.1.5.3)"
			return r
		}
	}
	if err := c.Validate(); err != nil {
		r.Verdict, r.Cause, r.Reason = Unverifiable, CauseMalformed, err.Error()
		return r
	}

	u := v.lookup(c.Username, c.Realm)
	if c.Userhash {
		u = v.resolveUserhash(c.Algorithm.Hash(), c.Username, c.Realm)
	}
	if u == nil {
		r.Verdict, r.Cause = UnknownCredentials, CauseNoCredentials
		r.Reason = fmt.Sprintf("no credentials for user %q in realm %q", clip(c.Username), clip(c.Realm))
		return r
	}
	r.Username = u.key.username

	in := c.Input(u.key.username, req.Method, req.Body)
	matched, entry, work, err := v.match(u, c, in)
	if err != nil {
		r.Verdict, r.Cause, r.Reason = Unverifiable, CauseMalformed, err.Error()
		if errors.Is(err, ErrNoSecret) {
			r.Verdict, r.Cause = UnknownCredentials, CauseNoCredentials
		}
		return r
	}
	r.Secret = matched
	r.DigestOK = matched == Newest || matched == Older
	if !r.DigestOK {
		work.maskExpected()
	}
	r.Work = &work

	notOffered := st != nil && len(st.algs) > 0 && !containsAlg(st.algs, c.Algorithm)
	switch {
	case notOffered:
		r.Verdict, r.Cause = Unverifiable, CauseAlgorithmNotOffered
		r.Reason = fmt.Sprintf("algorithm %s was not offered in the challenge (offered: %s)", c.Algorithm, joinAlgs(st.algs))
		if r.DigestOK {
			r.Reason += "; the digest itself is right"
		}
		return r
	case matched == Retired && entry.superseded:
		r.Verdict, r.Cause = Invalid, CauseSupersededSecret
		r.Reason = "the response matches an older password, dropped once the newer one was used successfully (TS 33.203 N.2.5)"
		return r
	case matched == Retired:
		r.Verdict, r.Cause = Invalid, CauseDisplacedSecret
		r.Reason = "the response matches an old password, dropped when newer ones were pushed (TS 33.203 N.2.5)"
		return r
	case !r.DigestOK:
		r.Verdict, r.Cause = Invalid, CauseWrongDigest
		r.Reason = "the response does not match (RFC 7616 3.4.1)"
		return r
	case st != nil && len(st.qop) > 0 && c.QOP == "":
		r.Verdict, r.Cause = Invalid, CauseQOPDowngrade
		r.Reason = fmt.Sprintf("the challenge offered qop=%q but the answer has no qop, cnonce or nc (RFC 2069 form), which switches off replay protection (RFC 7616 3.4)", strings.Join(st.qop, ","))
		return r
	case st != nil && c.QOP != "" && len(st.qop) > 0 && !containsFold(st.qop, c.QOP):
		r.Verdict, r.Cause = Invalid, CauseQOPNotOffered
		r.Reason = fmt.Sprintf("qop %q was not offered (offered: %q)", c.QOP, strings.Join(st.qop, ","))
		return r
	case r.Nonce != NonceFresh:
		r.Verdict, r.Cause = Stale, CauseNonce
		r.Reason = "right digest, but the nonce is " + r.Nonce.String() + staleWhy(r.Nonce) + "; the server must re-challenge with stale=true (TS 33.203 N.2.3)"
		return r
	case c.QOP == "" && st.noQOPOK:
		r.Verdict, r.Cause = Replay, CauseNCReplay
		r.Reason = "right digest, but a qop-less answer over this nonce was already accepted: it is a replay (TS 33.203 N.2.3)"
		return r
	case c.QOP != "" && nc <= st.accepted:
		r.Verdict, r.Cause = Replay, CauseNCReplay
		r.Reason = fmt.Sprintf("right digest, but nc %08x is not greater than %08x, the last accepted for this nonce (TS 33.203 N.2.3)", nc, st.accepted)
		return r
	}
	r.Verdict, r.Cause = Valid, CauseOK
	r.Reason = "right digest, fresh nonce"
	if c.QOP != "" {
		r.Reason += fmt.Sprintf(", nc %08x above the last accepted %08x", nc, st.accepted)
		st.accepted = nc
	} else {
		st.noQOPOK = true
	}
	entry.used = true
	if matched == Newest {
		for len(u.secrets) > 1 {
			u.secrets[0].superseded = true
			u.retire(0) // N.2.5: delete the old H(A1) once the new one works
		}
	}
	return r
}

// resync judges an AKA resynchronisation request: credentials carrying
// auts, whose response is computed over an empty password (RFC 3310 3.4).
// It is never an authentication: the network must check AUTS, fetch new
// vectors and challenge again (TS 33.203 6.1.3), so the verdict is
// Invalid at best.
func (v *Verifier) resync(r Result, c Credentials, req Request) Result {
	r.AKA, r.Cause = "sync-failure", CauseAKASync
	r.Verdict = Invalid
	if err := c.Validate(); err != nil {
		r.Verdict, r.Reason = Unverifiable, "synchronisation failure (auts): "+err.Error()
		return r
	}
	u := v.lookup(c.Username, c.Realm)
	if u == nil {
		r.Verdict, r.Cause = UnknownCredentials, CauseNoCredentials
		r.Reason = fmt.Sprintf("synchronisation failure (auts) from user %q in realm %q, who has no credentials", c.Username, c.Realm)
		return r
	}
	resp, w := c.Input(u.key.username, req.Method, req.Body).Response(HA1(c.Algorithm.Hash(), u.key.username, c.Realm, nil))
	w.Received = strings.ToLower(c.Response)
	r.Work = &w
	r.DigestOK = equalHex(resp, c.Response)
	auts := "AUTS not checked (no AKA keys for the user)"
	for i := len(u.secrets) - 1; i >= 0; i-- {
		rs, ok := u.secrets[i].AKA.(AKAResyncer)
		if !ok {
			continue
		}
		sqn, err := rs.Resync(c.Nonce, c.AUTS)
		if err != nil {
			auts = "AUTS does not verify: " + err.Error()
			continue
		}
		r.SQNms = fmt.Sprintf("%x", sqn)
		auts = "AUTS verifies, SQN_MS " + r.SQNms
		break
	}
	digest := "the response over the empty password matches"
	if !r.DigestOK {
		digest = "the response is not the one over the empty password (RFC 3310 3.4)"
	}
	r.Reason = "AKA synchronisation failure: not an authentication, the network must re-synchronise and challenge again (TS 33.203 6.1.3); " + auts + "; " + digest
	return r
}

func staleWhy(s NonceState) string {
	switch s {
	case NonceUnknown:
		return " (the server did not issue it on this engine, or issued it so long ago that the reference forgot it)"
	case NonceExpired:
		return " (older than the nonce lifetime)"
	case NonceEnded:
		return " (a later REGISTER challenge for the same user ended it, TS 33.203 N.2.2.3)"
	}
	return ""
}

func (v *Verifier) nonceState(st *nonceState, at time.Time) NonceState {
	switch {
	case st == nil:
		return NonceUnknown
	case st.ended:
		return NonceEnded
	case at.Sub(st.issued) > v.cfg.NonceLifetime:
		return NonceExpired
	}
	return NonceFresh
}

// match tries the user's live secrets newest first, then the retired
// ones (only to explain an invalid verdict). It returns which matched,
// its entry, and the work for it (or for the newest when none did).
func (v *Verifier) match(u *user, c Credentials, in Input) (SecretUsed, *secretEntry, Work, error) {
	var shown *Work
	var firstErr error
	try := func(s *secretEntry) (w Work, computed, matched bool) {
		ha1, err := s.BaseHA1(c.Algorithm, in.Username, c.Realm, c.Nonce)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return Work{}, false, false
		}
		resp, w := in.Response(ha1)
		w.Received = strings.ToLower(c.Response)
		return w, true, equalHex(resp, c.Response)
	}
	for i := len(u.secrets) - 1; i >= 0; i-- {
		w, computed, matched := try(u.secrets[i])
		switch {
		case matched && i == len(u.secrets)-1:
			return Newest, u.secrets[i], w, nil
		case matched:
			return Older, u.secrets[i], w, nil
		case computed && shown == nil:
			shown = &w
		}
	}
	if shown == nil {
		if firstErr == nil {
			firstErr = ErrNoSecret
		}
		return NoSecret, nil, Work{}, firstErr
	}
	for i := len(u.retired) - 1; i >= 0; i-- {
		if w, _, matched := try(u.retired[i]); matched {
			return Retired, u.retired[i], w, nil
		}
	}
	return NoSecret, nil, *shown, nil
}

// RspAuthResult is the reference's check of an rspauth.
type RspAuthResult struct {
	Verdict Verdict `json:"verdict"` // Valid, Invalid, UnknownCredentials or Unverifiable
	Reason  string  `json:"reason"`
	Work    *Work   `json:"work,omitempty"`
}

// CheckRspAuth verifies the rspauth of an Authentication-Info (or
// Proxy-Authentication-Info) field in a 2xx answering credentials c (RFC
// 7616 3.5, TS 33.203 N.2.1.1 SM12). body is the response's entity body
// (for qop=auth-int).
func (v *Verifier) CheckRspAuth(c Credentials, ai AuthInfo, body []byte) RspAuthResult {
	if ai.RspAuth == "" {
		return RspAuthResult{Verdict: Unverifiable, Reason: "no rspauth"}
	}
	if err := c.Validate(); err != nil {
		return RspAuthResult{Verdict: Unverifiable, Reason: "request credentials: " + err.Error()}
	}
	u := v.lookup(c.Username, c.Realm)
	if c.Userhash {
		u = v.resolveUserhash(c.Algorithm.Hash(), c.Username, c.Realm)
	}
	if u == nil {
		return RspAuthResult{Verdict: UnknownCredentials, Reason: fmt.Sprintf("no credentials for user %q in realm %q", c.Username, c.Realm)}
	}
	if c.QOP != "" && (ai.CNonce != "" && ai.CNonce != c.CNonce || ai.NC != "" && !strings.EqualFold(ai.NC, c.NC)) {
		return RspAuthResult{Verdict: Invalid, Reason: "cnonce or nc differ from the request's (RFC 7616 3.5)"}
	}
	in := c.Input(u.key.username, "", body)
	if ai.QOP != "" {
		in.QOP = ai.QOP
	}
	var work *Work
	var lastErr error
	for i := len(u.secrets) - 1; i >= 0; i-- {
		ha1, err := u.secrets[i].BaseHA1(c.Algorithm, in.Username, c.Realm, c.Nonce)
		if err != nil {
			lastErr = err
			continue
		}
		want, w := in.RspAuth(ha1)
		w.Received = strings.ToLower(ai.RspAuth)
		if work == nil {
			work = &w
		}
		if equalHex(want, ai.RspAuth) {
			return RspAuthResult{Verdict: Valid, Reason: "rspauth matches: the network knows the user's secret", Work: &w}
		}
	}
	if work == nil {
		return RspAuthResult{Verdict: UnknownCredentials, Reason: lastErr.Error()}
	}
	work.maskExpected()
	return RspAuthResult{Verdict: Invalid, Reason: "rspauth does not match (RFC 7616 3.5): network authentication failure (TS 33.203 N.2.2.2)", Work: work}
}

func containsNonce(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func containsAlg(list []Algorithm, a Algorithm) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func joinAlgs(list []Algorithm) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// VerifyBasic judges Basic credentials (RFC 7617), which carry the
// password itself: Valid when it is one of the user's live passwords (or
// matches a live H(A1) of the user's realm), Invalid when it is not,
// UnknownCredentials when the reference has no secret to compare it with.
// Basic is never acceptable in SIP (RFC 3261 22.1); the verdict only
// says whether the password was right. The password is not kept.
func (v *Verifier) VerifyBasic(username string, password []byte) Result {
	r := Result{Username: username}
	compared := false
	for _, u := range v.byName[username] {
		for i := len(u.secrets) - 1; i >= 0; i-- {
			s := u.secrets[i]
			var ok, comparable bool
			switch {
			case s.Password != nil:
				ok, comparable = subtle.ConstantTimeCompare(s.Password, password) == 1, true
			case u.key.realm != "":
				for h, want := range s.HA1 {
					if len(want) == 2*h.Size() {
						ok, comparable = equalHex(HA1(h, username, u.key.realm, password), want), true
						break
					}
				}
			}
			compared = compared || comparable
			if ok {
				r.Verdict, r.DigestOK = Valid, true
				r.Secret = Older
				if i == len(u.secrets)-1 {
					r.Secret = Newest
				}
				r.Cause = CauseOK
				r.Reason = "the Basic password is the user's; it crossed the wire in clear (RFC 3261 22.1)"
				return r
			}
		}
	}
	if !compared {
		r.Verdict, r.Cause = UnknownCredentials, CauseNoCredentials
		r.Reason = fmt.Sprintf("no password or H(A1) with a realm for user %q to compare the Basic password with", username)
		return r
	}
	r.Verdict, r.Cause = Invalid, CauseWrongDigest
	r.Reason = "the Basic password is not the user's"
	return r
}
