package rules

import (
	"hash/maphash"
	"iter"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// maxTracked bounds every per-key table a rule keeps (users, sources,
// nonces): past it the oldest entries are forgotten, so memory does not
// grow with the capture.
const maxTracked = 1 << 16

// exFinding returns a finding about an exchange: its frames (challenge,
// request, response), time, endpoints, Call-ID and user.
func exFinding(ex *analyzer.Exchange, key, msg string) finding.Finding {
	frames := make([]int, 0, len(ex.ChallengeFrames)+len(ex.Frames)+len(ex.ResponseFrames))
	frames = append(frames, ex.ChallengeFrames...)
	frames = append(frames, ex.Frames...)
	frames = append(frames, ex.ResponseFrames...)
	return finding.Finding{
		Message: msg, CallID: ex.CallID, Exchange: ex.ID, Frames: sortedFrames(frames), Time: ex.Time,
		Input: ex.Input, Client: ex.Client, Server: ex.Server, Transport: ex.Transport,
		Username: ex.Username, Key: key,
	}
}

// evFinding returns a finding about one message. For a request the
// client is its source; for a response, its destination.
func evFinding(ev *analyzer.MessageEvent, key, msg string) finding.Finding {
	client, server := ev.SrcText(), ev.DstText()
	if !ev.Msg.Request {
		client, server = server, client
	}
	f := finding.Finding{
		Message: msg, CallID: strings.Clone(ev.Msg.CallID), Frames: slices.Clone(ev.Frames), Time: ev.Time,
		Input: ev.Input, Client: client, Server: server, Transport: ev.Transport, Key: key,
	}
	if ev.Exchange != nil {
		f.Exchange, f.Username = ev.Exchange.ID, ev.Exchange.Username
	}
	return f
}

func sortedFrames(fs []int) []int {
	slices.Sort(fs)
	return slices.Compact(fs)
}

func addr(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// host is the address of an endpoint without its port.
func host(endpoint string) string {
	if ap, err := netip.ParseAddrPort(endpoint); err == nil {
		return ap.Addr().String()
	}
	return endpoint
}

// accepted: the server let the request through (interface.md).
func accepted(ex *analyzer.Exchange) bool { return ex.ServerVerdict == "accepted" }

// refused: the server rejected the request or challenged it again
// without stale=true.
func refused(ex *analyzer.Exchange) bool {
	return ex.ServerVerdict == "rejected" || ex.ServerVerdict == "challenged"
}

// status says what the server answered, for messages.
func status(ex *analyzer.Exchange) string {
	if ex.Status == 0 {
		return ex.ServerVerdict
	}
	return strconv.Itoa(ex.Status)
}

// who names the user of an exchange for a message.
func who(ex *analyzer.Exchange) string {
	u := ex.Username
	if u == "" {
		u = "(no username)"
	}
	return quote(u)
}

// quote clips and quotes captured text for a message: reports escape it
// again for their medium.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strconv.Quote(s)
}

// frameOf names the frame that completed an exchange's request.
func frameOf(ex *analyzer.Exchange) string { return "frame " + strconv.Itoa(ex.Frame) }

// userPart returns the user part of a SIP/SIPS URI, or the number of a
// tel URI, lower-cased; "" when there is none.
func userPart(uri string) string {
	u := strings.Trim(strings.TrimSpace(uri), "<>")
	lower := strings.ToLower(u)
	switch {
	case strings.HasPrefix(lower, "sip:"):
		u = u[4:]
	case strings.HasPrefix(lower, "sips:"):
		u = u[5:]
	case strings.HasPrefix(lower, "tel:"):
		u = u[4:]
		if i := strings.IndexByte(u, ';'); i >= 0 {
			u = u[:i]
		}
		return strings.ToLower(u)
	default:
		return ""
	}
	at := strings.LastIndexByte(u, '@')
	if at < 0 {
		return ""
	}
	u = u[:at]
	if i := strings.IndexByte(u, ';'); i >= 0 {
		u = u[:i] // user parameters
	}
	return strings.ToLower(u)
}

// userAtHost returns user@host of a SIP URI, lower-cased.
func userAtHost(uri string) string {
	k := analyzer.AORKey(uri)
	for _, p := range []string{"sip:", "sips:"} {
		if strings.HasPrefix(k, p) {
			k = k[len(p):]
			if i := strings.LastIndexByte(k, ':'); i > strings.LastIndexByte(k, '@') && i >= 0 && !strings.Contains(k[i:], "]") {
				k = k[:i] // the port
			}
			return k
		}
	}
	return ""
}

// isMD5Family reports whether an algorithm is MD5 or MD5-sess (not AKA).
func isMD5Family(a digest.Algorithm) bool { return a == digest.MD5 || a == digest.MD5Sess }

// isStrong reports whether an algorithm is SHA-256 or SHA-512/256, with
// or without -sess.
func isStrong(a digest.Algorithm) bool {
	switch a {
	case digest.SHA256, digest.SHA256Sess, digest.SHA512_256, digest.SHA512_256Sess:
		return true
	}
	return false
}

// challengeAlgorithm is the algorithm a Digest challenge offers (absent
// means MD5, RFC 7616 3.3).
func challengeAlgorithm(ch digest.Challenge) digest.Algorithm {
	if ch.AlgorithmName == "" {
		return digest.MD5
	}
	return ch.Algorithm
}

// digestChallenges yields the Digest challenges of an event, without
// copying them.
func digestChallenges(ev *analyzer.MessageEvent) iter.Seq[*analyzer.ChallengeField] {
	return func(yield func(*analyzer.ChallengeField) bool) {
		for i := range ev.Challenges {
			if c := &ev.Challenges[i]; c.Scheme == "Digest" && !yield(c) {
				return
			}
		}
	}
}

// window is a bounded table of keys, each with the time it was first
// put, forgotten in that order once older than a span or past the cap.
// Keys are held as 64-bit hashes (maphash, random seed): tables of
// nonces, Call-IDs and addresses cost no copy of the strings, and a
// collision is as likely as a 64-bit guess. Entries are values in the
// map and in the queue (no object per key): a window of a hundred
// thousand keys costs the garbage collector two spans, not a hundred
// thousand objects.
type window[V any] struct {
	span  time.Duration
	seed  maphash.Seed
	items map[uint64]slot[V]
	// order is the keys in first-put order; an entry whose key was
	// deleted (or deleted and put again: another seq) is skipped.
	order []queued
	seq   uint64
}

type slot[V any] struct {
	seq uint64
	val V
}

type queued struct {
	key, seq uint64
	at       int64 // capture time, Unix nanoseconds
}

func newWindow[V any](span time.Duration) *window[V] {
	return &window[V]{span: span, seed: maphash.MakeSeed(), items: map[uint64]slot[V]{}}
}

func (w *window[V]) get(key string) (V, bool) { return w.getH(maphash.String(w.seed, key)) }

func (w *window[V]) put(key string, at time.Time, v V) { w.putH(maphash.String(w.seed, key), at, v) }

func (w *window[V]) delete(key string) { w.deleteH(maphash.String(w.seed, key)) }

// hash2 is the key of a pair of strings, without concatenating them (a
// key of the ...H methods; a window uses either these or the string
// methods).
func (w *window[V]) hash2(a, b string) uint64 { return hashStrings(w.seed, a, b) }

// hashStrings is the 64-bit hash of the parts with seed, each ended by a
// 0 byte so that ("ab", "c") and ("a", "bc") differ; nothing is copied.
func hashStrings(seed maphash.Seed, parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

func (w *window[V]) getH(h uint64) (V, bool) {
	e, ok := w.items[h]
	return e.val, ok
}

// putH sets the value of key h. A key already held keeps its place (and
// the time it was first put): windows forget in first-seen order.
func (w *window[V]) putH(h uint64, at time.Time, v V) {
	if e, ok := w.items[h]; ok {
		e.val = v
		w.items[h] = e
		return
	}
	w.seq++
	w.items[h] = slot[V]{seq: w.seq, val: v}
	w.order = append(w.order, queued{key: h, seq: w.seq, at: at.UnixNano()})
	for len(w.items) > maxTracked {
		w.pop()
	}
}

func (w *window[V]) deleteH(h uint64) { delete(w.items, h) }

// live says whether q is still its key's entry.
func (w *window[V]) live(q queued) (V, bool) {
	e, ok := w.items[q.key]
	if !ok || e.seq != q.seq {
		var zero V
		return zero, false
	}
	return e.val, true
}

// pop forgets the oldest key.
func (w *window[V]) pop() {
	for len(w.order) > 0 {
		q := w.order[0]
		w.order = w.order[1:]
		if _, ok := w.live(q); ok {
			delete(w.items, q.key)
			return
		}
	}
}

// expire removes, and returns in age order, the values of the keys put
// more than span before now.
func (w *window[V]) expire(now time.Time) []V {
	var out []V
	limit := now.UnixNano() - int64(w.span)
	for len(w.order) > 0 {
		q := w.order[0]
		v, ok := w.live(q)
		if ok && q.at >= limit {
			break
		}
		w.order = w.order[1:]
		if ok {
			delete(w.items, q.key)
			out = append(out, v)
		}
	}
	return out
}

// framesText lists frame numbers for a message: "12, 13".
func framesText(fs []int) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = strconv.Itoa(f)
	}
	return strings.Join(parts, ", ")
}

func itoa(n int) string { return strconv.Itoa(n) }

// an puts the indefinite article before a method name: "an INVITE", "a
// REGISTER" (capitalised when first).
func an(method string, first bool) string {
	a := "a "
	if method != "" && strings.ContainsRune("AEIOUaeiou", rune(method[0])) {
		a = "an "
	}
	if first {
		a = strings.ToUpper(a[:1]) + a[1:]
	}
	return a + method
}

// framesLabel is "frame 12" or "frames 12, 13".
func framesLabel(fs []int) string {
	if len(fs) == 1 {
		return "frame " + strconv.Itoa(fs[0])
	}
	return "frames " + framesText(fs)
}
