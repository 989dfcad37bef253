package analyzer

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
)

// Exchange is one request carrying credentials, with the final response
// that answered it, next to the reference's verdict (interface.md
// "exchanges"). Retransmissions of the request are not separate
// exchanges. Frame numbers are 1-based packet numbers of Input. Nothing
// here is a password or an H(A1).
type Exchange struct {
	ID            string    `json:"id"`
	Input         string    `json:"input"`
	Frame         int       `json:"frame"`
	Time          time.Time `json:"time"`
	CallID        string    `json:"call_id"`
	Method        string    `json:"method"`
	Transport     string    `json:"transport"`
	Client        string    `json:"client"`
	Server        string    `json:"server"`
	Header        string    `json:"header"`
	Scheme        string    `json:"scheme"`
	Username      string    `json:"username"`
	Realm         string    `json:"realm"`
	Algorithm     string    `json:"algorithm"`
	QOP           string    `json:"qop"`
	Nonce         string    `json:"nonce"`
	NC            string    `json:"nc"`
	CNonce        string    `json:"cnonce"`
	URI           string    `json:"uri"`
	Reference     string    `json:"reference"`
	ServerVerdict string    `json:"server_verdict"`
	Status        int       `json:"status"`

	// Beyond interface.md's minimum (extensions, never removed):

	// Cause is the reference's cause code (digest.Cause: ok,
	// wrong-digest, nonce, nc-replay, qop-downgrade, ...); Reason says
	// it in words.
	Cause  string `json:"cause"`
	Reason string `json:"reason"`
	// Frames are all frames of the request (the last completed it);
	// ResponseFrames those of the final response; ChallengeFrames those
	// of the 401/407 that issued the nonce, when it is in the capture.
	Frames          []int  `json:"frames"`
	ResponseFrames  []int  `json:"response_frames"`
	ChallengeFrames []int  `json:"challenge_frames"`
	Retransmissions int    `json:"retransmissions"`
	RequestURI      string `json:"request_uri"`
	From            string `json:"from"`
	To              string `json:"to"`
	UserAgent       string `json:"user_agent"`
	// NonceState is what the reference knew of the nonce: fresh,
	// unknown, expired or ended.
	NonceState string `json:"nonce_state"`
	// NCReplay: the client re-sent a (nonce, nc) or a non-increasing nc
	// (judged without credentials too).
	NCReplay bool `json:"nc_replay"`
	// AKA is "sync-failure" or "mac-failure" for AKA answers that are not
	// authentications.
	AKA string `json:"aka,omitempty"`
	// RspAuth is the reference's check of the 2xx's Authentication-Info:
	// valid, invalid, missing, unknown-credentials, unverifiable, or
	// empty when there is no 2xx to a Digest request.
	RspAuth string `json:"rspauth"`
	// Problems lists what is wrong with the credentials' parameters.
	Problems []string `json:"problems"`
	// Work is the reference's computation, secrets masked.
	Work *digest.Work `json:"work,omitempty"`
	// AckCredentials says whether the ACK of an authenticated INVITE
	// repeated its credentials (RFC 3261 22.1): same, different or
	// missing; empty when no ACK was seen or the request is not an
	// INVITE. AckFrames are the ACK's frames.
	AckCredentials string `json:"ack_credentials,omitempty"`
	AckFrames      []int  `json:"ack_frames,omitempty"`
	// CopyFrames are the frames of the same request with the same
	// credentials seen on another hop (forwarded by a proxy).
	CopyFrames []int `json:"copy_frames,omitempty"`

	// inviteCredentials are an INVITE's Authorization and
	// Proxy-Authorization values ("Kind:value", whitespace normalised),
	// which its ACK must repeat.
	inviteCredentials []string
	seq               int // the number in ID

	// Result and Credentials are the full reference result and the parsed
	// credentials, for rules. Credentials is valid only during the
	// OnExchange callback.
	Result      digest.Result      `json:"-"`
	Credentials digest.Credentials `json:"-"`
}

// pickCredentials chooses the credentials an exchange is about: the
// Authorization of a REGISTER, the Proxy-Authorization of other requests,
// else whichever is there; Digest before other schemes.
func pickCredentials(msg *Msg) (AuthField, bool) {
	first, second := ProxyAuthorization, Authorization
	if msg.Method == "REGISTER" {
		first, second = Authorization, ProxyAuthorization
	}
	for _, kind := range []AuthKind{first, second} {
		var any *AuthField
		for i, f := range msg.Auth {
			if f.Kind != kind {
				continue
			}
			if scheme, _, _ := strings.Cut(strings.TrimSpace(f.Value), " "); strings.EqualFold(scheme, "Digest") {
				return f, true
			}
			if any == nil {
				any = &msg.Auth[i]
			}
		}
		if any != nil {
			return *any, true
		}
	}
	return AuthField{}, false
}

func engineOf(k AuthKind) digest.Engine {
	if k == ProxyAuthorization || k == ProxyAuthenticate || k == ProxyAuthenticationInfo {
		return digest.Proxy
	}
	return digest.WWW
}

