package store

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/klauspost/compress/s2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/mattn/go-sqlite3"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/finding"
)

// Batching of the writer. A transaction is committed once it holds
// BatchRows rows (messages count one each) or is BatchInterval old, so an
// interrupted run loses at most that much; the caller's rows travel in
// chunks of one message block (blockMsgs messages or blockBytes of
// message bytes) or chunkOthers other rows, at most maxQueued chunks
// ahead of the writer (backpressure beyond).
const (
	BatchRows     = 100000
	BatchInterval = time.Second
	chunkOthers   = 256
	maxQueued     = 16
)

// RunInfo describes a run when it begins.
type RunInfo struct {
	Version string
	Args    []string
	// Started is when the run began (the caller reads the clock: the
	// store does not); zero means now.
	Started time.Time
}

// Summary is what Finish records of a run: the analyzer's counts, the
// capture path's, and how many findings a baseline hid.
type Summary struct {
	Stats     *analyzer.Stats
	Capture   capture.Stats
	Baselined int
}

// Run writes one analysis into the database. Its Add methods are called
// from the analysis goroutine (one goroutine at a time: they are not
// meant to be called concurrently, though they are safe to): each copies
// what it keeps and queues it for the run's writer goroutine, which
// inserts the rows with prepared statements in transactions of about
// BatchRows rows or BatchInterval. When the writer falls maxQueued chunks
// behind, Add waits. The run is marked complete only by Finish(..., true):
// a run interrupted before keeps the rows committed so far and reads back
// as incomplete.
type Run struct {
	db *DB
	id int64

	mu     sync.Mutex
	space  *sync.Cond // the queue shrank
	cur    *chunk
	queue  []*chunk
	free   []*chunk
	closed bool
	err    error // the writer's first error: later rows are dropped

	notify chan struct{}
	finish chan finishReq
	done   chan struct{}

	// The writer's own state.
	inputs    map[string]int // path -> seq of the input being read
	nextInput int
	txOpen    bool
	txStart   time.Time
	txRows    int
	txBytes   int64    // about what the open transaction writes
	counts    [5]int64 // rows of the open transaction: messages, exchanges, dialogs, registrations, findings
	rows      [5]int64 // rows written in all, the same
	args      []driver.NamedValue
	numBuf    []byte
	hashes    []int64
	tally     map[msgKind]int64 // messages of the open transaction by kind
	jsonBuf   []byte
	zbuf      []byte // the compressed metadata, before its format byte
	zmeta     []byte
	zraw      []byte
	ips       map[string]string // ipOf's results, for the endpoints seen
	stored    map[string]bool   // fingerprints of the findings written
}

// msgKind is what msg_counts counts messages by.
type msgKind struct {
	method string
	status int
}

// chunk is a run of rows on their way to the writer: a block of
// messages of one input, packed (block.go), and other rows; its slices
// are reused.
type chunk struct {
	// The message block.
	input       string // the analyzer's input name (immutable)
	nmsgs       int
	meta        []byte
	raw         []byte
	first, last int   // the lowest and highest frame
	time        int64 // of the last message
	// Other rows.
	inputs   []capture.Input
	exs      []analyzer.Exchange
	dialogs  []analyzer.Dialog
	regs     []analyzer.Registration
	findings []finding.Finding
	others   int
}

func (c *chunk) empty() bool { return c.nmsgs == 0 && c.others == 0 }

func (c *chunk) reset() {
	clear(c.exs) // drop the references
	clear(c.dialogs)
	clear(c.regs)
	clear(c.findings)
	clear(c.inputs)
	*c = chunk{meta: c.meta[:0], raw: c.raw[:0], inputs: c.inputs[:0],
		exs: c.exs[:0], dialogs: c.dialogs[:0], regs: c.regs[:0], findings: c.findings[:0]}
	if cap(c.raw) > 4*blockBytes {
		c.raw = nil
	}
}

type finishReq struct {
	sum      Summary
	complete bool
	reply    chan error
}

