package rules

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
	"github.com/sipaudit/sipaudit/internal/testgen"
)

// The generator's truth file (shared/bench/gen_sip_pcap.py) is the
// oracle for findings: every injected anomaly must be reported by the
// right rule with the right frames, and every other finding must be one
// whose condition the truth shows. These tests need ../shared and python3
// and skip without them.

type (
	truthExchange = testgen.TruthExchange
	truthFile     = testgen.Truth
)

// runAll analyses a capture with every rule and the truth's passwords.
func runAll(t *testing.T, path string, truth truthFile) []*finding.Finding {
	t.Helper()
	var creds []analyzer.Credential
	for _, u := range truth.Users {
		creds = append(creds, analyzer.Credential{Username: u.Username, Realm: u.Realm, Secret: digest.Secret{Password: []byte(u.Password)}})
	}
	eng := analyzer.NewEngine(0, All(Config{})...)
	an := analyzer.New(analyzer.Config{Verifier: analyzer.NewVerifier(creds, digest.Config{}), Rules: eng})
	an.SetInput(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := capture.NewDecoder(capture.DefaultLimits(), an.Add)
	if _, err := capture.Read(context.Background(), f, path, dec, nil); err != nil {
		t.Fatal(err)
	}
	dec.Close()
	an.Close()
	return eng.Findings()
}

func TestGeneratorFindings(t *testing.T) {
	for _, args := range [][]string{
		{"--calls", "10", "--seed", "1"},
		{"--calls", "300", "--seed", "7", "--anomaly-rate", "0.1"},
		{"--calls", "400", "--seed", "42", "--anomaly-rate", "0.05", "--pcapng"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			pcap, truth := testgen.GenerateTruth(t, args...)
			checkAgainstTruth(t, runAll(t, pcap, truth), truth)
		})
	}
}

func checkAgainstTruth(t *testing.T, fs []*finding.Finding, truth truthFile) {
	byRule := map[string][]*finding.Finding{}
	for _, f := range fs {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	// has: a finding of rule whose frames include all of frames.
	has := func(rule string, frames ...int) bool {
		for _, f := range byRule[rule] {
			ok := true
			for _, fr := range frames {
				ok = ok && slices.Contains(f.Frames, fr)
			}
			if ok {
				return true
			}
		}
		return false
	}
	last := func(fs []int) int { return fs[len(fs)-1] }

	// Every injected anomaly, by the right rule with the right frames.
	wrongUsers := map[string]int{}
	basicUsers := map[string]bool{}
	md5Only, strongFirst := map[string]bool{}, true
	rspauthMissing := false
	for _, x := range truth.Exchanges {
		switch x.AnomalyName() {
		case "nc_replay":
			if !x.ServerAccepted {
				continue
			}
			for _, rule := range []string{"SA201", "SA202"} {
				if !has(rule, last(x.RequestFrames), last(x.ResponseFrames)) {
					t.Errorf("nc_replay of %s (frames %v -> %v) not reported by %s", x.Username, x.RequestFrames, x.ResponseFrames, rule)
				}
			}
		case "wrong_password":
			if x.Scheme == "Digest" && !x.ServerAccepted {
				wrongUsers[x.Username]++
			}
		case "basic_auth":
			if x.Scheme == "Basic" {
				basicUsers[x.Username] = true
				if !has("SA301", last(x.RequestFrames)) && !slices.ContainsFunc(byRule["SA301"], func(f *finding.Finding) bool { return f.Username == x.Username }) {
					t.Errorf("Basic credentials of %s (frame %v) not reported by SA301", x.Username, x.RequestFrames)
				}
			}
		}
		if c := x.Challenge; c != nil && x.Scheme == "Digest" {
			if slices.Equal(c.Offered, []string{"MD5"}) {
				md5Only[x.Realm] = true
			}
			if i, j := slices.Index(c.Offered, "MD5"), slices.Index(c.Offered, "SHA-256"); i >= 0 && j >= 0 && i < j {
				strongFirst = false
			}
		}
		if x.Method == "REGISTER" && x.ServerVerdict/100 == 2 && x.Scheme == "Digest" && x.RspAuth == nil {
			rspauthMissing = true
		}
	}
	// SA103 folds per user and client: every wrongly answered user, and
	// the counts add up.
	got103 := map[string]int{}
	for _, f := range byRule["SA103"] {
		got103[f.Username] += f.Count
	}
	for u, n := range wrongUsers {
		if got103[u] != n {
			t.Errorf("SA103 for %s: %d occurrences, truth has %d wrong passwords refused", u, got103[u], n)
		}
	}
	for u := range got103 {
		if wrongUsers[u] == 0 {
			t.Errorf("SA103 for %s, who has no wrong password in the truth", u)
		}
	}
	// Every other finding's condition is in the truth.
	for _, f := range fs {
		switch f.Rule {
		case "SA201", "SA202":
			// Checked the other way below: no replay reported that the
			// truth does not have.
			ok := false
			for _, x := range truth.Exchanges {
				if x.AnomalyName() == "nc_replay" && slices.Contains(f.Frames, last(x.RequestFrames)) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s without an nc_replay in the truth: %s", f.Rule, f.Message)
			}
		case "SA103":
		case "SA301":
			if !basicUsers[f.Username] {
				t.Errorf("SA301 for %s, who sent no Basic credentials: %s", f.Username, f.Message)
			}
		case "SA302":
			ok := false
			for r := range md5Only {
				ok = ok || strings.Contains(f.Key, "realm "+r)
			}
			if !ok {
				t.Errorf("SA302 for a realm that offers SHA-256: %s", f.Key)
			}
		case "SA303":
			if strongFirst {
				t.Errorf("SA303 although the truth lists SHA-256 first everywhere: %s", f.Message)
			}
		case "SA104":
			if !rspauthMissing {
				t.Errorf("SA104 although every REGISTER 2xx in the truth has rspauth: %s", f.Message)
			}
		case "SA304":
			// A client without SHA-256 takes MD5 from a challenge that
			// offers both: the truth shows the offer and the choice.
			ok := false
			for _, x := range truth.Exchanges {
				if x.Username == f.Username && x.Algorithm != nil && *x.Algorithm == "MD5" && x.Challenge != nil && slices.Contains(x.Challenge.Offered, "SHA-256") {
					ok = true
				}
			}
			if !ok {
				t.Errorf("SA304 for %s, who never answered MD5 to a SHA-256 offer: %s", f.Username, f.Message)
			}
		case "SA305":
			// Every generator transport is cleartext (udp4, udp6, tcp4).
		case "SA403", "SA508":
			// Visible in the capture, not in the truth file: the
			// generator's ACKs never repeat the INVITE's credentials, and
			// every flow starts with a REGISTER without Authorization
			// (the truth's challenge_frames are the 401s to them).
		default:
			t.Errorf("unexpected %s %s: %s (frames %v)", f.Rule, f.Name, f.Message, f.Frames)
		}
	}
	for r := range md5Only {
		if !slices.ContainsFunc(byRule["SA302"], func(f *finding.Finding) bool { return strings.Contains(f.Key, "realm "+r) }) {
			t.Errorf("realm %s offers MD5 only and SA302 does not say so", r)
		}
	}
	for _, rule := range []string{"SA305", "SA508"} {
		if len(byRule[rule]) == 0 {
			t.Errorf("no %s finding on cleartext generator traffic", rule)
		}
	}
}
