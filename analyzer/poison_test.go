package analyzer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/internal/testgen"
)

// Every test runs with poisoned message buffers: the analyzer must clone
// what it keeps of a message.
func init() { poison = true }

// analyzeAll returns everything an analysis hands out, as JSON.
func analyzeAll(t *testing.T, path string, creds []Credential, pipeline bool) string {
	t.Helper()
	var out []any
	a := New(Config{
		Verifier:       NewVerifier(creds, digest.Config{}),
		OnExchange:     func(e *Exchange) { out = append(out, e) },
		OnDialog:       func(d *Dialog) { out = append(out, d) },
		OnRegistration: func(r *Registration) { out = append(out, r) },
	})
	a.SetInput(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	add, closePipe := a.Add, func() {}
	if pipeline {
		p := a.Pipeline()
		add, closePipe = p.Add, p.Close
	}
	dec := capture.NewDecoder(capture.DefaultLimits(), add)
	if _, err := capture.Read(context.Background(), f, path, dec, nil); err != nil {
		t.Fatal(err)
	}
	dec.Close()
	closePipe()
	a.Close()
	out = append(out, a.Stats())
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPoisonedBuffers checks that nothing the analyzer hands out refers
// to a message's bytes: the results with every message buffer overwritten
// after its analysis are those without; and that the Pipeline's results
// (with its batches poisoned when recycled) are Add's.
func TestPoisonedBuffers(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/auth/*.pcap")
	if _, err := os.Stat(filepath.Join(testgen.SharedDir(), "bench", "gen_sip_pcap.py")); err == nil {
		pcap, _ := testgen.Generate(t, "--calls", "200", "--seed", "3", "--anomaly-rate", "0.1")
		paths = append(paths, pcap)
	}
	creds := []Credential{{Username: "alice", Secret: digest.Secret{Password: []byte("secret")}}}
	defer func() { poison = true }()
	for _, p := range paths {
		poison = false
		want := analyzeAll(t, p, creds, false)
		poison = true
		if got := analyzeAll(t, p, creds, false); got != want {
			t.Errorf("%s: results differ with poisoned buffers", p)
		}
		if got := analyzeAll(t, p, creds, true); got != want {
			t.Errorf("%s: the pipeline's results differ from Add's", p)
		}
	}
}
