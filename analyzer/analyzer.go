package analyzer

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
)

// Config tunes an Analyzer.
type Config struct {
	// Verifier is the reference the exchanges are replayed through. Nil
	// means one without credentials: digests are not judged, nonce
	// handling still is.
	Verifier *digest.Verifier
	// TransactionTimeout is how long, in capture time, a transaction is
	// kept after its last message: retransmissions within it are
	// recognised, and a request still unanswered after it has no
	// response. Zero means DefaultTransactionTimeout.
	TransactionTimeout time.Duration
	// MaxTransactions caps the transactions held; the oldest are closed
	// first. Zero means DefaultMaxTransactions.
	MaxTransactions int
	// MaxMessage is the largest message the sipgo parser accepts when
	// counting malformed messages. Zero means capture's default.
	MaxMessage int
	// OnExchange receives each auth exchange once it is complete (its
	// final response seen, or its transaction timed out). The value is
	// the caller's to keep.
	OnExchange func(*Exchange)
	// DialogTimeout is how long, in capture time, a dialog is kept after
	// its last message; MaxDialogs caps the dialogs held. Zero means the
	// defaults.
	DialogTimeout time.Duration
	MaxDialogs    int
	// OnDialog receives each dialog when it is over: 32 s after it
	// reached a final state (completed, rejected, busy, ...), or once idle
	// past DialogTimeout, or when the analysis is closed; so in the order
	// the dialogs ended, not the order they started.
	OnDialog func(*Dialog)
	// OnRegistration receives each AOR's registration timeline when the
	// analysis is closed.
	OnRegistration func(*Registration)
	// Rules, when set, runs the rules over everything the analysis sees.
	Rules *Engine
	// OnMessage receives every SIP message after the rules, with what
	// the analysis made of it (for the store). The event and its slices
	// are valid during the call only.
	OnMessage func(*MessageEvent)
}

// Defaults for Config.
const (
	// DefaultTransactionTimeout covers INVITE transactions that ring for
	// three minutes (RFC 3261 Timer C is more than 3 minutes).
	DefaultTransactionTimeout = 200 * time.Second
	DefaultMaxTransactions    = 1 << 20
	// DefaultDialogTimeout: calls without session timers can stay silent
	// for long; two hours of silence ends one.
	DefaultDialogTimeout = 2 * time.Hour
	DefaultMaxDialogs    = 1 << 20
)

// Analyzer correlates SIP messages, in capture order, into transactions
// and auth exchanges, and replays every exchange through the reference.
// It is pure: time comes from the messages. It is not safe for concurrent
// use.
type Analyzer struct {
	cfg     Config
	ver     *digest.Verifier
	counter *Counter
	input   string

	txns    map[uint64]*txn // by Msg.txnHash
	order   []*txn          // creation order, for expiry and the cap
	pending []*txn          // unanswered after linger

	// challenges are the nonces of the challenges seen (their frames, for
	// linking), by challengeHash; chOrder is the order they were seen.
	// Values only: tens of thousands of challenges in the window are
	// no objects for the garbage collector.
	challenges map[uint64]challengeSeen
	chMore     map[uint64][]int
	chOrder    []challengeAt
	chSeq      uint64
	chSeed     maphash.Seed

	regs     map[string]*Registration
	regOrder []*Registration

	acks map[ackKey]*txn
	// invites are the authenticated INVITEs still waiting for their
	// final response: an ACK can be seen before that response when the
	// capture comes from an agent with several processes (Kamailio's
	// siptrace mirrors the 200 it sends after the ACK it then receives).
	invites map[ackKey]*txn

	dialogs     map[uint64]*Dialog // by dialogHash
	dialogOrder []*Dialog
	doneDialogs []*Dialog // in a final state, in the order they got there
	nextDialog  int

	nextID    int
	emitted   int // exchanges handed out, in ID order
	ready     map[int]*Exchange
	now       time.Time
	expired   time.Time // when expiry last ran
	malformed *malformedChecker
	rules     *Engine
	ev        MessageEvent // the event of the message being added

	hops     map[uint64]hop // open exchanges' requests, by hopKey
	hopOrder []hopAt

	msg     Msg // the message being analyzed, its slices reused
	addrs   addrStrings
	scratch []byte // poison's copy of the message
}