// BeginRun records a new run (incomplete until Finish) and starts its
// writer goroutine.
func (db *DB) BeginRun(ctx context.Context, info RunInfo) (*Run, error) {
	if info.Started.IsZero() {
		info.Started = time.Now()
	}
	args := info.Args
	if args == nil {
		args = []string{}
	}
	aj, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	db.wmu.Lock()
	res, err := db.ws.insRun.ExecContext(context.Background(), named(info.Started.UnixNano(), info.Version, string(aj)))
	db.wmu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("store: begin run: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	r := &Run{db: db, id: id, notify: make(chan struct{}, 1), finish: make(chan finishReq), done: make(chan struct{}),
		inputs: map[string]int{}, tally: map[msgKind]int64{}, ips: map[string]string{}, stored: map[string]bool{}}
	r.space = sync.NewCond(&r.mu)
	go r.write()
	return r, nil
}

// ID is the run's number in the database.
func (r *Run) ID() int64 { return r.id }

// Err returns the writer's first error, if any: after one, rows are
// dropped and Finish returns it.
func (r *Run) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// chunkLocked returns the chunk being filled. r.mu is held.
func (r *Run) chunkLocked() *chunk {
	if r.cur == nil {
		if n := len(r.free); n > 0 {
			r.cur, r.free = r.free[n-1], r.free[:n-1]
		} else {
			r.cur = &chunk{meta: make([]byte, 0, blockMsgs*128), raw: make([]byte, 0, blockBytes+64<<10)}
		}
	}
	return r.cur
}

// sendLocked queues the chunk being filled, waiting while the writer is
// maxQueued chunks behind. r.mu is held.
func (r *Run) sendLocked() {
	c := r.cur
	if c == nil || c.empty() {
		return
	}
	// Out of reach of the writer's periodic steal while waiting.
	r.cur = nil
	for len(r.queue) >= maxQueued && r.err == nil {
		r.space.Wait()
	}
	r.queue = append(r.queue, c)
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *Run) full(c *chunk) bool {
	return c.nmsgs >= blockMsgs || len(c.raw) >= blockBytes || c.others >= chunkOthers
}

// AddMessage queues one SIP message: every message, retransmissions
// included (flagged). It copies what it keeps (the raw bytes, frames,
// Call-ID, method): the event is valid only during the call. The token
// of Basic credentials is overwritten with asterisks in the stored bytes:
// it is the password, in clear. It is meant
// as analyzer.Config.OnMessage.
func (r *Run) AddMessage(ev *analyzer.MessageEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.err != nil {
		return
	}
	c := r.chunkLocked()
	if c.nmsgs > 0 && c.input != ev.Input {
		r.sendLocked()
		c = r.chunkLocked()
	}
	if c.nmsgs == 0 {
		c.input, c.first, c.last, c.time = ev.Input, -1, 0, 0
		c.meta = append(c.meta[:0], metaFormat)
	}
	c.nmsgs++
	raw := ev.Raw
	sl := bytes.IndexByte(raw, '\n')
	if sl < 0 {
		sl = len(raw)
	}
	if sl > 0 && raw[sl-1] == '\r' {
		sl--
	}
	var flags byte
	if ev.Retransmission {
		flags |= flagRetrans
	}
	var callID, method string
	status := 0
	msg := ev.Msg
	if msg != nil {
		callID, method = msg.CallID, msg.Method
		if !msg.Request {
			method, status = msg.CSeqMethod, msg.Status
		}
		if len(msg.Auth) > 0 {
			flags |= flagAuth
		}
	}
	b := c.meta
	b = binary.AppendUvarint(b, uint64(len(raw)))
	b = binary.AppendUvarint(b, uint64(sl))
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(ev.Frames)))
	prev := 0
	for i, f := range ev.Frames {
		if i == 0 {
			b = binary.AppendUvarint(b, uint64(f))
		} else {
			b = binary.AppendVarint(b, int64(f-prev))
		}
		prev = f
		if c.first < 0 || f < c.first {
			c.first = f
		}
		c.last = max(c.last, f)
	}
	t := ev.Time.UnixNano()
	b = binary.AppendVarint(b, t-c.time)
	c.time = t
	b = appendAddrPort(b, ev.Src)
	b = appendAddrPort(b, ev.Dst)
	b = appendStr(b, ev.Transport)
	b = appendStr(b, callID)
	b = appendStr(b, method)
	b = binary.AppendUvarint(b, uint64(status))
	if ev.Exchange != nil {
		b = appendStr(b, ev.Exchange.ID)
	} else {
		b = append(b, 0)
	}
	c.meta = b
	off := len(c.raw)
	c.raw = append(c.raw, raw...)
	if msg != nil {
		for _, f := range msg.Auth {
			redactBasic(c.raw[off:], f.Value)
		}
	}
	if r.full(c) {
		r.sendLocked()
	}
}

