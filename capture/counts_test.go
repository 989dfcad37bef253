package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The oracle for what SIP a capture holds is tshark: requests by method
// and responses by status code must equal what
//
//	tshark -r F -Y sip -T fields -E occurrence=a -e sip.Method -e sip.Status-Code
//
// counts. Expected counts are committed (testdata/capture/expected.json,
// and shared/corpus/expected.json beside the repo), so the tests mean
// something without tshark; when tshark is installed they also run it.

// sharedDir is the project's shared folder beside the repository. Tests
// that read it skip when it is absent (a user's clone has no shared/).
const sharedDir = "../../shared"

// counts is requests by method and responses by code.
type counts struct {
	Requests  map[string]int `json:"requests"`
	Responses map[string]int `json:"responses"`
}

// expectation is one entry of an expected.json file.
type expectation struct {
	counts
	TsharkArgs    []string `json:"tshark_args"`
	Tshark        *bool    `json:"tshark"`
	Truncated     bool     `json:"truncated"`
	Encapsulation string   `json:"encapsulation"`
	Note          string   `json:"note"`
}

func (c counts) String() string {
	return fmt.Sprintf("requests %v responses %v", c.Requests, c.Responses)
}

func (c counts) equal(o counts) bool {
	return maps.Equal(c.Requests, o.Requests) && maps.Equal(c.Responses, o.Responses)
}

// countFile runs a capture through Read and a Decoder and counts the
// messages by their start lines.
func countFile(t *testing.T, path string) (counts, Stats, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := counts{Requests: map[string]int{}, Responses: map[string]int{}}
	var bad int
	d := NewDecoder(DefaultLimits(), func(m *Message) {
		sl, ok := ParseStartLine(m.Raw)
		if !ok || len(m.Frames) == 0 {
			bad++
			return
		}
		if sl.IsRequest() {
			c.Requests[sl.Method]++
		} else {
			c.Responses[fmt.Sprint(sl.StatusCode)]++
		}
	})
	_, err = Read(context.Background(), f, path, d, nil)
	d.Close()
	if bad > 0 {
		t.Errorf("%s: %d messages without a start line or frames", path, bad)
	}
	return c, d.Stats(), err
}

// tsharkCounts runs tshark on path, or returns false when tshark is not
// installed.
func tsharkCounts(t *testing.T, path string, args []string) (counts, bool) {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		return counts{}, false
	}
	cmdArgs := append([]string{"-n", "-r", path}, args...)
	cmdArgs = append(cmdArgs, "-Y", "sip", "-T", "fields", "-E", "occurrence=a", "-e", "sip.Method", "-e", "sip.Status-Code")
	cmd := exec.Command(bin, cmdArgs...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		// tshark exits non-zero on a truncated file but prints what it read
		t.Logf("tshark %s: %v: %s", path, err, stderr.String())
	}
	c := counts{Requests: map[string]int{}, Responses: map[string]int{}}
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		method, code, _ := strings.Cut(line, "\t")
		for _, m := range strings.Split(method, ",") {
			if m != "" {
				c.Requests[m]++
			}
		}
		for _, s := range strings.Split(code, ",") {
			if s != "" {
				c.Responses[s]++
			}
		}
	}
	return c, true
}

func loadExpected(t *testing.T, path string) map[string]expectation {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]expectation
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// checkDir compares every capture listed in dir/expected.json.
func checkDir(t *testing.T, dir string) {
	exp := loadExpected(t, filepath.Join(dir, "expected.json"))
	files, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
	listed := 0
	for _, path := range files {
		name := filepath.Base(path)
		e, ok := exp[name]
		if !ok {
			t.Errorf("%s has no entry in expected.json", path)
			continue
		}
		listed++
		t.Run(name, func(t *testing.T) {
			got, st, err := countFile(t, path)
			if err != nil && !(e.Truncated && errors.Is(err, ErrTruncated)) {
				t.Errorf("read: %v", err)
			}
			if e.Truncated && !errors.Is(err, ErrTruncated) {
				t.Errorf("read: got %v, want a truncation error", err)
			}
			if !got.equal(e.counts) {
				t.Errorf("sipaudit %v\n     expected %v", got, e.counts)
			}
			if e.Tshark != nil && !*e.Tshark || e.Encapsulation == "hep3" {
				return // tshark 4.0 cannot be the oracle here (see the note)
			}
			if ts, ok := tsharkCounts(t, path, e.TsharkArgs); ok && !ts.equal(e.counts) {
				t.Errorf("tshark   %v\n expected %v (expected.json is stale?)", ts, e.counts)
			}
			if st.Packets == 0 {
				t.Errorf("no packets read")
			}
		})
	}
	if listed != len(exp) {
		t.Errorf("expected.json lists %d files, %d found", len(exp), listed)
	}
}

