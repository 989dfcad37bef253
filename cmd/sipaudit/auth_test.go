package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

const authDir = "../../testdata/auth"

// authCaptures lists testdata/auth's captures in a fixed order.
func authCaptures(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(authDir, "*.pcap"))
	if err != nil || len(paths) < 7 {
		t.Fatalf("auth fixtures: %v, %d files", err, len(paths))
	}
	return paths
}

// TestAuthGolden runs every auth fixture capture (UDP, segmented TCP, IP
// fragments, WebSocket, password change, IMS AKA, Basic) through the
// whole pipeline with the fixtures' credentials and pins the JSON report
// in testdata/auth.json (go test ./cmd/sipaudit -update to accept).
func TestAuthGolden(t *testing.T) {
	args := append([]string{"analyze", "--format", "json", "--creds", filepath.Join(authDir, "creds.csv")}, authCaptures(t)...)
	code, out, errs := runCmd(t, nil, args...)
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	checkGolden(t, "auth.json", out)
}

// TestAuthFixtures checks each capture's exchanges against what the
// fixture builder says a reference S-CSCF must conclude
// (testdata/auth/expected.json, written by internal/pcapgen).
func TestAuthFixtures(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(authDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	type exchange struct {
		Frame           int    `json:"frame"`
		Method          string `json:"method"`
		Header          string `json:"header"`
		Scheme          string `json:"scheme"`
		Username        string `json:"username"`
		Algorithm       string `json:"algorithm"`
		NC              string `json:"nc"`
		Reference       string `json:"reference"`
		Cause           string `json:"cause"`
		ServerVerdict   string `json:"server_verdict"`
		Status          int    `json:"status"`
		RspAuth         string `json:"rspauth"`
		Retransmissions int    `json:"retransmissions"`
		AKA             string `json:"aka"`
		AckCredentials  string `json:"ack_credentials"`
	}
	var expected map[string]struct {
		Exchanges []exchange `json:"exchanges"`
	}
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	for _, path := range authCaptures(t) {
		name := filepath.Base(path)
		want, ok := expected[name]
		if !ok {
			t.Errorf("%s: not in expected.json", name)
			continue
		}
		code, out, errs := runCmd(t, nil, "analyze", "--format", "json", "--creds", filepath.Join(authDir, "creds.csv"), path)
		if code != exitOK || errs != "" {
			t.Fatalf("%s: exit %d, stderr %q", name, code, errs)
		}
		var rep struct {
			Exchanges []exchange `json:"exchanges"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Exchanges) != len(want.Exchanges) {
			t.Errorf("%s: %d exchanges, want %d", name, len(rep.Exchanges), len(want.Exchanges))
			continue
		}
		for i, w := range want.Exchanges {
			g := rep.Exchanges[i]
			if w.Algorithm == "" && g.Scheme == "Digest" {
				w.Algorithm = "MD5" // absent on the wire means MD5 (RFC 7616 3.3)
			}
			if w.Scheme == "Basic" {
				w.Algorithm = g.Algorithm
			}
			if w.Cause == "" {
				w.Cause = g.Cause // the builder names a cause only where it matters
			}
			if g != w {
				t.Errorf("%s exchange %d:\n got %s\nwant %s", name, i+1, fmt.Sprintf("%+v", g), fmt.Sprintf("%+v", w))
			}
		}
	}
}