// redactBasic overwrites, in raw, the token of Basic credentials (the
// password in base64) with asterisks of the same length, so that lengths
// and Content-Length still hold.
func redactBasic(raw []byte, value string) {
	v := strings.TrimSpace(value)
	if len(v) < 6 || !strings.EqualFold(v[:6], "basic ") {
		return
	}
	token := strings.TrimSpace(v[6:])
	if token == "" {
		return
	}
	for i := 0; i < len(raw); {
		j := bytes.Index(raw[i:], []byte(token))
		if j < 0 {
			return
		}
		for k := range len(token) {
			raw[i+j+k] = '*'
		}
		i += j + len(token)
	}
}

// AddInput records a capture file once it has been read (the messages of
// an input can come before it). It ends the input: messages of the same
// path after it belong to a new input.
func (r *Run) AddInput(in capture.Input) {
	r.addOther(func(c *chunk) { c.inputs = append(c.inputs, in) }, true)
}

// AddExchange queues an auth exchange (analyzer.Config.OnExchange). The
// store keeps a copy of its public fields: never the credentials or the
// reference's full result, which hold secrets.
func (r *Run) AddExchange(ex *analyzer.Exchange) {
	r.addOther(func(c *chunk) {
		c.exs = append(c.exs, *ex)
		e := &c.exs[len(c.exs)-1]
		var zero analyzer.Exchange
		e.Result, e.Credentials = zero.Result, zero.Credentials
	}, false)
}

// AddDialog queues a dialog (analyzer.Config.OnDialog).
func (r *Run) AddDialog(d *analyzer.Dialog) {
	r.addOther(func(c *chunk) { c.dialogs = append(c.dialogs, *d) }, false)
}

// AddRegistration queues an AOR's registration timeline
// (analyzer.Config.OnRegistration).
func (r *Run) AddRegistration(g *analyzer.Registration) {
	r.addOther(func(c *chunk) { c.regs = append(c.regs, *g) }, false)
}

// AddFindings queues findings (engine.Findings(), after the analyzer's
// Close, or whatever there is when interrupted). They read back in
// report order (finding.Less) whatever the order they were added in.
func (r *Run) AddFindings(fs []*finding.Finding) {
	for _, f := range fs {
		r.addOther(func(c *chunk) { c.findings = append(c.findings, *f) }, false)
	}
}

func (r *Run) addOther(add func(*chunk), send bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.err != nil {
		return
	}
	c := r.chunkLocked()
	add(c)
	c.others++
	if send || r.full(c) {
		r.sendLocked()
	}
}

// Finish flushes every row added, records the summary (sum.Stats may be
// nil) and whether the run is complete, and stops the writer. complete
// should be false for an interrupted run. The flush is not abandoned
// when ctx is cancelled (the usual case after Ctrl-C): the rows added are
// committed. Finish returns the writer's first error, if any; it may be
// called once.
func (r *Run) Finish(ctx context.Context, sum Summary, complete bool) error {
	_ = ctx
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return errors.New("store: run already finished")
	}
	r.closed = true
	r.mu.Unlock()
	reply := make(chan error, 1)
	r.finish <- finishReq{sum: sum, complete: complete, reply: reply}
	err := <-reply
	<-r.done
	return err
}