func TestCountsTestdata(t *testing.T) {
	checkDir(t, filepath.Join("..", "testdata", "capture"))
}

func TestCountsSharedCorpus(t *testing.T) {
	dir := filepath.Join(sharedDir, "corpus")
	if _, err := os.Stat(filepath.Join(dir, "expected.json")); err != nil {
		t.Skip("shared/corpus is not beside the repository")
	}
	checkDir(t, dir)
}

// TestCountsGenerator runs the benchmark generator with several seeds and
// options and compares with its truth file and with tshark.
func TestCountsGenerator(t *testing.T) {
	gen := filepath.Join(sharedDir, "bench", "gen_sip_pcap.py")
	if _, err := os.Stat(gen); err != nil {
		t.Skip("shared/bench is not beside the repository")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"seed1", []string{"--calls", "200", "--seed", "1"}},
		{"seed7_pcapng", []string{"--calls", "150", "--seed", "7", "--pcapng"}},
		{"seed3_anomalies", []string{"--calls", "150", "--seed", "3", "--anomaly-rate", "0.2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			out, truth := filepath.Join(dir, "gen.pcap"), filepath.Join(dir, "truth.json")
			args := append([]string{gen, "-q", "-o", out, "--truth", truth}, c.args...)
			if b, err := exec.Command(py, args...).CombinedOutput(); err != nil {
				t.Fatalf("generator: %v\n%s", err, b)
			}
			var tr struct {
				Summary struct {
					Requests  map[string]int `json:"requests_by_method"`
					Responses map[string]int `json:"responses_by_code"`
				} `json:"summary"`
			}
			b, err := os.ReadFile(truth)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &tr); err != nil {
				t.Fatal(err)
			}
			want := counts{tr.Summary.Requests, tr.Summary.Responses}
			got, _, err := countFile(t, out)
			if err != nil {
				t.Fatal(err)
			}
			if !got.equal(want) {
				t.Errorf("sipaudit %v\n   truth %v", got, want)
			}
			if ts, ok := tsharkCounts(t, out, nil); ok && !ts.equal(got) {
				t.Errorf("sipaudit %v\n  tshark %v", got, ts)
			}
			checkFrames(t, out, b)
		})
	}
}

// checkFrames compares the frames, endpoints and transport of every
// request carrying credentials, and of its final response, with the
// generator's truth: fragments, TCP segments and retransmissions must
// all be attributed as Wireshark numbers them.
func checkFrames(t *testing.T, path string, truth []byte) {
	var tr struct {
		Exchanges []struct {
			Request   []int  `json:"request_frames"`
			Response  []int  `json:"response_frames"`
			Src       string `json:"src"`
			Dst       string `json:"dst"`
			Transport string `json:"transport"`
		} `json:"auth_exchanges"`
	}
	if err := json.Unmarshal(truth, &tr); err != nil {
		t.Fatal(err)
	}
	byLast := map[int]*Message{}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := NewDecoder(DefaultLimits(), func(m *Message) { byLast[m.Frame()] = m.Clone() })
	if _, err := Read(context.Background(), f, path, d, nil); err != nil {
		t.Fatal(err)
	}
	d.Close()
	checked := 0
	for i, e := range tr.Exchanges {
		for _, want := range [][]int{e.Request, e.Response} {
			if len(want) == 0 {
				continue
			}
			m := byLast[want[len(want)-1]]
			if m == nil {
				t.Errorf("exchange %d: no message completed by frame %d", i, want[len(want)-1])
				continue
			}
			if fmt.Sprint(m.Frames) != fmt.Sprint(want) {
				t.Errorf("exchange %d: frames %v, truth %v", i, m.Frames, want)
			}
			checked++
		}
		m := byLast[e.Request[len(e.Request)-1]]
		if m == nil {
			continue
		}
		// the truth writes IPv6 addresses in a non-canonical form
		if m.Src != netip.MustParseAddrPort(e.Src) || m.Dst != netip.MustParseAddrPort(e.Dst) {
			t.Errorf("exchange %d: %v -> %v, truth %s -> %s", i, m.Src, m.Dst, e.Src, e.Dst)
		}
		if !strings.HasPrefix(e.Transport, m.Transport.String()) {
			t.Errorf("exchange %d: transport %v, truth %s", i, m.Transport, e.Transport)
		}
	}
	if checked == 0 {
		t.Error("no exchange checked")
	}
}
