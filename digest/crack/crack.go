package crack

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// MaxWordLen is the longest word Run tries, in bytes, once the line
// terminator is removed. Longer lines are skipped, not truncated, and
// counted in Stats.Skipped.
const MaxWordLen = 4096

// MaxWorkers caps Options.Workers: each worker may bring two 1 MiB buffers.
const MaxWorkers = 256

// defaultChunkSize is how much of the word list one worker takes at a time.
const defaultChunkSize = 1 << 20

// Options tunes Run. The zero value is ready to use.
type Options struct {
	// Workers is the number of goroutines that hash candidates; 0 or less
	// means runtime.GOMAXPROCS(0), and more than MaxWorkers means
	// MaxWorkers.
	Workers int

	// chunkSize and maxWord override defaultChunkSize and MaxWordLen when
	// positive; the tests shrink them to put many lines across chunk
	// boundaries.
	chunkSize int
	maxWord   int
}

// Result is the outcome for the target at Index in the slice given to Run.
type Result struct {
	// Index is the position of the target in Run's targets.
	Index int
	// Password is the recovered password; it is meaningful only if Found.
	Password string
	// Found reports whether a word of the list produced the response.
	Found bool
}

// Stats counts what Run did.
type Stats struct {
	// Candidates is the number of words tried; each was tried against
	// every target not yet cracked.
	Candidates int64
	// Skipped is the number of lines longer than MaxWordLen.
	Skipped int64
	// Bytes is the number of bytes read from the word list.
	Bytes int64
}

// errNilWords reports a nil word list.
var errNilWords = errors.New("crack: nil word list")

// Check reports whether password produces t's response. It is false for a
// target that does not Validate.
func Check(t Target, password []byte) bool {
	p, err := newPlan([]Target{t})
	if err != nil {
		return false
	}
	newWorker(p, len(password)).try([][]byte{password})
	return p.found[0].Load()
}

// CheckFirst tries passwords in order against t and returns the index of
// the first that produces t's response, or -1 when none does or t does
// not Validate. It hashes the scalar way without building a plan: for a
// handful of guesses (the trivial passwords of SA106, once per user) the
// multi-lane state would cost more to build than the hashing.
func CheckFirst(t Target, passwords [][]byte) int {
	v, err := t.parse()
	if err != nil {
		return -1
	}
	tail, sessTail := tails(t, v)
	size := v.kind.size()
	var buf [512]byte
	a1 := append(append(append(append(buf[:0], t.Username...), ':'), t.Realm...), ':')
	prefix := len(a1)
	var fin, sess []byte
	for i, pw := range passwords {
		a1 = append(a1[:prefix], pw...)
		d := sum(v.kind, a1)
		var ha1 [64]byte
		putHex(ha1[:2*size], d[:size])
		if v.sess {
			sess = append(append(sess[:0], ha1[:2*size]...), sessTail...)
			d := sum(v.kind, sess)
			putHex(ha1[:2*size], d[:size])
		}
		fin = append(append(fin[:0], ha1[:2*size]...), tail...)
		if sum(v.kind, fin) == v.want {
			return i
		}
	}
	return -1
}

// Run tries every word of the list read from words against every target
// and returns one Result per target, in order, with what was tried.
//
// All targets are validated first; an invalid one fails the whole run with
// its *FieldError, annotated with its index. Run reads words once, on
// opt.Workers goroutines, and returns as soon as every target is cracked or
// the list ends. If ctx is cancelled first it returns the results so far
// with ctx.Err(); a read error is returned wrapped, also with the results
// so far.
func Run(ctx context.Context, targets []Target, words io.Reader, opt Options) ([]Result, Stats, error) {
	var st Stats
	if ctx == nil {
		ctx = context.Background()
	}
	p, err := newPlan(targets)
	if err != nil {
		return nil, st, err
	}
	if len(targets) == 0 {
		return p.results, st, nil
	}
	if words == nil {
		return p.results, st, errNilWords
	}
	if err := ctx.Err(); err != nil {
		return p.results, st, err
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, MaxWorkers)
	maxWord := opt.maxWord
	if maxWord <= 0 {
		maxWord = MaxWordLen
	}
	chunk := opt.chunkSize
	if chunk <= 0 {
		chunk = defaultChunkSize
	}
	chunk = max(chunk, maxWord+2) // room for a carried line and one more byte

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.onDone = cancel

	nbuf := 2*workers + 1
	pool := make(chan []byte, nbuf) // buffers come back here; reader makes them
	work := make(chan job, nbuf)

	var wg sync.WaitGroup
	var candidates, skipped atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(p, maxWord)
			for j := range work {
				if rctx.Err() == nil {
					w.scan(rctx, j.data, maxWord)
				}
				pool <- j.buf
			}
			candidates.Add(w.candidates)
			skipped.Add(w.skipped)
		}()
	}
	rd := reader{maxWord: maxWord, chunk: chunk, nbuf: nbuf}
	readErr := rd.run(rctx, words, pool, work)
	wg.Wait()

	st = Stats{Candidates: candidates.Load(), Skipped: skipped.Load() + rd.skipped, Bytes: rd.bytes}
	if readErr != nil {
		return p.results, st, fmt.Errorf("crack: read word list: %w", readErr)
	}
	if p.left.Load() > 0 {
		if err := ctx.Err(); err != nil {
			return p.results, st, err
		}
	}
	return p.results, st, nil
}