// write is the writer goroutine.
func (r *Run) write() {
	defer close(r.done)
	tick := time.NewTicker(BatchInterval / 2)
	defer tick.Stop()
	var batch []*chunk
	for {
		var req *finishReq
		steal := false
		select {
		case <-r.notify:
		case <-tick.C:
			steal = true
		case f := <-r.finish:
			req, steal = &f, true
		}
		r.mu.Lock()
		batch = append(batch[:0], r.queue...)
		clear(r.queue)
		r.queue = r.queue[:0]
		if steal && r.cur != nil && !r.cur.empty() {
			batch = append(batch, r.cur)
			r.cur = nil
		}
		failed := r.err != nil
		r.space.Broadcast()
		r.mu.Unlock()
		var err error
		if !failed {
			err = r.writeChunks(batch)
			if err == nil && r.txOpen && (r.txRows >= BatchRows || time.Since(r.txStart) >= BatchInterval || req != nil) {
				err = r.commit()
			}
		}
		r.mu.Lock()
		for _, c := range batch {
			c.reset()
			if len(r.free) < maxQueued+2 {
				r.free = append(r.free, c)
			}
		}
		if err != nil && r.err == nil {
			r.err = fmt.Errorf("store: run %d: %w", r.id, err)
			r.space.Broadcast()
		}
		err = r.err
		r.mu.Unlock()
		clear(batch)
		if req != nil {
			if err == nil {
				err = r.finishRun(req)
			} else {
				r.rollback()
			}
			req.reply <- err
			return
		}
	}
}

// begin opens the batch transaction if none is, holding the writer
// connection until commit.
func (r *Run) begin() error {
	if r.txOpen {
		return nil
	}
	r.db.wmu.Lock()
	if r.db.w == nil {
		r.db.wmu.Unlock()
		return errors.New("database closed")
	}
	if _, err := r.db.w.Exec("BEGIN IMMEDIATE", nil); err != nil {
		r.db.wmu.Unlock()
		return err
	}
	r.txOpen, r.txStart, r.txRows = true, time.Now(), 0
	return nil
}

func (r *Run) commit() error {
	if !r.txOpen {
		return nil
	}
	c := r.counts
	_, err := r.db.ws.updCounts.ExecContext(context.Background(), named(c[0], c[1], c[2], c[3], c[4], r.id))
	for k, n := range r.tally {
		if err != nil {
			break
		}
		_, err = execStmt(r.db.ws.addCount, named(r.id, k.method, int64(k.status), n))
	}
	clear(r.tally)
	if err == nil {
		_, err = r.db.w.Exec("COMMIT", nil)
	}
	if err != nil {
		_, _ = r.db.w.Exec("ROLLBACK", nil)
	} else {
		n := r.db.ck.request()
		r.db.walBytes += r.txBytes
		if r.db.walBytes >= walRestartBytes {
			// Let the checkpoint catch up: the next transaction
			// starts the WAL over.
			r.db.ck.wait(n)
			r.db.walBytes = 0
		}
	}
	r.txBytes = 0
	r.counts = [5]int64{}
	r.txOpen = false
	r.db.wmu.Unlock()
	return err
}

func (r *Run) rollback() {
	if r.txOpen {
		_, _ = r.db.w.Exec("ROLLBACK", nil)
		r.txOpen = false
		r.counts = [5]int64{}
		r.txBytes = 0
		clear(r.tally)
		r.db.wmu.Unlock()
	}
}

// finishRun commits the rest and marks the run finished.
func (r *Run) finishRun(req *finishReq) error {
	var stats any
	if req.sum.Stats != nil {
		b, err := json.Marshal(req.sum.Stats)
		if err != nil {
			return err
		}
		stats = string(b)
	}
	cb, err := json.Marshal(req.sum.Capture)
	if err != nil {
		return err
	}
	if err := r.begin(); err != nil {
		return err
	}
	_, err = r.db.ws.finishRun.ExecContext(context.Background(),
		named(time.Now().UnixNano(), req.complete, stats, string(cb), int64(req.sum.Baselined), r.id))
	if err != nil {
		r.rollback()
		return err
	}
	return r.commit()
}

