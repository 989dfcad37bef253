package analyzer

import (
	"context"
	"os"
	"testing"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/internal/testgen"
)

// BenchmarkAnalyze times the whole analysis of a generator capture:
// capture path, SIP scanning, the malformed check, transactions, dialogs,
// registrations and the replay of every exchange. Set
// SIPAUDIT_BENCH_PCAP to use a given file (scripts/bench.sh passes its
// ~1M-packet capture); otherwise a ~100k-packet one is generated when
// shared/bench is beside the repository. One op is the whole file.
func BenchmarkAnalyze(b *testing.B) { benchmarkAnalyze(b, false) }

// BenchmarkAnalyzePipeline is BenchmarkAnalyze through a Pipeline, as
// sipaudit analyze runs: decoding and scanning on one goroutine, the
// correlation on another.
func BenchmarkAnalyzePipeline(b *testing.B) { benchmarkAnalyze(b, true) }

func benchmarkAnalyze(b *testing.B, pipeline bool) {
	path := testgen.BenchCapture(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	poison = false // as in production
	defer func() { poison = true }()
	var packets, exchanges int
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		a := New(Config{OnExchange: func(*Exchange) { exchanges++ }})
		add, closePipe := a.Add, func() {}
		if pipeline {
			p := a.Pipeline()
			add, closePipe = p.Add, p.Close
		}
		d := capture.NewDecoder(capture.DefaultLimits(), add)
		in, err := capture.Read(context.Background(), f, path, d, nil)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		d.Close()
		closePipe()
		a.Close()
		packets += in.Packets
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(exchanges)/float64(b.N), "exchanges/op")
}