// poison, set by the tests, makes Add scan a copy of each message that it
// overwrites afterwards: a string kept without a clone then shows as
// garbage in the results.
var poison bool

// challengeSeen is a challenge's entry in Analyzer.challenges: 16 bytes.
// The other frames of a response in several segments, rare, are in
// Analyzer.chMore.
type challengeSeen struct {
	seq   uint64
	first int // the response's first frame
}

type challengeAt struct {
	hash, seq uint64
	at        int64 // capture time, Unix nanoseconds
}

// challengeHash stands for a nonce of an engine (WWW or proxy): a 64-bit
// hash with the analyzer's random seed, as likely to collide as a 64-bit
// guess, and no copy of the nonce.
func (a *Analyzer) challengeHash(e digest.Engine, nonce string) uint64 {
	return maphash.String(a.chSeed, nonce) ^ uint64(e+1)*0x9e3779b97f4a7c15
}

// txn is one transaction (RFC 3261 17): a request, its retransmissions
// and its responses.
type txn struct {
	hash        uint64 // Msg.txnHash
	method      string
	created     time.Time
	moved       time.Time // when it last went to the pending queue
	last        time.Time
	retrans     int
	provisional bool // a 101-199 response: the request went on
	final       int
	ex          *Exchange
	reg         *regRequest
	// An authenticated INVITE's exchange waits for the ACK after the
	// final response, to see whether it repeats the credentials.
	awaitAck *Exchange
	ackKey   ackKey
	// earlyAck is an ACK seen before the final response.
	earlyAck *ackSeen
	closed   bool
}

// New returns an Analyzer.
func New(cfg Config) *Analyzer {
	if cfg.TransactionTimeout <= 0 {
		cfg.TransactionTimeout = DefaultTransactionTimeout
	}
	if cfg.MaxTransactions <= 0 {
		cfg.MaxTransactions = DefaultMaxTransactions
	}
	if cfg.DialogTimeout <= 0 {
		cfg.DialogTimeout = DefaultDialogTimeout
	}
	if cfg.MaxDialogs <= 0 {
		cfg.MaxDialogs = DefaultMaxDialogs
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = capture.DefaultLimits().MaxMessage
	}
	v := cfg.Verifier
	if v == nil {
		v = digest.NewVerifier(digest.Config{})
	}
	return &Analyzer{
		cfg: cfg, ver: v, counter: NewCounter(cfg.MaxMessage),
		txns: map[uint64]*txn{}, challenges: map[uint64]challengeSeen{}, chMore: map[uint64][]int{}, chSeed: maphash.MakeSeed(),
		dialogs: map[uint64]*Dialog{}, regs: map[string]*Registration{}, acks: map[ackKey]*txn{}, invites: map[ackKey]*txn{},
		ready: map[int]*Exchange{}, rules: cfg.Rules, hops: map[uint64]hop{},
	}
}

// Stats returns the counts. The malformed count is complete only after
// Close (the check runs on another goroutine).
func (a *Analyzer) Stats() *Stats { return a.counter.Stats }

// SetInput names the capture the following messages come from; exchanges
// carry it, since frame numbers are per file.
func (a *Analyzer) SetInput(path string) { a.input = path }

// Add analyzes one message. It may be called from a capture.Decoder
// callback: nothing of m is kept.
func (a *Analyzer) Add(m *capture.Message) {
	raw := m.Raw
	if poison {
		a.scratch = append(a.scratch[:0], raw...)
		raw = a.scratch
		defer func() {
			for i := range raw {
				raw[i] = 0xa5
			}
		}()
	}
	sl, ok := capture.ParseStartLine(raw)
	if !ok {
		return
	}
	// The message is scanned in place: the strings of msg are views of
	// m.Raw, valid during this call only. Whatever outlives it (keys,
	// exchanges, dialogs, registrations, nonces) is cloned.
	msg := &a.msg
	msg.scan(sl, unsafe.String(unsafe.SliceData(raw), len(raw)))
	a.process(m, sl, msg, a.counter.WellFormed(raw))
}