func (r *Run) writeChunks(batch []*chunk) error {
	for _, c := range batch {
		if c.empty() {
			continue
		}
		if err := r.begin(); err != nil {
			return err
		}
		if err := r.writeChunk(c); err != nil {
			r.rollback()
			return err
		}
		if r.txRows >= BatchRows {
			if err := r.commit(); err != nil {
				return err
			}
		}
	}
	return nil
}

// named returns driver arguments; reused for the hot paths via r.args.
func named(vals ...any) []driver.NamedValue {
	out := make([]driver.NamedValue, len(vals))
	for i, v := range vals {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// setArgs fills r.args with vals, reusing its backing array.
func (r *Run) setArgs(n int) []driver.NamedValue {
	if cap(r.args) < n {
		r.args = make([]driver.NamedValue, n)
	}
	a := r.args[:n]
	for i := range a {
		a[i] = driver.NamedValue{Ordinal: i + 1}
	}
	return a
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// inputSeq returns the number of the input a row names, creating its row
// on first sight.
func (r *Run) inputSeq(path string) (int, error) {
	if seq, ok := r.inputs[path]; ok {
		return seq, nil
	}
	r.nextInput++
	seq := r.nextInput
	if _, err := r.db.ws.insInput.ExecContext(context.Background(), named(r.id, int64(seq), path)); err != nil {
		return 0, err
	}
	r.inputs[path] = seq
	return seq, nil
}

// str is a view of b as a string, valid while b is.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (r *Run) writeChunk(c *chunk) error {
	if c.nmsgs > 0 {
		if err := r.writeBlock(c); err != nil {
			return fmt.Errorf("messages: %w", err)
		}
	}
	for i := range c.inputs {
		if err := r.writeInput(&c.inputs[i]); err != nil {
			return fmt.Errorf("input: %w", err)
		}
	}
	for i := range c.exs {
		if err := r.writeExchange(&c.exs[i]); err != nil {
			return fmt.Errorf("exchange: %w", err)
		}
	}
	for i := range c.dialogs {
		if err := r.writeDialog(&c.dialogs[i]); err != nil {
			return fmt.Errorf("dialog: %w", err)
		}
	}
	for i := range c.regs {
		if err := r.writeRegistration(&c.regs[i]); err != nil {
			return fmt.Errorf("registration: %w", err)
		}
	}
	for i := range c.findings {
		if err := r.writeFinding(&c.findings[i]); err != nil {
			return fmt.Errorf("finding: %w", err)
		}
		if fp := c.findings[i].Fingerprint; !r.stored[fp] {
			// a finding stored again (live runs) updates its row
			r.stored[fp] = true
			r.counts[4]++
		}
	}
	r.counts[1] += int64(len(c.exs))
	r.counts[2] += int64(len(c.dialogs))
	r.counts[3] += int64(len(c.regs))
	r.txRows += c.others
	return nil
}

// writeBlock inserts the chunk's message block and its Call-IDs, and
// counts its messages by kind.
func (r *Run) writeBlock(c *chunk) error {
	seq, err := r.inputSeq(c.input)
	if err != nil {
		return err
	}
	r.hashes = r.hashes[:0]
	br := newBlockReader(c.meta, c.raw)
	n := 0
	for ; br.next(); n++ {
		m := &br.m
		r.hashes = append(r.hashes, callHash(m.CallID))
		k := msgKind{m.Method, m.Status}
		if _, ok := r.tally[k]; ok {
			r.tally[k]++
		} else {
			r.tally[msgKind{strings.Clone(m.Method), m.Status}] = 1
		}
	}
	if br.err != nil || n != c.nmsgs {
		return fmt.Errorf("block of %d messages: %d decoded: %v", c.nmsgs, n, br.err)
	}
	r.zbuf = s2.Encode(r.zbuf[:cap(r.zbuf)], c.meta[1:])
	r.zmeta = append(append(r.zmeta[:0], metaFormatS2), r.zbuf...)
	r.zraw = s2.Encode(r.zraw[:cap(r.zraw)], c.raw)
	a := r.setArgs(7)
	a[0].Value = r.id
	a[1].Value = int64(seq)
	a[2].Value = int64(c.nmsgs)
	a[3].Value = int64(max(c.first, 0))
	a[4].Value = int64(c.last)
	a[5].Value = r.zmeta
	a[6].Value = r.zraw
	block, err := execStmt(r.db.ws.insBlock, a)
	if err != nil {
		return err
	}
	slices.Sort(r.hashes)
	b := append(r.numBuf[:0], '[')
	for i, h := range r.hashes {
		if i > 0 {
			if h == r.hashes[i-1] {
				continue
			}
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, h, 10)
	}
	b = append(b, ']')
	r.numBuf = b
	a = r.setArgs(3)
	a[0].Value = r.id
	a[1].Value = block
	a[2].Value = str(b)
	if _, err := execStmt(r.db.ws.insCalls, a); err != nil {
		return err
	}
	r.counts[0] += int64(c.nmsgs)
	r.txRows += c.nmsgs
	r.txBytes += int64(len(r.zraw) + len(r.zmeta))
	return nil
}

// rowEpochBits: the exchanges and dialogs of a run are indexed by
// Call-ID and user in epochs of 1 << rowEpochBits rows (migrations/0002):
// the random index inserts of a batch stay within the latest epoch.
var rowEpochBits = 14 // a variable for tests

// idKey is the index key of an analyzer ID: the number of "e123" or
// "d123", else a hash of the ID.
func idKey(id string) int64 {
	if len(id) > 1 && len(id) < 19 {
		if n, err := strconv.ParseInt(id[1:], 10, 64); err == nil && n >= 0 && id[1] != '+' {
			return n
		}
	}
	return callHash(id)
}

// callHash is the FNV-1a 64 hash of a Call-ID, the key of the messages'
// Call-ID index: an integer keeps the index small, so that the random
// inserts of a batch dirty fewer pages.
func callHash(s string) int64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return int64(h)
}

func addrPort(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return ""
	}
	return ap.String()
}