// ptarget is a target with everything that does not depend on the
// password computed once.
type ptarget struct {
	kind  hashKind
	sess  bool
	group int
	// sessTail is ":" nonce ":" cnonce, appended to hex H(A1) for -sess.
	sessTail []byte
	// tail follows hex H(A1) in the final hash input:
	// ":" nonce ":" nc ":" cnonce ":" qop ":" hex H(A2), or
	// ":" nonce ":" hex H(A2) without qop.
	tail  []byte
	want  [32]byte
	wantW [4]uint32 // for MD5: want as little-endian state words
	// finMsg and sessMsg are tail and sessTail laid out for the multi-lane
	// MD5; workers copy them.
	finMsg, sessMsg hexMsg
}

// group is the targets whose H(username ":" realm ":" password) is the
// same for every password.
type group struct {
	kind    hashKind
	prefix  []byte // username ":" realm ":"
	targets []int
	left    atomic.Int32 // targets not yet cracked
}

// plan is the shared, read-mostly state of one attack.
type plan struct {
	targets   []ptarget
	groups    []group
	found     []atomic.Bool
	left      atomic.Int64
	results   []Result
	maxPrefix int
	onDone    func() // called once every target is cracked
}

func newPlan(targets []Target) (*plan, error) {
	p := &plan{
		targets: make([]ptarget, len(targets)),
		found:   make([]atomic.Bool, len(targets)),
		results: make([]Result, len(targets)),
	}
	type key struct {
		kind   hashKind
		prefix string
	}
	index := make(map[key]int)
	var members [][]int
	for i, t := range targets {
		v, err := t.parse()
		if err != nil {
			return nil, fmt.Errorf("%w (target %d)", err, i)
		}
		pt := &p.targets[i]
		pt.kind, pt.sess, pt.want = v.kind, v.sess, v.want
		for k := range pt.wantW {
			pt.wantW[k] = binary.LittleEndian.Uint32(v.want[4*k:])
		}
		pt.tail, pt.sessTail = tails(t, v)
		if v.kind == kindMD5 {
			pt.finMsg = newHexMsg(pt.tail)
			if v.sess {
				pt.sessMsg = newHexMsg(pt.sessTail)
			}
		}

		k := key{v.kind, t.Username + ":" + t.Realm + ":"}
		g, ok := index[k]
		if !ok {
			g = len(members)
			index[k] = g
			members = append(members, nil)
		}
		members[g] = append(members[g], i)
		pt.group = g
		p.results[i].Index = i
	}
	p.groups = make([]group, len(members))
	for k, g := range index {
		gr := &p.groups[g]
		gr.kind, gr.prefix, gr.targets = k.kind, []byte(k.prefix), members[g]
		gr.left.Store(int32(len(members[g])))
		p.maxPrefix = max(p.maxPrefix, len(k.prefix))
	}
	p.left.Store(int64(len(targets)))
	return p, nil
}

// tails returns what follows HEX(H(A1)) in the response's hash input
// (":nonce[:nc:cnonce:qop]:HEX(H(A2))", RFC 7616 3.4.1) and, for a -sess
// algorithm, in the session key's (":nonce:cnonce", else nil).
func tails(t Target, v parsed) (tail, sessTail []byte) {
	hexLen := 2 * v.kind.size()
	a2 := make([]byte, 0, len(t.Method)+len(t.URI)+2+hexLen)
	a2 = append(append(append(a2, t.Method...), ':'), t.URI...)
	if v.qop == qopAuthInt {
		a2 = append(a2, ':')
		for j := 0; j < len(t.BodyHash); j++ {
			a2 = append(a2, lower(t.BodyHash[j]))
		}
	}
	ha2 := sum(v.kind, a2)
	tail = make([]byte, 0, 6+len(t.Nonce)+len(t.NC)+len(t.CNonce)+len(t.QOP)+hexLen)
	tail = append(append(tail, ':'), t.Nonce...)
	if v.qop != qopNone {
		tail = append(append(tail, ':'), t.NC...)
		tail = append(append(tail, ':'), t.CNonce...)
		tail = append(append(tail, ':'), t.QOP...)
	}
	var hexHA2 [64]byte
	putHex(hexHA2[:], ha2[:v.kind.size()])
	tail = append(append(tail, ':'), hexHA2[:hexLen]...)
	if v.sess {
		sessTail = []byte(":" + t.Nonce + ":" + t.CNonce)
	}
	return tail, sessTail
}