// process analyzes one SIP message, scanned into msg; wellFormed is the
// fast check's verdict on it.
func (a *Analyzer) process(m *capture.Message, sl capture.StartLine, msg *Msg, wellFormed bool) {
	a.counter.countLine(sl)
	// Ordinary messages are vouched for by the fast check; sipgo, on the
	// second core, decides the rest.
	if !wellFormed {
		if a.malformed == nil {
			a.malformed = newMalformedChecker(a.cfg.MaxMessage)
		}
		a.malformed.add(strings.Clone(msg.text))
	}
	if m.Time.After(a.now) {
		a.advance(m.Time)
	}
	observe := a.rules != nil || a.cfg.OnMessage != nil
	if observe {
		a.ev = MessageEvent{Msg: msg, Input: a.input, Frames: m.Frames, Time: m.Time,
			Src: m.Src, Dst: m.Dst, Transport: m.Transport.String(), Raw: m.Raw, addrs: &a.addrs}
		if !msg.Request {
			a.ev.RequestMethod = msg.CSeqMethod
		}
	}
	a.dialog(m, msg)
	if msg.Request {
		a.request(m, msg)
	} else {
		a.response(m, msg)
	}
	if observe {
		if a.rules != nil {
			a.rules.message(&a.ev)
		}
		if a.cfg.OnMessage != nil {
			a.cfg.OnMessage(&a.ev)
		}
		a.ev = MessageEvent{}
	}
}

// advance moves capture time on to now (after a.now).
func (a *Analyzer) advance(now time.Time) {
	a.now = now
	// Expiry works in whole seconds of capture time: timeouts are
	// tens of seconds, and a check per message would cost more than
	// the rest of the message's analysis.
	if a.now.Sub(a.expired) >= time.Second {
		a.expired = a.now
		a.expire(false)
		if a.rules != nil {
			a.rules.tick(a.now)
		}
	}
}

// Advance moves capture time on to now without a message, as a live
// capture's clock does while the link is quiet: transactions and
// challenges time out, and time-driven rules run. A time before the
// last message's is ignored.
func (a *Analyzer) Advance(now time.Time) {
	if now.After(a.now) {
		a.advance(now)
	}
}

// Close ends the analysis: every pending exchange is completed (with no
// response, or accepted when a provisional response showed the request
// went on).
func (a *Analyzer) Close() {
	if a.malformed != nil {
		a.counter.Stats.Malformed += a.malformed.close()
		a.malformed = nil
	}
	a.expire(true)
	a.expireDialogs(true)
	if a.rules != nil {
		a.rules.tick(a.now)
	}
	a.closeRegistrations()
	if a.rules != nil {
		a.rules.finish()
	}
}

// txnHash returns the key of m's transaction: the top Via's branch (with
// the RFC 3261 magic cookie), sent-by and method (17.1.3, 17.2.3; CANCEL
// and ACK get their own), or for RFC 2543 peers the Call-ID, CSeq, From
// tag and sent-by; length-prefixed into one string, held as its 64-bit
// hash (maphash, a random seed per process: a collision is as likely as
// a 64-bit guess, and no transaction holds a copy of its key). It is
// computed once per message, on the decoder's goroutine in a Pipeline.
func (m *Msg) txnHash() uint64 {
	if m.txn != 0 {
		return m.txn
	}
	method := m.CSeqMethod
	if m.Request {
		method = m.Method
	}
	var buf [256]byte
	b := buf[:0]
	if strings.HasPrefix(m.Branch, "z9hG4bK") {
		b = append(b, 'b')
		b = appendField(b, m.Branch)
	} else {
		b = append(b, 'c')
		b = appendField(b, m.CallID)
		b = appendField(b, m.FromTag)
		b = binary.BigEndian.AppendUint32(b, m.CSeq)
	}
	b = appendField(b, lowerASCII(m.SentBy))
	b = appendField(b, method)
	m.txn = maphash.Bytes(keySeed, b) | 1 // never 0: 0 is "not computed"
	return m.txn
}