// ipOf is ipOf, remembering the results: a capture has few endpoints,
// seen again and again.
func (r *Run) ipOf(s string) string {
	if ip, ok := r.ips[s]; ok {
		return ip
	}
	ip := ipOf(s)
	if len(r.ips) >= 1<<16 {
		clear(r.ips)
	}
	r.ips[strings.Clone(s)] = ip
	return ip
}

// ipOf returns the address of an ip:port string, or the string itself.
func ipOf(s string) string {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().String()
	}
	return s
}

func (r *Run) writeInput(in *capture.Input) error {
	seq, ok := r.inputs[in.Path]
	bg := context.Background()
	if !ok {
		r.nextInput++
		seq = r.nextInput
		if _, err := r.db.ws.insInput.ExecContext(bg, named(r.id, int64(seq), in.Path)); err != nil {
			return err
		}
	}
	delete(r.inputs, in.Path)
	_, err := r.db.ws.updInput.ExecContext(bg, named(in.Format, in.LinkType, int64(in.Packets), in.Bytes, in.Error, in.KernelDropped, in.InterfaceDropped, r.id, int64(seq)))
	return err
}

func (r *Run) writeExchange(e *analyzer.Exchange) error {
	r.jsonBuf = appendExchangeJSON(r.jsonBuf[:0], e)
	r.txBytes += int64(len(r.jsonBuf)) + 256
	a := r.setArgs(22)
	a[0].Value = r.id
	a[1].Value = idKey(e.ID)
	a[2].Value = e.ID
	a[3].Value = e.Input
	a[4].Value = int64(e.Frame)
	a[5].Value = nullTime(e.Time)
	a[6].Value = e.CallID
	a[7].Value = callHash(e.CallID)
	a[8].Value = e.Method
	a[9].Value = e.Client
	a[10].Value = e.Server
	a[11].Value = r.ipOf(e.Client)
	a[12].Value = r.ipOf(e.Server)
	a[13].Value = e.Username
	a[14].Value = callHash(e.Username)
	a[15].Value = e.Realm
	a[16].Value = e.Reference
	a[17].Value = e.ServerVerdict
	a[18].Value = int64(e.Status)
	a[19].Value = e.Cause
	a[20].Value = str(r.jsonBuf)
	a[21].Value = r.rows[1] >> rowEpochBits
	r.rows[1]++
	_, err := execStmt(r.db.ws.insEx, a)
	return err
}

