package analyzer

import (
	"unsafe"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
)

// Pipeline splits an analysis over two goroutines: Add, called from the
// capture decoder's goroutine, copies each message into a recycled batch
// and scans it there (start line, the fast well-formedness check, the
// header fields); the correlation (transactions, dialogs, registrations,
// the replay of every exchange) runs on a goroutine of its own, batch by
// batch. The results are those of Analyzer.Add, in the same order; the
// Config callbacks run on the pipeline's goroutine.
//
// Between Analyzer.Pipeline and Close, the Analyzer must not be used
// otherwise (no Add, SetInput, Stats or Close).
type Pipeline struct {
	a    *Analyzer
	cur  *batch
	free chan *batch
	full chan *batch
	done chan struct{}
}

const (
	batchItems = 256
	batchBytes = 256 << 10
	batches    = 4
	// slotKeep is the largest message buffer a batch slot keeps for the
	// next message: a rare huge message does not pin its size for long.
	slotKeep = 16 << 10
)

// batch is a run of messages on their way to the analysis. Its slots and
// their buffers are reused; the Msg of a slot refers to the slot's raw.
type batch struct {
	items []item
	n     int
	bytes int
	after func() // run on the analysis goroutine after the items
}

type item struct {
	m      capture.Message // Raw and Frames are raw and frames
	raw    []byte
	frames []int
	sl     capture.StartLine
	wf     bool
	msg    Msg
}

// Pipeline starts the analysis goroutine.
func (a *Analyzer) Pipeline() *Pipeline {
	p := &Pipeline{a: a, free: make(chan *batch, batches), full: make(chan *batch, batches), done: make(chan struct{})}
	for range batches {
		p.free <- &batch{items: make([]item, batchItems)}
	}
	go p.run()
	return p
}

// Add queues one message; it may be called from a capture.Decoder
// callback: m is copied.
func (p *Pipeline) Add(m *capture.Message) {
	sl, ok := capture.ParseStartLine(m.Raw)
	if !ok {
		return // not SIP: Analyzer.Add ignores it too
	}
	b := p.cur
	if b == nil {
		b = <-p.free
		p.cur = b
	}
	it := &b.items[b.n]
	it.raw = append(it.raw[:0], m.Raw...)
	it.frames = append(it.frames[:0], m.Frames...)
	it.m = *m
	it.m.Raw, it.m.Frames = it.raw, it.frames
	it.sl = sl
	it.wf = p.a.counter.WellFormed(it.raw)
	it.msg.scan(sl, unsafe.String(unsafe.SliceData(it.raw), len(it.raw)))
	it.msg.prepare()
	it.msg.txnHash()
	it.msg.dialogHashes()
	b.n++
	b.bytes += len(it.raw)
	if b.n == len(b.items) || b.bytes >= batchBytes {
		p.send()
	}
}

// Flush hands the messages added so far to the analysis goroutine
// without waiting for a batch to fill, as a live capture does when the
// link is quiet.
func (p *Pipeline) Flush() {
	if p.cur != nil && p.cur.n > 0 {
		p.send()
	}
}

// Do runs f on the analysis goroutine once the messages added before it
// are analyzed, and returns without waiting for it. f may use the
// Analyzer (Advance, Stats) and what its callbacks fed.
func (p *Pipeline) Do(f func()) {
	b := p.cur
	if b == nil {
		b = <-p.free
	}
	b.after = f
	p.cur = b
	p.send()
}

func (p *Pipeline) send() {
	p.full <- p.cur
	p.cur = nil
}

func (p *Pipeline) run() {
	defer close(p.done)
	for b := range p.full {
		for i := range b.items[:b.n] {
			it := &b.items[i]
			p.a.process(&it.m, it.sl, &it.msg, it.wf)
			if poison {
				for j := range it.raw {
					it.raw[j] = 0xa5
				}
			}
			if cap(it.raw) > slotKeep {
				it.raw = nil
			}
			it.m, it.msg.text, it.msg.Body = capture.Message{}, "", ""
			it.msg.pre.creds, it.msg.pre.auths, it.msg.pre.field, it.msg.pre.credentials = digest.Credentials{}, nil, AuthField{}, nil
		}
		if b.after != nil {
			b.after()
			b.after = nil
		}
		b.n, b.bytes = 0, 0
		p.free <- b
	}
}

// Close waits until every message added is analyzed and ends the
// goroutine. The Analyzer can then be used again (SetInput, another
// Pipeline, Close).
func (p *Pipeline) Close() {
	if p.cur != nil && p.cur.n > 0 {
		p.send()
	}
	close(p.full)
	<-p.done
}
