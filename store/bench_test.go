package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/internal/testgen"
	"github.com/sipaudit/sipaudit/rules"
)

// BenchmarkAnalyze and BenchmarkAnalyzeStore time the analysis of a
// generator capture (SIPAUDIT_BENCH_PCAP, else a ~100k-packet one) as
// sipaudit analyze runs it (pipeline, every rule), without and with
// every message, exchange, dialog, registration and finding stored; the
// difference is the store's cost (the goal: at most 30 %). One op
// is the whole file.
func BenchmarkAnalyze(b *testing.B) { benchmarkStore(b, false) }

// BenchmarkAnalyzeStore is BenchmarkAnalyze writing into a new database.
func BenchmarkAnalyzeStore(b *testing.B) { benchmarkStore(b, true) }

func benchmarkStore(b *testing.B, store bool) {
	path := testgen.BenchCapture(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	ctx := context.Background()
	var rows, dbBytes int64
	var finish time.Duration
	for i := 0; b.Loop(); i++ {
		var run *Run
		var db *DB
		cfg := analyzer.Config{Rules: analyzer.NewEngine(0, rules.All(rules.Config{})...)}
		if store {
			dbPath := filepath.Join(b.TempDir(), "bench.db")
			if db, err = Open(ctx, dbPath); err != nil {
				b.Fatal(err)
			}
			if run, err = db.BeginRun(ctx, RunInfo{Version: "bench"}); err != nil {
				b.Fatal(err)
			}
			cfg.OnMessage, cfg.OnExchange, cfg.OnDialog, cfg.OnRegistration = run.AddMessage, run.AddExchange, run.AddDialog, run.AddRegistration
		}
		an := analyzer.New(cfg)
		an.SetInput(path)
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		pipe := an.Pipeline()
		dec := capture.NewDecoder(capture.DefaultLimits(), pipe.Add)
		in, err := capture.Read(ctx, f, path, dec, nil)
		f.Close()
		dec.Close()
		pipe.Close()
		if err != nil {
			b.Fatal(err)
		}
		an.Close()
		if store {
			t0 := time.Now()
			run.AddInput(in)
			run.AddFindings(cfg.Rules.Findings())
			if err := run.Finish(ctx, Summary{Stats: an.Stats(), Capture: dec.Stats()}, true); err != nil {
				b.Fatal(err)
			}
			finish += time.Since(t0)
			rr, err := db.RunRecord(ctx, run.ID())
			if err != nil {
				b.Fatal(err)
			}
			rows += int64(rr.Messages + rr.Exchanges + rr.Dialogs + rr.Registrations + rr.Findings)
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			for _, p := range []string{db.Path(), db.Path() + "-wal"} {
				if fi, err := os.Stat(p); err == nil {
					dbBytes += fi.Size()
				}
			}
		}
	}
	if store {
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(dbBytes)/float64(b.N)/(1<<20), "MiB-db")
		b.ReportMetric(finish.Seconds()/float64(b.N), "s-finish")
	}
}
