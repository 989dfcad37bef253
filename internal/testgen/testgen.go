// Package testgen runs the project's capture generator
// (shared/bench/gen_sip_pcap.py) for tests and benchmarks. The shared
// folder sits beside the repository in CI but not on a user's machine:
// without it (or without python3) the caller is skipped.
package testgen

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// SharedDir returns the project's shared folder beside the repository.
func SharedDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
}

// Generate writes a generator capture (and its truth file) into a
// temporary directory and returns their paths; args are the generator's
// (--calls, --seed, ...). It skips tb when the generator or python3 is
// missing.
func Generate(tb testing.TB, args ...string) (pcap, truth string) {
	tb.Helper()
	gen := filepath.Join(SharedDir(), "bench", "gen_sip_pcap.py")
	if _, err := os.Stat(gen); err != nil {
		tb.Skip("../shared is absent: ", err)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		tb.Skip("python3 not found")
	}
	dir := tb.TempDir()
	pcap, truth = filepath.Join(dir, "g.pcap"), filepath.Join(dir, "truth.json")
	cmd := exec.Command(py, append([]string{gen, "-q", "-o", pcap, "--truth", truth}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("generator: %v\n%s", err, out)
	}
	return pcap, truth
}

// BenchCapture returns the capture a benchmark runs on: the file named
// by SIPAUDIT_BENCH_PCAP (scripts/bench.sh passes its ~1M-packet
// capture), else a ~100k-packet generator capture.
func BenchCapture(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("SIPAUDIT_BENCH_PCAP"); p != "" {
		return p
	}
	p, _ := Generate(tb, "--calls", "6340", "--seed", "1")
	return p
}
