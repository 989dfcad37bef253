package analyzer

import (
	"net/netip"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/finding"
)

// testRule reports every request it sees, keyed by method.
type testRule struct {
	ticks, regs, finished int
}

func (*testRule) Info() finding.RuleInfo {
	return finding.RuleInfo{ID: "SA999", Name: "test-rule", Severity: finding.Low, Clause: "none"}
}

func (r *testRule) Message(ev *MessageEvent, rep Reporter) {
	if !ev.Msg.Request || ev.Retransmission {
		return
	}
	sev := finding.Severity(0)
	if ev.Msg.Method == "OPTIONS" && ev.Frame() > 2 {
		sev = finding.High // a later occurrence raises the severity
	}
	if ev.Msg.Method == "INFO" && rep.Again("method INFO", ev.Time) {
		return
	}
	rep.Report(finding.Finding{Key: "method " + ev.Msg.Method, Frames: []int{ev.Frame()}, Time: ev.Time, Severity: sev, Message: ev.Msg.Method + " seen"})
}

func (r *testRule) Tick(time.Time, Reporter)             { r.ticks++ }
func (r *testRule) Registration(*Registration, Reporter) { r.regs++ }
func (r *testRule) Finish(Reporter)                      { r.finished++ }

func TestEngine(t *testing.T) {
	rule := &testRule{}
	eng := NewEngine(2, rule)
	an := New(Config{Rules: eng})
	an.SetInput("x.pcap")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, method := range []string{"OPTIONS", "INFO", "OPTIONS", "INFO", "MESSAGE"} {
		raw := "" + method + " sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK" + itoa(i) +
			"\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c" + itoa(i) + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n"
		an.Add(&capture.Message{Frames: []int{i + 1}, Time: t0.Add(time.Duration(i) * 2 * time.Second), Src: netip.MustParseAddrPort("10.0.0.1:5060"),
			Dst: netip.MustParseAddrPort("10.0.0.2:5060"), Transport: capture.UDP, Raw: []byte(raw)})
	}
	an.Close()
	fs := eng.Findings()
	if len(fs) != 2 || eng.Dropped() != 1 {
		t.Fatalf("%d findings, %d dropped; want 2 and the MESSAGE one dropped by the cap", len(fs), eng.Dropped())
	}
	opt, info := fs[0], fs[1]
	if opt.Key != "method OPTIONS" || opt.Count != 2 || opt.Severity != finding.High || !opt.LastTime.Equal(t0.Add(4*time.Second)) ||
		opt.Frames[0] != 1 || opt.Rule != "SA999" || opt.Input != "x.pcap" || opt.Fingerprint != finding.Fingerprint("SA999", "method OPTIONS") {
		t.Errorf("OPTIONS finding %+v", opt)
	}
	if info.Count != 2 || info.Severity != finding.Low || !info.LastTime.Equal(t0.Add(6*time.Second)) {
		t.Errorf("INFO finding folded by Again: %+v", info)
	}
	if rule.ticks < 2 || rule.finished != 1 {
		t.Errorf("ticks %d, finished %d", rule.ticks, rule.finished)
	}
}

// TestEngineNotify: live capture prints a finding when it is made and
// stores it again each time an occurrence folds into it.
func TestEngineNotify(t *testing.T) {
	eng := NewEngine(0, &testRule{})
	type note struct {
		key   string
		count int
		isNew bool
		sev   finding.Severity
	}
	var notes []note
	eng.Notify(func(f *finding.Finding, isNew bool) { notes = append(notes, note{f.Key, f.Count, isNew, f.Severity}) })
	an := New(Config{Rules: eng})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, method := range []string{"OPTIONS", "INFO", "OPTIONS", "INFO"} {
		raw := method + " sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK" + itoa(i) +
			"\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c" + itoa(i) + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n"
		an.Add(&capture.Message{Frames: []int{i + 1}, Time: t0.Add(time.Duration(i) * time.Second), Src: netip.MustParseAddrPort("10.0.0.1:5060"),
			Dst: netip.MustParseAddrPort("10.0.0.2:5060"), Transport: capture.UDP, Raw: []byte(raw)})
	}
	an.Close()
	want := []note{
		{"method OPTIONS", 1, true, finding.Low},
		{"method INFO", 1, true, finding.Low},
		{"method OPTIONS", 2, false, finding.High}, // the raised severity is there when notified
		{"method INFO", 2, false, finding.Low},
	}
	if len(notes) != len(want) {
		t.Fatalf("notes %+v, want %+v", notes, want)
	}
	for i := range want {
		if notes[i] != want[i] {
			t.Errorf("note %d: %+v, want %+v", i, notes[i], want[i])
		}
	}
}

// TestPipelineDoAdvance: a live capture flushes a partial batch, and
// moves capture time on while the link is quiet, so an unanswered
// REGISTER completes without waiting for the next packet.
func TestPipelineDoAdvance(t *testing.T) {
	var exs []*Exchange
	rule := &testRule{}
	an := New(Config{Rules: NewEngine(0, rule), OnExchange: func(e *Exchange) { exs = append(exs, e) }})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	raw := "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n" +
		"From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: r1\r\nCSeq: 2 REGISTER\r\n" +
		`Authorization: Digest username="a", realm="example.com", nonce="abc", uri="sip:example.com", response="0123456789abcdef0123456789abcdef"` +
		"\r\nContent-Length: 0\r\n\r\n"
	p := an.Pipeline()
	p.Add(&capture.Message{Frames: []int{1}, Time: t0, Src: netip.MustParseAddrPort("10.0.0.1:5060"),
		Dst: netip.MustParseAddrPort("10.0.0.2:5060"), Transport: capture.UDP, Raw: []byte(raw)})
	done := make(chan int, 2)
	p.Do(func() { done <- len(exs) })
	p.Do(func() { an.Advance(t0.Add(DefaultTransactionTimeout + time.Minute)); done <- len(exs) })
	if n := <-done; n != 0 {
		t.Errorf("%d exchanges before time moved on, want 0 (the REGISTER waits for its response)", n)
	}
	if n := <-done; n != 1 {
		t.Errorf("%d exchanges after Advance, want the unanswered REGISTER", n)
	}
	p.Close()
	if len(exs) != 1 || exs[0].Status != 0 || rule.ticks == 0 {
		t.Errorf("exchanges %d (status %d), ticks %d", len(exs), exs[0].Status, rule.ticks)
	}
}