// record marks target ti cracked by word, unless another worker was first.
func (p *plan) record(ti int, word []byte) {
	if !p.found[ti].CompareAndSwap(false, true) {
		return
	}
	p.results[ti].Password = string(word)
	p.results[ti].Found = true
	p.groups[p.targets[ti].group].left.Add(-1)
	if p.left.Add(-1) == 0 && p.onDone != nil {
		p.onDone()
	}
}

// worker holds one goroutine's scratch buffers. For the scalar path each
// fin[i] is target i's final hash input with its tail already in place
// after room for hex H(A1), and each sess[i] likewise for the -sess A1. MD5
// targets use the multi-lane path instead, with finMsg[i] and sessMsg[i].
type worker struct {
	p          *plan
	a1         []byte
	fin        [][]byte
	sess       [][]byte
	finMsg     []hexMsg
	sessMsg    []hexMsg
	batch      [lanes][]byte
	m          blockN
	h1, hs, hf stateN
	candidates int64
	skipped    int64
}

func newWorker(p *plan, maxWord int) *worker {
	w := &worker{
		p:       p,
		a1:      make([]byte, 0, p.maxPrefix+maxWord),
		fin:     make([][]byte, len(p.targets)),
		sess:    make([][]byte, len(p.targets)),
		finMsg:  make([]hexMsg, len(p.targets)),
		sessMsg: make([]hexMsg, len(p.targets)),
	}
	for i := range p.targets {
		t := &p.targets[i]
		if t.kind == kindMD5 {
			w.finMsg[i], w.sessMsg[i] = t.finMsg, t.sessMsg
			continue
		}
		hexLen := 2 * t.kind.size()
		w.fin[i] = append(make([]byte, hexLen, hexLen+len(t.tail)), t.tail...)
		if t.sess {
			w.sess[i] = append(make([]byte, hexLen, hexLen+len(t.sessTail)), t.sessTail...)
		}
	}
	return w
}

// scan tries every line of data, which holds whole lines only, in batches
// of up to lanes candidates.
func (w *worker) scan(ctx context.Context, data []byte, maxWord int) {
	done := ctx.Done()
	n, batches := 0, 0
	for len(data) > 0 && w.p.left.Load() > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if k := len(line); k > 0 && line[k-1] == '\r' {
			line = line[:k-1]
		}
		if len(line) > maxWord {
			w.skipped++
			continue
		}
		w.batch[n] = line
		if n++; n < lanes {
			continue
		}
		w.candidates += int64(n)
		w.try(w.batch[:n])
		n = 0
		if batches++; batches&31 == 0 {
			select {
			case <-done:
				return
			default:
			}
		}
	}
	if n > 0 && w.p.left.Load() > 0 {
		w.candidates += int64(n)
		w.try(w.batch[:n])
	}
}

// try checks up to lanes candidates against every target not yet cracked.
// It does not allocate unless it cracks a target or a word is longer than
// the buffer newWorker sized.
func (w *worker) try(words [][]byte) {
	p := w.p
	for gi := range p.groups {
		g := &p.groups[gi]
		if g.left.Load() == 0 {
			continue
		}
		if g.kind == kindMD5 {
			w.tryMD5(g, words)
			continue
		}
		for _, word := range words {
			w.tryOne(g, word)
		}
	}
}

// tryMD5 checks up to lanes candidates against the MD5 targets of g, all
// candidates at once.
func (w *worker) tryMD5(g *group, words [][]byte) {
	p := w.p
	w.a1 = md5PrefixN(g.prefix, words, &w.m, &w.h1, w.a1)
	for _, ti := range g.targets {
		if p.found[ti].Load() {
			continue
		}
		t := &p.targets[ti]
		src := &w.h1
		if t.sess {
			w.sessMsg[ti].hash(src, &w.hs)
			src = &w.hs
		}
		w.finMsg[ti].hash(src, &w.hf)
		for l, word := range words {
			if w.hf[0][l] == t.wantW[0] && w.hf[1][l] == t.wantW[1] &&
				w.hf[2][l] == t.wantW[2] && w.hf[3][l] == t.wantW[3] {
				p.record(ti, word)
			}
		}
	}
}

