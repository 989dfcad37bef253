package analyzer

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/internal/testgen"
)

type (
	truthExchange = testgen.TruthExchange
	truthFile     = testgen.Truth
)

// generate runs the shared generator (skipping the test without it) and
// reads its truth file.
func generate(t *testing.T, args ...string) (pcap string, truth truthFile) {
	t.Helper()
	return testgen.GenerateTruth(t, args...)
}

// analyzeFile runs a capture through the decoder and an Analyzer.
func analyzeFile(t testing.TB, path string, cfg Config) ([]*Exchange, *Stats) {
	t.Helper()
	var exs []*Exchange
	cfg.OnExchange = func(e *Exchange) { exs = append(exs, e) }
	if cfg.OnDialog == nil {
		cfg.OnDialog = func(*Dialog) {}
	}
	a := New(cfg)
	a.SetInput(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := capture.NewDecoder(capture.DefaultLimits(), a.Add)
	if _, err := capture.Read(context.Background(), f, path, dec, nil); err != nil {
		t.Fatal(err)
	}
	dec.Close()
	a.Close()
	return exs, a.Stats()
}

// wantReference is the reference verdict the truth implies: with the
// subscribers' passwords, a right digest is valid unless it re-sends an
// nc already accepted (the nc_replay anomaly), and a wrong one invalid;
// without them, every digest is unknown-credentials.
func wantReference(e truthExchange, withCreds bool) string {
	switch {
	case !withCreds:
		return "unknown-credentials"
	case !e.ExpectedValid:
		return "invalid"
	case e.Anomaly != nil && *e.Anomaly == "nc_replay":
		return "replay"
	}
	return "valid"
}

func wantServer(e truthExchange) string {
	switch {
	case e.ServerVerdict == 401 || e.ServerVerdict == 407:
		// Only the stale_nonce flow answers with stale=true.
		if e.Anomaly != nil && *e.Anomaly == "stale_nonce" {
			return "stale"
		}
		return "challenged"
	case e.ServerVerdict == 403:
		return "rejected"
	}
	return "accepted"
}

// TestGeneratorTruth checks every auth exchange of generator captures
// (several seeds and sizes, with a high anomaly rate) against the truth
// file: username, algorithm, nc, frames, the reference verdict (with and
// without the subscribers' credentials) and the server verdict: 100 %.
func TestGeneratorTruth(t *testing.T) {
	for _, args := range [][]string{
		{"--calls", "10", "--seed", "1"},
		{"--calls", "300", "--seed", "7", "--anomaly-rate", "0.1"},
		{"--calls", "600", "--seed", "42", "--anomaly-rate", "0.05", "--pcapng"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			pcap, truth := generate(t, args...)
			var creds []Credential
			for _, u := range truth.Users {
				creds = append(creds, Credential{Username: u.Username, Realm: u.Realm, Secret: digest.Secret{Password: []byte(u.Password)}})
			}
			for _, withCreds := range []bool{true, false} {
				cfg := Config{}
				if withCreds {
					cfg.Verifier = NewVerifier(creds, digest.Config{})
				}
				exs, stats := analyzeFile(t, pcap, cfg)
				byFrame := map[int]*Exchange{}
				for _, e := range exs {
					if byFrame[e.Frame] != nil {
						t.Errorf("two exchanges at frame %d", e.Frame)
					}
					byFrame[e.Frame] = e
				}
				if len(exs) != len(truth.Exchanges) || stats.AuthExchanges != len(truth.Exchanges) {
					t.Errorf("creds=%v: %d exchanges (stats %d), truth has %d", withCreds, len(exs), stats.AuthExchanges, len(truth.Exchanges))
				}
				bad := 0
				for _, te := range truth.Exchanges {
					frame := te.RequestFrames[len(te.RequestFrames)-1]
					e := byFrame[frame]
					if e == nil {
						t.Errorf("truth exchange %d (frame %d, %s %s): not found", te.ID, frame, te.Method, te.CallID)
						bad++
						continue
					}
					alg, nc := "", ""
					if te.Algorithm != nil {
						alg = *te.Algorithm
					}
					if te.NC != nil {
						nc = *te.NC
					}
					got := fmt.Sprintf("%s %s %s %s %s %s %s %v %v", e.Method, e.Header, e.Scheme, e.Username, e.Algorithm, e.NC, e.Reference, e.ServerVerdict, e.ResponseFrames)
					want := fmt.Sprintf("%s %s %s %s %s %s %s %v %v", te.Method, te.Header, te.Scheme, te.Username, alg, nc, wantReference(te, withCreds), wantServer(te), te.ResponseFrames)
					if got != want {
						bad++
						if bad <= 10 {
							t.Errorf("creds=%v exchange %d (frame %d):\n got %s (%s)\nwant %s", withCreds, te.ID, frame, got, e.Reason, want)
						}
					}
					if te.Anomaly != nil && *te.Anomaly == "nc_replay" && !e.NCReplay {
						t.Errorf("exchange %d: nc replay not flagged", te.ID)
					}
					if withCreds && te.RspAuth != nil && e.RspAuth != "valid" {
						t.Errorf("exchange %d: rspauth %q", te.ID, e.RspAuth)
					}
				}
				if bad > 0 {
					t.Errorf("creds=%v: %d of %d exchanges differ from the truth", withCreds, bad, len(truth.Exchanges))
				}
			}
		})
	}
}

// TestGeneratorDialogs: every generator call (the INVITE Call-IDs of the
// truth) is one dialog, busy when answered 486, rejected when the caller's
// password was wrong (403), completed otherwise (BYE after 200).
func TestGeneratorDialogs(t *testing.T) {
	pcap, truth := generate(t, "--calls", "300", "--seed", "7", "--anomaly-rate", "0.1")
	want := map[string]DialogState{}
	for _, e := range truth.Exchanges {
		if e.Method != "INVITE" {
			continue
		}
		switch {
		case e.ServerVerdict == 486:
			want[e.CallID] = Busy
		case e.ServerVerdict == 403:
			want[e.CallID] = Rejected
		default:
			want[e.CallID] = Completed
		}
	}
	got := map[string]DialogState{}
	_, stats := analyzeFile(t, pcap, Config{OnDialog: func(d *Dialog) {
		if _, dup := got[d.CallID]; dup {
			t.Errorf("two dialogs for %s", d.CallID)
		}
		got[d.CallID] = d.State
	}})
	if stats.Dialogs != len(want) || len(got) != len(want) {
		t.Errorf("%d dialogs (stats %d), truth has %d calls", len(got), stats.Dialogs, len(want))
	}
	bad := 0
	for id, w := range want {
		if got[id] != w {
			if bad++; bad <= 5 {
				t.Errorf("call %s: %s, want %s", id, got[id], w)
			}
		}
	}
}
