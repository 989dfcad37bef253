package rules

import (
	"context"
	"os"
	"testing"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/internal/testgen"
)

// BenchmarkRules runs the analyzer with every rule over the benchmark
// capture (SIPAUDIT_BENCH_PCAP, else a ~100k-packet generator capture);
// compare with analyzer's BenchmarkAnalyze for the rules' share.
func BenchmarkRules(b *testing.B) {
	path := testgen.BenchCapture(b)
	for b.Loop() {
		eng := analyzer.NewEngine(0, All(Config{})...)
		an := analyzer.New(analyzer.Config{Rules: eng, OnDialog: func(*analyzer.Dialog) {}})
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		dec := capture.NewDecoder(capture.DefaultLimits(), an.Add)
		if _, err := capture.Read(context.Background(), f, path, dec, nil); err != nil {
			b.Fatal(err)
		}
		dec.Close()
		an.Close()
		f.Close()
		b.ReportMetric(float64(len(eng.Findings())), "findings")
	}
}
