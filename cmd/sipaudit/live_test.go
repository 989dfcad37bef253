package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcap"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/sipaudit/sipaudit/store"
)

// syncBuffer is a bytes.Buffer written by a command running in another
// goroutine and read by the test while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// background runs a sipaudit command until stop is called; stop
// cancels it as Ctrl-C would and returns its exit code.
type background struct {
	out, errs syncBuffer
	cancel    context.CancelFunc
	done      chan int
}

func startCmd(t *testing.T, args ...string) *background {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := &background{cancel: cancel, done: make(chan int, 1)}
	go func() { b.done <- runContext(ctx, args, strings.NewReader(""), &b.out, &b.errs) }()
	t.Cleanup(func() { cancel() })
	return b
}

// waitFor polls cond until it holds or ten seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *background) stop(t *testing.T) int {
	t.Helper()
	b.cancel()
	select {
	case code := <-b.done:
		return code
	case <-time.After(20 * time.Second):
		t.Fatalf("the command did not stop within 20 s of its cancellation; stderr %q", b.errs.String())
		return -1
	}
}

// openLoopback opens a libpcap handle on lo to inject packets with, or
// skips the test when this machine cannot capture (not root, no lo).
func openLoopback(t *testing.T) *pcap.Handle {
	t.Helper()
	h, err := pcap.OpenLive("lo", 65535, false, pcap.BlockForever)
	if err != nil {
		t.Skipf("cannot capture on lo here (root or CAP_NET_RAW needed): %v", err)
	}
	t.Cleanup(h.Close)
	return h
}

// injectPcap sends every packet of an Ethernet pcap onto lo, in order.
// The kernel drops them (their addresses are not local), but a capture
// on lo sees each once.
func injectPcap(t *testing.T, h *pcap.Handle, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		data, _, err := r.ReadPacketData()
		if err != nil {
			return n
		}
		if err := h.WritePacketData(data); err != nil {
			t.Fatalf("inject packet %d: %v", n+1, err)
		}
		n++
		time.Sleep(100 * time.Microsecond) // keep the kernel's order and buffer
	}
}

// exampleFilter keeps the example capture's packets and nothing else
// that may cross lo while the test runs.
const exampleFilter = "ip6 or net 10.0.0.0/8 or net 203.0.113.0/24"

// TestLiveLoopback: the example capture, injected onto lo, captured by
// sipaudit live. The findings streamed as they are made, those stored
// while the capture runs, those reported at the end and those of
// analyze on the written pcapng are the findings of analyze on the
// original capture: the same rules, frames and counts.
func TestLiveLoopback(t *testing.T) {
	h := openLoopback(t)
	dir := t.TempDir()
	db, written := filepath.Join(dir, "live.db"), filepath.Join(dir, "live.pcapng")
	live := startCmd(t, "live", "-i", "lo", "--bpf", exampleFilter, "--db", db, "--write", written,
		"--format", "json", "--creds", exampleCreds, "-o", filepath.Join(dir, "report.json"))
	waitFor(t, "live to start capturing: "+live.errs.String(), func() bool { return strings.Contains(live.errs.String(), "capturing on lo") })
	n := injectPcap(t, h, example)

	// The findings reach the database while the capture runs.
	want := reportFindings(t, runJSON(t, "analyze", "--db=", "--format", "json", "--creds", exampleCreds, example))
	sdb, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	waitFor(t, "the findings to be stored during the capture", func() bool {
		runs, err := sdb.Runs(context.Background())
		if err != nil || len(runs) != 1 {
			return false
		}
		_, total, err := sdb.Findings(context.Background(), runs[0].ID, store.FindingQuery{})
		return err == nil && total == len(want)
	})
	if code := live.stop(t); code != exitOK {
		t.Fatalf("live: exit %d, stderr %q", code, live.errs.String())
	}
	if !strings.Contains(live.errs.String(), "166 packets, 0 dropped by the kernel, 0 by the interface") || n != 166 {
		t.Errorf("injected %d; stderr %q", n, live.errs.String())
	}

	// The stream: one JSON object per finding, as it was made.
	var streamed []string
	sc := bufio.NewScanner(strings.NewReader(live.out.String()))
	for sc.Scan() {
		var f jsonFinding
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("stream line %q: %v", sc.Text(), err)
		}
		streamed = append(streamed, f.Rule+" "+intsKey(f.Frames))
	}
	slices.Sort(streamed)
	var wantKeys []string
	for _, f := range want {
		wantKeys = append(wantKeys, f.Rule+" "+intsKey(f.Frames))
	}
	slices.Sort(wantKeys)
	if !slices.Equal(streamed, wantKeys) {
		t.Errorf("streamed findings\n%v\nwant\n%v", streamed, wantKeys)
	}

	rep, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	sameFindings(t, "live's report", reportFindings(t, string(rep)), want)
	again := runJSON(t, "analyze", "--db=", "--format", "json", "--creds", exampleCreds, written)
	sameFindings(t, "analyze on the written pcapng", reportFindings(t, again), want)
	code, stored, errs := runCmd(t, nil, "report", "--db", db, "--format", "json")
	if code != exitOK {
		t.Fatalf("report: %d %s", code, errs)
	}
	sameFindings(t, "the stored run", reportFindings(t, stored), want)
	var st struct {
		Inputs []struct {
			Path    string `json:"path"`
			Packets int    `json:"packets"`
			Format  string `json:"format"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(stored), &st); err != nil || len(st.Inputs) != 1 || st.Inputs[0].Packets != 166 ||
		st.Inputs[0].Path != written || st.Inputs[0].Format != "live+pcapng" {
		t.Errorf("stored inputs %+v (%v)", st.Inputs, err)
	}
}

func runJSON(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := runCmd(t, nil, args...)
	if code != exitOK {
		t.Fatalf("%v: exit %d, %s", args, code, errs)
	}
	return out
}

func reportFindings(t *testing.T, doc string) []jsonFinding {
	t.Helper()
	var r struct {
		Findings []jsonFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		t.Fatalf("report: %v", err)
	}
	return r.Findings
}

func intsKey(v []int) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// sameFindings compares findings by rule, frames, count and severity.
func sameFindings(t *testing.T, what string, got, want []jsonFinding) {
	t.Helper()
	key := func(fs []jsonFinding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Rule+" "+intsKey(f.Frames)+" "+f.Severity+" x"+strconv.Itoa(f.Count))
		}
		slices.Sort(out)
		return out
	}
	if g, w := key(got), key(want); !slices.Equal(g, w) {
		t.Errorf("%s: findings\n%v\nwant\n%v", what, g, w)
	}
}
