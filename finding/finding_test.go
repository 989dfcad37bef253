package finding

import (
	"encoding/json"
	"testing"
	"time"
)

func TestFingerprintStable(t *testing.T) {
	// The fingerprint is the contract of --baseline files: it must not
	// change between versions. This value was computed once and is pinned.
	if got, want := Fingerprint("SA201", "exchange abc REGISTER n 00000001"), Fingerprint("SA201", "exchange abc REGISTER n 00000001"); got != want {
		t.Fatal("not deterministic")
	}
	if got := Fingerprint("SA201", "k"); got != "SA201-d7a22c0bbba0c978" {
		t.Errorf("fingerprint %q", got)
	}
	if Fingerprint("SA201", "a") == Fingerprint("SA202", "a") || Fingerprint("SA201", "a") == Fingerprint("SA201", "b") {
		t.Error("fingerprints collide across rules or keys")
	}
}

func TestSeverity(t *testing.T) {
	for s := Info; s <= Critical; s++ {
		got, err := ParseSeverity(s.String())
		if err != nil || got != s {
			t.Errorf("%v: %v %v", s, got, err)
		}
		b, _ := json.Marshal(s)
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("json %s: %v %v", b, back, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("severe parsed")
	}
	if s, _ := ParseSeverity("HIGH"); s != High || !(Critical > High && High > Medium && Medium > Low && Low > Info) {
		t.Error("order or case")
	}
}

func TestLess(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &Finding{Input: "a.pcap", Time: t0, Frames: []int{5}, Rule: "SA301"}
	b := &Finding{Input: "a.pcap", Time: t0, Frames: []int{5}, Rule: "SA302"}
	c := &Finding{Input: "a.pcap", Time: t0.Add(time.Second), Frames: []int{1}, Rule: "SA101"}
	d := &Finding{Input: "b.pcap", Time: t0.Add(-time.Hour), Rule: "SA101"}
	order := []*Finding{a, b, c, d}
	for i := range order {
		for j := range order {
			if Less(order[i], order[j]) != (i < j) {
				t.Errorf("Less(%d, %d) = %v", i, j, !(i < j))
			}
		}
	}
}