func (r *Run) writeDialog(d *analyzer.Dialog) error {
	tags := d.ToTags
	if tags == nil {
		tags = []string{}
	}
	r.jsonBuf = appendJSONStrings(r.jsonBuf[:0], tags)
	r.txBytes += int64(len(r.jsonBuf)) + 256
	a := r.setArgs(24)
	a[0].Value = r.id
	a[1].Value = idKey(d.ID)
	a[2].Value = d.ID
	a[3].Value = d.Input
	a[4].Value = d.CallID
	a[5].Value = callHash(d.CallID)
	a[6].Value = d.Method
	a[7].Value = string(d.State)
	a[8].Value = d.From
	a[9].Value = d.To
	a[10].Value = d.FromTag
	a[11].Value = str(r.jsonBuf)
	a[12].Value = d.Caller
	a[13].Value = d.Callee
	a[14].Value = r.ipOf(d.Caller)
	a[15].Value = r.ipOf(d.Callee)
	a[16].Value = int64(d.FirstFrame)
	a[17].Value = int64(d.LastFrame)
	a[18].Value = nullTime(d.Start)
	a[19].Value = nullTime(d.End)
	a[20].Value = int64(d.Messages)
	a[21].Value = int64(d.Status)
	a[22].Value = d.Authenticated
	a[23].Value = r.rows[2] >> rowEpochBits
	r.rows[2]++
	_, err := execStmt(r.db.ws.insDlg, a)
	return err
}

func (r *Run) writeRegistration(g *analyzer.Registration) error {
	implicit := g.Implicit
	if implicit == nil {
		implicit = []string{}
	}
	// One buffer for the three: it is not grown between the views.
	b := appendJSONStrings(r.jsonBuf[:0], implicit)
	ni := len(b)
	b = appendBindingsJSON(b, g.Bindings)
	nb := len(b)
	b = appendEventsJSON(b, g.Events)
	r.jsonBuf = b
	r.txBytes += int64(len(b)) + 256
	a := r.setArgs(10)
	a[0].Value = r.id
	a[1].Value = g.AOR
	a[2].Value = g.Input
	a[3].Value = g.State
	a[4].Value = str(b[:ni])
	a[5].Value = str(b[ni:nb])
	a[6].Value = str(b[nb:])
	a[7].Value = int64(g.EventsDropped)
	a[8].Value = int64(g.FirstFrame)
	a[9].Value = int64(g.LastFrame)
	_, err := execStmt(r.db.ws.insReg, a)
	return err
}

func (r *Run) writeFinding(f *finding.Finding) error {
	frames := f.Frames
	if frames == nil {
		frames = []int{}
	}
	r.jsonBuf = appendJSONInts(r.jsonBuf[:0], frames)
	first := 0
	if len(frames) > 0 {
		first = frames[0]
	}
	_, err := execStmt(r.db.ws.insFinding, named(
		r.id, f.Rule, f.Name, int64(f.Severity), f.Message, f.Clause, f.CallID, f.Exchange, str(r.jsonBuf), int64(first),
		nullTime(f.Time), f.Input, f.Client, f.Server, ipOf(f.Client), ipOf(f.Server), f.Transport, f.Username,
		f.Key, f.Fingerprint, int64(f.Count), nullTime(f.LastTime)))
	return err
}

// execStmt runs a prepared write statement and returns the first column
// of its first row when it has one (RETURNING) and it is an integer. It
// goes through the driver's query path, which resets, binds and steps in
// one cgo crossing, binding text and blobs from a C buffer the statement
// keeps (the exec path makes a cgo call per value and copies each text
// and blob into a fresh allocation).
func execStmt(st *sqlite3.SQLiteStmt, args []driver.NamedValue) (int64, error) {
	rows, err := st.QueryContext(context.Background(), args)
	if err != nil {
		return 0, err
	}
	var id int64
	if cols := rows.Columns(); len(cols) > 0 {
		vals := make([]driver.Value, len(cols))
		if err := rows.Next(vals); err != nil {
			rows.Close()
			return 0, err
		}
		id, _ = vals[0].(int64)
	}
	return id, rows.Close()
}

