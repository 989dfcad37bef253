package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/finding"
	"github.com/sipaudit/sipaudit/internal/testgen"
	"github.com/sipaudit/sipaudit/rules"
)

// recorded is what an analysis handed the store, kept in memory so that
// BenchmarkStoreReplay times the store alone.
type recorded struct {
	input    string
	events   []analyzer.MessageEvent
	exs      []*analyzer.Exchange
	dialogs  []*analyzer.Dialog
	regs     []*analyzer.Registration
	findings []*finding.Finding
	in       capture.Input
}

var (
	recordOnce sync.Once
	record     *recorded
)

func recordAnalysis(b *testing.B) *recorded {
	recordOnce.Do(func() {
		path := testgen.BenchCapture(b)
		rec := &recorded{input: path}
		cfg := analyzer.Config{Rules: analyzer.NewEngine(0, rules.All(rules.Config{})...)}
		cfg.OnMessage = func(ev *analyzer.MessageEvent) {
			e := *ev
			e.Raw = append([]byte(nil), ev.Raw...)
			e.Frames = append([]int(nil), ev.Frames...)
			if ev.Msg != nil {
				m := &analyzer.Msg{Request: ev.Msg.Request, Method: strings.Clone(ev.Msg.Method), CallID: strings.Clone(ev.Msg.CallID),
					CSeqMethod: strings.Clone(ev.Msg.CSeqMethod), Status: ev.Msg.Status}
				for _, f := range ev.Msg.Auth {
					m.Auth = append(m.Auth, analyzer.AuthField{Kind: f.Kind, Value: strings.Clone(f.Value)})
				}
				e.Msg = m
			}
			if ev.Exchange != nil {
				e.Exchange = &analyzer.Exchange{ID: ev.Exchange.ID}
			}
			e.Challenges = nil
			rec.events = append(rec.events, e)
		}
		cfg.OnExchange = func(e *analyzer.Exchange) { rec.exs = append(rec.exs, e) }
		cfg.OnDialog = func(d *analyzer.Dialog) { rec.dialogs = append(rec.dialogs, d) }
		cfg.OnRegistration = func(g *analyzer.Registration) { rec.regs = append(rec.regs, g) }
		an := analyzer.New(cfg)
		an.SetInput(path)
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		pipe := an.Pipeline()
		dec := capture.NewDecoder(capture.DefaultLimits(), pipe.Add)
		rec.in, err = capture.Read(context.Background(), f, path, dec, nil)
		f.Close()
		dec.Close()
		pipe.Close()
		if err != nil {
			b.Fatal(err)
		}
		an.Close()
		rec.findings = cfg.Rules.Findings()
		record = rec
	})
	return record
}

// BenchmarkStoreReplay stores what an analysis of the bench capture
// produced, without the analysis: the store's own cost, on the calling
// goroutine (Add*) and the writer's.
func BenchmarkStoreReplay(b *testing.B) {
	rec := recordAnalysis(b)
	ctx := context.Background()
	b.Logf("%d messages, %d exchanges, %d dialogs, %d registrations, %d findings",
		len(rec.events), len(rec.exs), len(rec.dialogs), len(rec.regs), len(rec.findings))
	var dbBytes int64
	var adds, finish time.Duration
	cpu0 := cpuTime()
	for b.Loop() {
		db, err := Open(ctx, filepath.Join(b.TempDir(), "replay.db"))
		if err != nil {
			b.Fatal(err)
		}
		run, err := db.BeginRun(ctx, RunInfo{Version: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		ei, di, gi := 0, 0, 0
		for i := range rec.events {
			run.AddMessage(&rec.events[i])
			// Interleave the other rows about as the analysis does.
			for ; ei < len(rec.exs) && ei*len(rec.events) <= i*len(rec.exs); ei++ {
				run.AddExchange(rec.exs[ei])
			}
			for ; di < len(rec.dialogs) && di*len(rec.events) <= i*len(rec.dialogs); di++ {
				run.AddDialog(rec.dialogs[di])
			}
			for ; gi < len(rec.regs) && gi*len(rec.events) <= i*len(rec.regs); gi++ {
				run.AddRegistration(rec.regs[gi])
			}
		}
		adds += time.Since(t0)
		t1 := time.Now()
		run.AddInput(rec.in)
		run.AddFindings(rec.findings)
		if err := run.Finish(ctx, Summary{}, true); err != nil {
			b.Fatal(err)
		}
		finish += time.Since(t1)
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		for _, p := range []string{db.Path(), db.Path() + "-wal"} {
			if fi, err := os.Stat(p); err == nil {
				dbBytes += fi.Size()
			}
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "s-cpu")
	b.ReportMetric(float64(dbBytes)/float64(b.N)/(1<<20), "MiB-db")
	b.ReportMetric(adds.Seconds()/float64(b.N), "s-adds")
	b.ReportMetric(finish.Seconds()/float64(b.N), "s-finish")
}

// cpuTime is the CPU time (user and system) the process used so far: the
// store's cost when the machine is shared, where wall time says little.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
