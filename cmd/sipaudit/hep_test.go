package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/capture"
)

// exampleMessages returns the SIP messages of the example capture, as a
// capture agent would see them.
func exampleMessages(t *testing.T) []*capture.Message {
	t.Helper()
	f, err := os.Open(example)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var msgs []*capture.Message
	d := capture.NewDecoder(capture.DefaultLimits(), func(m *capture.Message) { msgs = append(msgs, m.Clone()) })
	if _, err := capture.Read(context.Background(), f, example, d, nil); err != nil {
		t.Fatal(err)
	}
	d.Close()
	return msgs
}

var hepAddr = regexp.MustCompile(`receiving HEP on udp and tcp (\S+);`)

func startHEP(t *testing.T, args ...string) (*background, string) {
	t.Helper()
	b := startCmd(t, append([]string{"hep", "--listen", "127.0.0.1:0"}, args...)...)
	var addr string
	waitFor(t, "hep to listen: "+b.errs.String(), func() bool {
		m := hepAddr.FindStringSubmatch(b.errs.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return b, addr
}

// fingerprints returns the sorted fingerprints and counts of findings.
func fingerprints(fs []jsonFinding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Fingerprint+" "+f.Rule+" "+f.Severity)
	}
	slices.Sort(out)
	return out
}

// TestHEPListener: the example capture's messages sent as HEPv3 by an
// agent, over UDP or over one TCP connection, give the findings analyze
// gives on the capture (same fingerprints); the packets written with
// --write give, through analyze, the same findings with the same
// frames. Packets without the auth key, and a TCP peer that is not
// speaking HEP, are refused and said so.
func TestHEPListener(t *testing.T) {
	msgs := exampleMessages(t)
	want := fingerprints(reportFindings(t, runJSON(t, "analyze", "--db=", "--format", "json", "--creds", exampleCreds, example)))
	if len(want) < 20 || len(msgs) < 100 {
		t.Fatalf("%d findings, %d messages in the example", len(want), len(msgs))
	}
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			dir := t.TempDir()
			written := filepath.Join(dir, "hep.pcapng")
			b, addr := startHEP(t, "--hep-auth-key", "k3y", "--db", filepath.Join(dir, "x.db"), "--write", written,
				"--format", "json", "--creds", exampleCreds, "-o", filepath.Join(dir, "report.json"))
			conn, err := net.Dial(transport, addr)
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range msgs {
				if _, err := conn.Write(capture.EncodeHEP(m, "k3y")); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if i == 3 {
					_, _ = conn.Write(capture.EncodeHEP(m, "wrong")) // refused
				}
				if transport == "udp" {
					time.Sleep(100 * time.Microsecond) // the socket buffer keeps up
				}
			}
			conn.Close()
			junk, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = junk.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
			waitFor(t, "the junk connection to be refused", func() bool { return strings.Contains(b.errs.String(), "not a HEPv3 stream") })
			junk.Close()
			time.Sleep(300 * time.Millisecond) // the last datagrams are read
			if code := b.stop(t); code != exitOK {
				t.Fatalf("hep: exit %d, stderr %q", code, b.errs.String())
			}
			if !strings.Contains(b.errs.String(), "1 HEP packets without the auth key were dropped") {
				t.Errorf("stderr %q", b.errs.String())
			}
			rep, err := os.ReadFile(filepath.Join(dir, "report.json"))
			if err != nil {
				t.Fatal(err)
			}
			got := reportFindings(t, string(rep))
			if g := fingerprints(got); !slices.Equal(g, want) {
				t.Errorf("findings\n%v\nwant those of analyze on the capture\n%v", g, want)
			}
			again := runJSON(t, "analyze", "--db=", "--format", "json", "--creds", exampleCreds, written)
			sameFindings(t, "analyze on the written pcapng", reportFindings(t, again), got)
		})
	}
}