// writeStmts are the writer connection's prepared statements.
type writeStmts struct {
	insRun, finishRun, updCounts      *sqlite3.SQLiteStmt
	insInput, updInput                *sqlite3.SQLiteStmt
	insBlock, insCalls, addCount      *sqlite3.SQLiteStmt
	insEx, insDlg, insReg, insFinding *sqlite3.SQLiteStmt
	all                               []*sqlite3.SQLiteStmt
}

func prepareWrites(c *sqlite3.SQLiteConn) (*writeStmts, error) {
	ws := &writeStmts{}
	for _, s := range []struct {
		dst   **sqlite3.SQLiteStmt
		query string
	}{
		{&ws.insRun, `INSERT INTO runs (started, version, args) VALUES (?, ?, ?)`},
		{&ws.finishRun, `UPDATE runs SET finished = ?, complete = ?, stats = ?, capture = ?, baselined = ? WHERE id = ?`},
		{&ws.updCounts, `UPDATE runs SET messages = messages + ?, exchanges = exchanges + ?, dialogs = dialogs + ?,
			registrations = registrations + ?, findings = findings + ? WHERE id = ?`},
		{&ws.insInput, `INSERT INTO inputs (run_id, seq, path) VALUES (?, ?, ?)`},
		{&ws.updInput, `UPDATE inputs SET format = ?, link_type = ?, packets = ?, bytes = ?, error = ?, kernel_dropped = ?, interface_dropped = ?, done = 1 WHERE run_id = ? AND seq = ?`},
		{&ws.insBlock, `INSERT INTO msg_blocks (run_id, input, n, first_frame, last_frame, meta, raw) VALUES (?,?,?,?,?,?,?) RETURNING id`},
		// OR IGNORE (the hashes are distinct: writeBlock sorts and
		// dedups them) spares SQLite a statement journal for this
		// multi-row insert.
		{&ws.insCalls, `INSERT OR IGNORE INTO msg_calls (run_id, epoch, call_hash, block) SELECT ?1, ?2 >> 8, value, ?2 FROM json_each(?3)`},
		{&ws.addCount, `INSERT INTO msg_counts (run_id, method, status, n) VALUES (?,?,?,?)
			ON CONFLICT (run_id, method, status) DO UPDATE SET n = n + excluded.n`},
		{&ws.insEx, `INSERT INTO exchanges (run_id, ex_key, ex_id, input, frame, time, call_id, call_hash, method, client, server,
			client_ip, server_ip, username, user_hash, realm, reference, server_verdict, status, cause, data, epoch)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`},
		{&ws.insDlg, `INSERT INTO dialogs (run_id, dlg_key, dlg_id, input, call_id, call_hash, method, state, from_uri, to_uri, from_tag,
			to_tags, caller, callee, caller_ip, callee_ip, first_frame, last_frame, start_time, end_time, messages,
			status, authenticated, epoch) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`},
		{&ws.insReg, `INSERT INTO registrations (run_id, aor, input, state, implicit, bindings, events,
			events_dropped, first_frame, last_frame) VALUES (?,?,?,?,?,?,?,?,?,?)`},
		{&ws.insFinding, `INSERT INTO findings (run_id, rule, name, severity, message, clause, call_id, exchange,
			frames, first_frame, time, input, client, server, client_ip, server_ip, transport, username,
			finding_key, fingerprint, count, last_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (run_id, fingerprint) DO UPDATE SET severity = excluded.severity, message = excluded.message,
			count = excluded.count, last_time = excluded.last_time`},
	} {
		st, err := c.Prepare(s.query)
		if err != nil {
			ws.close()
			return nil, fmt.Errorf("prepare %q: %w", s.query, err)
		}
		*s.dst = st.(*sqlite3.SQLiteStmt)
		ws.all = append(ws.all, *s.dst)
	}
	return ws, nil
}

func (ws *writeStmts) close() {
	for _, s := range ws.all {
		s.Close()
	}
	ws.all = nil
}
