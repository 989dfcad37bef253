package crack

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// benchTargets are the shapes BenchmarkCandidates measures, built on the
// RFC 2617 section 3.5 exchange so that the hash inputs have realistic
// lengths (a 34-character nonce, an 8-character cnonce).
func benchTargets() []struct {
	name string
	t    Target
} {
	base := knownAnswers[0].target
	mk := func(alg, qop string) Target {
		t := base
		t.Algorithm, t.QOP = alg, qop
		t.Response = refResponse(t, "not a candidate")
		return t
	}
	return []struct {
		name string
		t    Target
	}{
		{"MD5-auth", mk("MD5", "auth")},
		{"MD5-noqop", mk("MD5", "")},
		{"MD5-sess-auth", mk("MD5-sess", "auth")},
		{"SHA-256-auth", mk("SHA-256", "auth")},
		{"SHA-512-256-auth", mk("SHA-512-256", "auth")},
	}
}

// benchWords are 4096 candidates of 8 to 12 bytes.
func benchWords() [][]byte {
	words := make([][]byte, 4096)
	for i := range words {
		words[i] = []byte(fmt.Sprintf("pass%0*d", 4+i%5, i))
	}
	return words
}

// BenchmarkCandidates measures the per-candidate path for one target on
// one goroutine: one op is one candidate on one core. Run it with -cpu 1.
func BenchmarkCandidates(b *testing.B) {
	words := benchWords()
	for _, bt := range benchTargets() {
		b.Run(bt.name, func(b *testing.B) {
			p, err := newPlan([]Target{bt.t})
			if err != nil {
				b.Fatal(err)
			}
			w := newWorker(p, MaxWordLen)
			b.ReportAllocs()
			b.ResetTimer()
			// One op is one candidate: b.N candidates in batches of lanes.
			for i := 0; i < b.N; i += lanes {
				j := i % (len(words) / lanes * lanes)
				w.try(words[j : j+min(lanes, b.N-i)])
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "c/s/core")
		})
	}
}

// BenchmarkRun measures Run end to end (reading, splitting, all workers)
// on a 200,000-word in-memory list that does not hold the password.
func BenchmarkRun(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 200000; i++ {
		fmt.Fprintf(&sb, "pass%0*d\n", 4+i%5, i)
	}
	list := sb.String()
	for _, bt := range benchTargets()[:1] {
		b.Run(bt.name, func(b *testing.B) {
			b.SetBytes(int64(len(list)))
			var n int64
			for i := 0; i < b.N; i++ {
				_, st, err := Run(context.Background(), []Target{bt.t}, strings.NewReader(list), Options{})
				if err != nil {
					b.Fatal(err)
				}
				n += st.Candidates
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "c/s")
		})
	}
}