// exchange opens the exchange of a request that carries credentials and
// replays it through the reference at the request's time.
func (a *Analyzer) exchange(m *capture.Message, msg *Msg) *Exchange {
	pre := msg.prepare()
	if !pre.hasCreds {
		return nil
	}
	field := pre.field
	// The same request forwarded by a proxy (another hop of a capture on
	// several links) carries the same credentials, from another address,
	// within moments: it is the exchange already open, not a new one and
	// not a replay.
	hk := pre.hop
	if h, ok := a.hops[hk]; ok && h.client != m.Src && m.Time.Sub(h.at) <= hopWindow {
		if h.ex.seq > a.emitted {
			h.ex.CopyFrames = append(h.ex.CopyFrames, m.Frames...)
		}
		return nil
	}
	a.nextID++
	a.counter.Stats.AuthExchanges++
	// An exchange outlives the message: its strings are copies, and the
	// credentials are parsed from a copy of their field (by prepare).
	ex := &Exchange{
		seq: a.nextID,
		ID:  "e" + strconv.Itoa(a.nextID), Input: a.input, Frame: m.Frame(), Time: m.Time,
		CallID: msg.CallID, Method: msg.Method, Transport: m.Transport.String(),
		Client: a.addrs.text(m.Src), Server: a.addrs.text(m.Dst), Header: field.Kind.String(),
		Frames: append([]int(nil), m.Frames...), RequestURI: msg.RequestURI,
		From: msg.FromURI, To: msg.ToURI, UserAgent: msg.UserAgent,
		ResponseFrames: []int{}, ChallengeFrames: []int{}, Problems: []string{},
	}
	cloneTogether(&ex.CallID, &ex.RequestURI, &ex.From, &ex.To, &ex.UserAgent)
	if msg.Method == "INVITE" {
		ex.inviteCredentials = pre.credentials
	}
	a.hops[hk] = hop{ex: ex, client: m.Src, at: m.Time}
	a.hopOrder = append(a.hopOrder, hopAt{hk, m.Time})
	auths, err := pre.auths, pre.err
	if len(auths) == 0 {
		ex.Scheme, _, _ = strings.Cut(field.Value, " ")
		ex.Reference, ex.Reason = digest.Unverifiable.String(), "credentials do not parse: "+err.Error()
		return ex
	}
	au := auths[0]
	ex.Scheme = au.Scheme
	switch {
	case au.IsBasic():
		ex.Scheme = "Basic"
		user, pw, err := digest.ParseBasic(au)
		if err != nil {
			ex.Reference, ex.Reason = digest.Unverifiable.String(), err.Error()
			return ex
		}
		ex.Username = strings.Clone(user) // not a view into the decoded password
		r := a.ver.VerifyBasic(user, pw)
		clear(pw)
		ex.Result, ex.Reference, ex.Cause, ex.Reason = r, r.Verdict.String(), string(r.Cause), r.Reason
	case au.IsDigest():
		ex.Scheme = "Digest"
		c := pre.creds
		ex.Credentials = c
		ex.Username, ex.Realm, ex.QOP, ex.Nonce, ex.NC, ex.CNonce, ex.URI = c.Username, c.Realm, c.QOP, c.Nonce, c.NC, c.CNonce, c.URI
		ex.Algorithm = c.AlgorithmName
		if c.Algorithm != 0 {
			ex.Algorithm = c.Algorithm.String()
		}
		for _, p := range c.Problems {
			ex.Problems = append(ex.Problems, p.String())
		}
		engine := engineOf(field.Kind)
		r := a.ver.Verify(engine, c, digest.Request{Method: msg.Method, Body: []byte(msg.Body)}, m.Time)
		ex.Result, ex.Reference, ex.Cause, ex.Reason, ex.Work = r, r.Verdict.String(), string(r.Cause), r.Reason, r.Work
		ex.NonceState, ex.NCReplay, ex.AKA = r.Nonce.String(), r.NCReplay, r.AKA
		if r.Username != "" {
			ex.Username = r.Username
		}
		h := a.challengeHash(engine, c.Nonce)
		if ch, ok := a.challenges[h]; ok {
			ex.ChallengeFrames = append(append(ex.ChallengeFrames, ch.first), a.chMore[h]...)
		}
	default:
		ex.Reference, ex.Reason = digest.Unverifiable.String(), "scheme "+clipText(au.Scheme)+" is neither Digest nor Basic"
	}
	return ex
}

// preAuth is the part of the analysis of a message's authentication
// fields that depends on the message alone: done where it is scanned (in
// a Pipeline, on the decoder's goroutine, off the correlation's).
type preAuth struct {
	done bool
	// The credentials of a request that may open an exchange
	// (pickCredentials), their value cloned, and that value parsed.
	hasCreds bool
	field    AuthField
	hop      uint64 // hopKey
	auths    []digest.Auth
	err      error
	creds    digest.Credentials // when auths[0] is Digest
	// The Digest challenges of a 401 or 407 by engine (views of the
	// message), and whether one was stale.
	chs   [2][]digest.Challenge
	stale bool
	// fields are every challenge of a 401/407, Digest or not, for rules.
	fields []ChallengeField
	// credentials are every Authorization and Proxy-Authorization value
	// of an INVITE (what its ACK must repeat) or an ACK (what it
	// repeats), normalised (ackedCredentials); a new slice each time.
	credentials []string
}

