package pcapgen

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/capture fixtures and expected.json")

// fixtureDir is testdata/capture at the module root.
var fixtureDir = filepath.Join("..", "..", "testdata", "capture")

// expectedJSON renders the expected.json of fixtures.
func expectedJSON(t *testing.T, fs []Fixture) []byte {
	t.Helper()
	m := map[string]Expectation{}
	for _, f := range fs {
		m[f.Name] = f.Expect
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestWriteFixtures regenerates the fixtures in memory and checks the
// committed files are byte-identical; with -update it rewrites them.
func TestWriteFixtures(t *testing.T) {
	fs, err := Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"expected.json": expectedJSON(t, fs)}
	for _, f := range fs {
		files[f.Name] = f.Data
	}
	for name, data := range files {
		path := filepath.Join(fixtureDir, name)
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run go test ./internal/pcapgen -run TestWriteFixtures -update)", name, err)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s: committed file differs from the generated one (%d vs %d bytes); regenerate with -update", name, len(got), len(data))
		}
	}
}

// tsharkCounts runs tshark on path the way the corpus counts were made
// and counts every sip.Method and sip.Status-Code value once.
func tsharkCounts(t *testing.T, path string, extra []string, truncated bool) Counts {
	t.Helper()
	args := append([]string{"-r", path}, extra...)
	args = append(args, "-Y", "sip", "-T", "fields", "-E", "occurrence=a",
		"-e", "sip.Method", "-e", "sip.Status-Code")
	cmd := exec.Command("tshark", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && !truncated {
		t.Fatalf("tshark %s: %v\n%s", path, err, stderr.String())
	}
	if truncated && !strings.Contains(stderr.String(), "cut short") {
		t.Errorf("%s: tshark did not report the cut: %q", path, stderr.String())
	}
	c := Counts{Requests: map[string]int{}, Responses: map[string]int{}}
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		for i, col := range cols {
			for _, v := range strings.Split(col, ",") {
				if v == "" {
					continue
				}
				if i == 0 {
					c.Requests[v]++
				} else {
					c.Responses[v]++
				}
			}
		}
	}
	return c
}

// TestFixturesMatchTshark checks expected.json against tshark for every
// committed fixture (skipped without tshark), and that the counts the
// builders recorded agree with expected.json.
func TestFixturesMatchTshark(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]Expectation
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	fs, err := Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	oracles := map[string][]byte{}
	for _, f := range fs {
		oracles[f.Name] = f.Oracle
		e, ok := want[f.Name]
		if !ok {
			t.Errorf("%s missing from expected.json", f.Name)
			continue
		}
		if !reflect.DeepEqual(e.Counts, f.Expect.Counts) {
			t.Errorf("%s: builder counts %v, expected.json %v", f.Name, f.Expect.Counts, e.Counts)
		}
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not on PATH")
	}
	if testing.Short() {
		t.Skip("running tshark on every fixture is slow")
	}
	for name, e := range want {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(fixtureDir, name)
			if e.Tshark != nil && !*e.Tshark {
				if oracles[name] == nil {
					t.Skipf("tshark is not the oracle: %s", e.Note)
				}
				// Count the equivalent capture tshark understands.
				path = filepath.Join(t.TempDir(), "oracle.pcap")
				if err := os.WriteFile(path, oracles[name], 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := tsharkCounts(t, path, e.TsharkArgs, e.Truncated)
			if !reflect.DeepEqual(got, e.Counts) {
				t.Errorf("tshark counts %v, expected.json %v", got, e.Counts)
			}
		})
	}
}