// keySeed seeds the hashes of transaction, dialog and hop keys.
var keySeed = maphash.MakeSeed()

// hashStrings is the 64-bit hash (keySeed) of the parts, each ended by a
// 0 byte so that ("ab", "c") and ("a", "bc") differ; nothing is copied.
func hashStrings(parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(keySeed)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// lowerASCII is strings.ToLower, without allocating when s is ASCII and
// already lower case.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || ('A' <= c && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}

func (a *Analyzer) request(m *capture.Message, msg *Msg) {
	h := msg.txnHash()
	if t := a.txns[h]; t != nil && !t.closed {
		a.ev.Retransmission = true
		t.retrans++
		t.last = m.Time
		if t.ex != nil {
			t.ex.Retransmissions++
		}
		return
	}
	t := &txn{hash: h, method: msg.Method, last: m.Time, created: m.Time}
	a.txns[h] = t
	a.order = append(a.order, t)
	a.counter.Stats.Transactions++
	if len(a.txns) > a.cfg.MaxTransactions {
		a.evictOldest()
	}
	switch msg.Method {
	case "ACK", "CANCEL":
		// Not exchanges of their own: they cannot be challenged and
		// repeat the INVITE's credentials (RFC 3261 22.1).
		if msg.Method == "ACK" {
			a.ack(m, msg)
		}
	default:
		t.ex = a.exchange(m, msg)
		a.ev.Exchange = t.ex
	}
	switch msg.Method {
	case "INVITE":
		if t.ex != nil {
			t.ackKey = ackKey{msg.CallID, msg.CSeq, msg.FromTag}
			cloneTogether(&t.ackKey.callID, &t.ackKey.fromTag)
			a.invites[t.ackKey] = t
		}
	case "REGISTER":
		rq := &regRequest{aor: msg.ToURI, contacts: slices.Clone(msg.Contacts), expires: msg.Expires, source: a.addrs.text(m.Src), callID: msg.CallID}
		ps := []*string{&rq.aor, &rq.callID}
		for i := range rq.contacts {
			ps = append(ps, &rq.contacts[i])
		}
		cloneTogether(ps...)
		t.reg = rq
	case "NOTIFY":
		a.regEvent(m, msg)
	}
}

func (a *Analyzer) response(m *capture.Message, msg *Msg) {
	t := a.txns[msg.txnHash()]
	if t != nil && !t.closed {
		t.last = m.Time
	}
	switch {
	case msg.Status < 200:
		if t != nil && msg.Status > 100 {
			t.provisional = true
		}
		return
	case t != nil && t.final != 0:
		t.retrans++ // a retransmitted final response
		a.ev.Retransmission = true
		return
	}
	stale := false
	if msg.Status == 401 || msg.Status == 407 {
		stale = a.challenged(m, msg, msg.CSeqMethod == "REGISTER")
	}
	if t == nil || t.closed {
		return // the request is not in the capture
	}
	t.final = msg.Status
	if t.reg != nil && msg.Status != 401 && msg.Status != 407 {
		a.registered(t.reg, m, msg)
		t.reg = nil
	}
	if ex := t.ex; ex != nil {
		t.ex = nil
		a.answer(ex, m, msg, t, stale)
	}
}

// challenged feeds a 401 or 407 to the reference: the nonces it issues
// become known, and a new REGISTER challenge ends the previous
// authentication of the same UE (TS 33.203 N.2.2.3).
func (a *Analyzer) challenged(m *capture.Message, msg *Msg, register bool) (stale bool) {
	pre := msg.prepare()
	byEngine, stale := pre.chs, pre.stale
	a.ev.Challenges = pre.fields
	// The registering UE: its AOR and its Call-ID, which a UA keeps for
	// all its registrations to a registrar (RFC 3261 10.2). Several
	// devices sharing an account register with different Call-IDs; one
	// device's new challenge does not end another's.
	identity := ""
	if register {
		identity = msg.ToURI + "\x00" + msg.CallID
	}
	for e, chs := range byEngine {
		if len(chs) == 0 {
			continue
		}
		a.ver.Challenged(digest.Engine(e), identity, register, chs, m.Time)
		for _, ch := range chs {
			if len(m.Frames) == 0 {
				continue
			}
			h := a.challengeHash(digest.Engine(e), ch.Nonce)
			a.chSeq++
			a.challenges[h] = challengeSeen{seq: a.chSeq, first: m.Frames[0]}
			if len(m.Frames) > 1 {
				a.chMore[h] = append([]int(nil), m.Frames[1:]...)
			} else {
				delete(a.chMore, h)
			}
			a.chOrder = append(a.chOrder, challengeAt{hash: h, seq: a.chSeq, at: m.Time.UnixNano()})
		}
	}
	a.trimChallenges()
	return stale
}

// challengeMemory is how long a challenge is remembered for linking: a
// nonce older than twice Kamailio's lifetime is stale anyway.
const challengeMemory = 2 * digest.DefaultNonceLifetime

func (a *Analyzer) trimChallenges() {
	for len(a.chOrder) > a.cfg.MaxTransactions {
		a.dropChallenge()
	}
}

func (a *Analyzer) expireChallenges() {
	limit := a.now.UnixNano() - int64(challengeMemory)
	for len(a.chOrder) > 0 && a.chOrder[0].at < limit {
		a.dropChallenge()
	}
}

func (a *Analyzer) dropChallenge() {
	c := a.chOrder[0]
	if a.challenges[c.hash].seq == c.seq {
		delete(a.challenges, c.hash)
		delete(a.chMore, c.hash)
	}
	a.chOrder = a.chOrder[1:]
}

// linger is how long a transaction is kept after its final response, to
// recognise retransmissions (RFC 3261 Timer J and H: 64*T1 = 32 s).
const linger = 32 * time.Second

// expire closes transactions that are done (final response more than
// linger ago) or have waited longer than the transaction timeout without
// one (all of them when all is set), completing their pending exchanges.
// Transactions sit in creation order in a.order; those still pending
// after linger move to a.pending, which is re-examined every linger, so
// neither queue is held up for long by a slow one.
func (a *Analyzer) expire(all bool) {
	done := func(t *txn) bool {
		return t.closed || all ||
			(t.final != 0 && a.now.Sub(t.last) > linger) ||
			a.now.Sub(t.last) > a.cfg.TransactionTimeout
	}
	n := 0
	for n < len(a.order) {
		t := a.order[n]
		if !all && a.now.Sub(t.created) <= linger {
			break
		}
		if done(t) {
			a.close(t)
		} else {
			t.moved = a.now
			a.pending = append(a.pending, t)
		}
		n++
	}
	clear(a.order[:n]) // popped from the front: no copying, no pinning
	a.order = a.order[n:]
	n = 0
	var again []*txn
	for n < len(a.pending) {
		t := a.pending[n]
		if !all && a.now.Sub(t.moved) <= linger {
			break
		}
		if done(t) {
			a.close(t)
		} else {
			t.moved = a.now
			again = append(again, t)
		}
		n++
	}
	clear(a.pending[:n])
	a.pending = append(a.pending[n:], again...)
	if !all {
		a.expireDialogs(false)
		a.expireChallenges()
		a.expireHops()
	}
}

func (a *Analyzer) evictOldest() {
	for len(a.txns) > a.cfg.MaxTransactions && len(a.pending) > 0 {
		a.close(a.pending[0])
		a.pending[0] = nil
		a.pending = a.pending[1:]
	}
	for len(a.txns) > a.cfg.MaxTransactions && len(a.order) > 0 {
		a.close(a.order[0])
		a.order[0] = nil
		a.order = a.order[1:]
	}
}

func (a *Analyzer) close(t *txn) {
	if t.closed {
		return
	}
	t.closed = true
	if a.txns[t.hash] == t {
		delete(a.txns, t.hash)
	}
	if a.invites[t.ackKey] == t {
		delete(a.invites, t.ackKey)
	}
	if ex := t.ex; ex != nil {
		t.ex = nil
		ex.ServerVerdict = serverVerdict(t.method, 0, false, t.provisional)
		a.emit(ex)
	}
	if ex := t.awaitAck; ex != nil {
		t.awaitAck = nil
		delete(a.acks, t.ackKey)
		a.emit(ex) // no ACK seen
	}
}

// ackKey finds the INVITE an ACK acknowledges: Call-ID, CSeq number and
// From tag (an ACK to a 2xx is a new transaction, RFC 3261 17.1.1.3).
type ackKey struct {
	callID  string
	cseq    uint32
	fromTag string
}

// ack records whether an ACK repeats the credentials of the INVITE it
// acknowledges (RFC 3261 22.1; SA403), and completes that exchange.
func (a *Analyzer) ack(m *capture.Message, msg *Msg) {
	key := ackKey{msg.CallID, msg.CSeq, msg.FromTag}
	t := a.acks[key]
	if t == nil || t.awaitAck == nil {
		if t = a.invites[key]; t != nil && t.earlyAck == nil {
			// before the final response: kept until it comes
			t.earlyAck = &ackSeen{auths: msg.prepare().credentials, frames: append([]int(nil), m.Frames...)}
		}
		return
	}
	ex := t.awaitAck
	t.awaitAck = nil
	delete(a.acks, t.ackKey)
	a.acked(ex, ackSeen{auths: msg.prepare().credentials, frames: m.Frames})
}

// ackSeen is what an ACK says about the credentials: its Authorization
// and Proxy-Authorization values, normalised, and its frames.
type ackSeen struct {
	auths  []string
	frames []int
}

func ackedCredentials(msg *Msg) []string {
	var acked []string
	for _, f := range msg.Auth {
		if f.Kind == Authorization || f.Kind == ProxyAuthorization {
			acked = append(acked, f.Kind.String()+":"+strings.Join(strings.Fields(f.Value), " "))
		}
	}
	return acked
}

// acked completes an INVITE's exchange with its ACK: every Authorization
// and Proxy-Authorization value of the INVITE must be repeated (RFC 3261
// 22.1), not only the one judged.
func (a *Analyzer) acked(ex *Exchange, ack ackSeen) {
	repeated := 0
	for _, v := range ex.inviteCredentials {
		if slices.Contains(ack.auths, v) {
			repeated++
		}
	}
	switch {
	case repeated == len(ex.inviteCredentials):
		ex.AckCredentials = "same"
	case len(ack.auths) == 0:
		ex.AckCredentials = "missing"
	default:
		ex.AckCredentials = "different"
	}
	ex.AckFrames = append([]int(nil), ack.frames...)
	a.emit(ex)
}

// emit hands out a completed exchange. Exchanges complete in answer
// order; they are handed out in request order (their IDs), each as soon
// as every earlier one is complete. The wait is bounded: an exchange
// completes at the latest when its transaction times out.
func (a *Analyzer) emit(ex *Exchange) {
	a.ready[ex.seq] = ex
	for {
		next, ok := a.ready[a.emitted+1]
		if !ok {
			return
		}
		delete(a.ready, a.emitted+1)
		a.emitted++
		if a.rules != nil {
			a.rules.exchange(next)
		}
		if a.cfg.OnExchange != nil {
			a.cfg.OnExchange(next)
		}
		// The parsed credentials serve the callback (rules); what the
		// report keeps is in the exchange's own fields.
		next.Credentials = digest.Credentials{}
		next.inviteCredentials = nil
	}
}

// serverVerdict is what the real server did with credentials, by the
// final status (interface.md): accepted (2xx, or the request went on),
// rejected (403, or any other failure of a REGISTER, which the
// registrar answers itself), challenged (401/407), stale (401/407 with
// stale=true), no-response. A non-REGISTER request that fails with
// another status (486 Busy, 404 from the callee) was let through by the
// authenticating proxy: accepted.
func serverVerdict(method string, status int, stale, provisional bool) string {
	switch {
	case status == 0 && provisional:
		return "accepted"
	case status == 0:
		return "no-response"
	case status < 300:
		return "accepted"
	case status == 401 || status == 407:
		if stale {
			return "stale"
		}
		return "challenged"
	case status == 403, method == "REGISTER":
		return "rejected"
	}
	return "accepted"
}

func itoa(n int) string { return strconv.Itoa(n) }