// tryOne checks one candidate against the targets of g the scalar way.
func (w *worker) tryOne(g *group, word []byte) {
	p := w.p
	var ha1 [64]byte
	a1 := append(append(w.a1[:0], g.prefix...), word...)
	w.a1 = a1[:0]
	size := g.kind.size()
	d := sum(g.kind, a1)
	putHex(ha1[:2*size], d[:size])
	for _, ti := range g.targets {
		if p.found[ti].Load() {
			continue
		}
		t := &p.targets[ti]
		fin := w.fin[ti]
		if t.sess {
			s := w.sess[ti]
			copy(s, ha1[:2*size])
			d := sum(t.kind, s)
			putHex(fin[:2*size], d[:size])
		} else {
			copy(fin, ha1[:2*size])
		}
		if sum(t.kind, fin) == t.want {
			p.record(ti, word)
		}
	}
}

// sum returns the k-hash of data, zero-padded to 32 bytes.
func sum(k hashKind, data []byte) [32]byte {
	switch k {
	case kindMD5:
		var out [32]byte
		s := md5.Sum(data)
		copy(out[:], s[:])
		return out
	case kindSHA256:
		return sha256.Sum256(data)
	default:
		return sha512.Sum512_256(data)
	}
}

const hexDigits = "0123456789abcdef"

// putHex writes src as lowercase hex into dst[:2*len(src)].
func putHex(dst, src []byte) {
	dst = dst[:2*len(src)]
	for i, b := range src {
		dst[2*i] = hexDigits[b>>4]
		dst[2*i+1] = hexDigits[b&15]
	}
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// job is one chunk of whole lines, data, inside a pooled buffer, buf.
type job struct {
	buf, data []byte
}

// errBadRead reports an io.Reader that returned an impossible count.
var errBadRead = errors.New("reader returned an invalid count")

// reader splits the word list into chunks of whole lines.
type reader struct {
	maxWord int
	chunk   int // buffer size
	nbuf    int // most buffers to make
	made    int
	bytes   int64
	skipped int64 // overlong lines dropped before they reached a worker
}

// buffer returns a free buffer, making one while fewer than nbuf exist, or
// nil once done is closed.
func (r *reader) buffer(pool chan []byte, done <-chan struct{}) []byte {
	select {
	case buf := <-pool:
		return buf
	default:
	}
	if r.made < r.nbuf {
		r.made++
		return make([]byte, r.chunk)
	}
	select {
	case buf := <-pool:
		return buf
	case <-done:
		return nil
	}
}

// run fills pooled buffers from src and sends their whole lines to work,
// carrying a partial last line over to the next buffer. A partial line too
// long to be a word is dropped up to its newline. run closes work when it
// returns: at the end of src, on a read error, or when ctx is done.
func (r *reader) run(ctx context.Context, src io.Reader, pool chan []byte, work chan<- job) error {
	defer close(work)
	done := ctx.Done()
	carry := make([]byte, 0, r.maxWord+1)
	skipping := false
	for eof := false; !eof; {
		buf := r.buffer(pool, done)
		if buf == nil {
			return nil
		}
		start := copy(buf, carry)
		carry = carry[:0]
		n, atEOF, err := fill(src, buf, start)
		r.bytes += int64(n - start)
		eof = atEOF
		if err != nil {
			pool <- buf
			return err
		}
		data := buf[:n]
		start = 0
		if skipping {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				if eof {
					r.skipped++
				}
				pool <- buf
				continue
			}
			start, skipping = i+1, false
			r.skipped++
		}
		end := n
		if !eof {
			end = start
			if j := bytes.LastIndexByte(data[start:], '\n'); j >= 0 {
				end = start + j + 1
			}
			if rest := data[end:]; len(rest) > r.maxWord+1 { // +1: a CR may follow a word
				skipping = true
			} else {
				carry = append(carry, rest...)
			}
		}
		if end == start {
			pool <- buf
			continue
		}
		select {
		case work <- job{buf: buf, data: data[start:end]}:
		case <-done:
			pool <- buf
			return nil
		}
	}
	return nil
}

// fill reads from src into buf[n:] until buf is full or src ends.
func fill(src io.Reader, buf []byte, n int) (int, bool, error) {
	empty := 0
	for n < len(buf) {
		m, err := src.Read(buf[n:])
		if m < 0 || m > len(buf)-n {
			return n, false, errBadRead
		}
		n += m
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
		if m == 0 {
			if empty++; empty >= 100 {
				return n, false, io.ErrNoProgress
			}
		}
	}
	return n, false, nil
}