// prepare fills m.pre, once.
func (m *Msg) prepare() *preAuth {
	p := &m.pre
	if p.done {
		return p
	}
	*p = preAuth{done: true, chs: [2][]digest.Challenge{p.chs[0][:0], p.chs[1][:0]}, fields: p.fields[:0]}
	switch {
	case m.Request && m.Method == "ACK":
		p.credentials = ackedCredentials(m)
	case m.Request && m.Method != "CANCEL":
		field, ok := pickCredentials(m)
		if !ok {
			return p
		}
		if m.Method == "INVITE" {
			p.credentials = ackedCredentials(m)
		}
		p.hop = hopKey(m, field.Value)
		field.Value = strings.Clone(field.Value)
		p.hasCreds, p.field = true, field
		p.auths, p.err = digest.Parse(field.Value)
		if len(p.auths) > 0 && !p.auths[0].IsBasic() && p.auths[0].IsDigest() {
			p.creds, _ = digest.ParseCredentials(p.auths[0])
		}
	case !m.Request && (m.Status == 401 || m.Status == 407):
		for _, f := range m.Auth {
			var e digest.Engine
			switch f.Kind {
			case WWWAuthenticate:
				e = digest.WWW
			case ProxyAuthenticate:
				e = digest.Proxy
			default:
				continue
			}
			// What parsed before a syntax error is still used.
			auths, _ := digest.Parse(f.Value)
			for _, au := range auths {
				ch, err := digest.ParseChallenge(au)
				if err == nil {
					p.chs[e] = append(p.chs[e], ch)
					p.stale = p.stale || ch.Stale
				}
				scheme := au.Scheme
				switch {
				case au.IsDigest():
					scheme = "Digest"
				case au.IsBasic():
					scheme = "Basic"
				}
				p.fields = append(p.fields, ChallengeField{Kind: f.Kind, Scheme: scheme, Challenge: ch})
			}
		}
	}
	return p
}

// answer completes an exchange with the final response of its
// transaction (stale: a 401/407 with stale=true), and checks the rspauth
// of a 2xx.
func (a *Analyzer) answer(ex *Exchange, m *capture.Message, msg *Msg, t *txn, stale bool) {
	a.ev.Exchange = ex
	ex.Status = msg.Status
	ex.ResponseFrames = append(ex.ResponseFrames[:0], m.Frames...)
	ex.ServerVerdict = serverVerdict(t.method, msg.Status, stale, t.provisional)
	if msg.Status >= 200 && msg.Status < 300 && ex.Scheme == "Digest" {
		want := AuthenticationInfo
		if ex.Header == ProxyAuthorization.String() {
			want = ProxyAuthenticationInfo
		}
		ex.RspAuth = "missing"
		if vals := msg.AuthValues(want); len(vals) > 0 {
			if au, err := digest.ParseParams(vals[0]); err == nil {
				ai := digest.ParseAuthInfo(au)
				if ai.RspAuth != "" {
					ex.RspAuth = a.ver.CheckRspAuth(ex.Credentials, ai, []byte(msg.Body)).Verdict.String()
				}
			} else {
				ex.RspAuth = digest.Unverifiable.String()
			}
		}
	}
	if t.method == "INVITE" && t.ackKey.callID != "" {
		if a.invites[t.ackKey] == t {
			delete(a.invites, t.ackKey)
		}
		if t.earlyAck != nil { // the ACK came first
			ack := *t.earlyAck
			t.earlyAck = nil
			a.acked(ex, ack)
			return
		}
		t.awaitAck = ex
		a.acks[t.ackKey] = t
		return
	}
	a.emit(ex)
}

func clipText(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}

// hop is an open exchange's request, to recognise its forwarded copies.
type hop struct {
	ex     *Exchange
	client netip.AddrPort
	at     time.Time
}

type hopAt struct {
	key uint64
	at  time.Time
}

// hopKey identifies a request with its credentials across hops: Call-ID,
// method and the credentials as sent, as a 64-bit hash (as txnHash).
// Proxies do not change those; some session border controllers renumber
// CSeq, so it is left out.
func hopKey(msg *Msg, creds string) uint64 { return hashStrings(msg.CallID, msg.Method, creds) }

// hopWindow is how soon after a request its forwarded copy is seen: a
// proxy relays within milliseconds. The same credentials later, or from
// the same client, are a new exchange (and a replay).
const hopWindow = 2 * time.Second

// expireHops forgets requests older than hopWindow.
func (a *Analyzer) expireHops() {
	n := 0
	for n < len(a.hopOrder) && a.now.Sub(a.hopOrder[n].at) > hopWindow {
		if h, ok := a.hops[a.hopOrder[n].key]; ok && h.at.Equal(a.hopOrder[n].at) {
			delete(a.hops, a.hopOrder[n].key)
		}
		n++
	}
	clear(a.hopOrder[:n])
	a.hopOrder = a.hopOrder[n:]
}
