package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
	"github.com/sipaudit/sipaudit/report"
	"github.com/sipaudit/sipaudit/rules"
	"github.com/sipaudit/sipaudit/store"
	"github.com/sipaudit/sipaudit/web"
)

const srcPcap = "../../testdata/example.pcap"

// storedRun analyzes example.pcap with its credentials and every rule
// into a new database, and returns the source, the run and what the
// analysis held in memory.
func storedRun(t *testing.T) (web.Source, int64, *report.Report) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "runs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	creds, err := readCreds("../../testdata/example-creds.csv")
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.BeginRun(ctx, store.RunInfo{Version: "test", Args: []string{"analyze", srcPcap}, Started: time.Unix(1700000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	rep := &report.Report{Tool: report.Tool{Name: "sipaudit", Version: "test"}, Rules: rules.Catalog()}
	engine := analyzer.NewEngine(0, rules.All(rules.Config{})...)
	an := analyzer.New(analyzer.Config{
		Verifier:   analyzer.NewVerifier(creds, digest.Config{}),
		Rules:      engine,
		OnMessage:  run.AddMessage,
		OnExchange: func(e *analyzer.Exchange) { rep.Exchanges = append(rep.Exchanges, e); run.AddExchange(e) },
		OnDialog:   func(d *analyzer.Dialog) { rep.Dialogs = append(rep.Dialogs, d); run.AddDialog(d) },
		OnRegistration: func(g *analyzer.Registration) {
			rep.Registrations = append(rep.Registrations, g)
			run.AddRegistration(g)
		},
	})
	in, cst := readThrough(t, ctx, an, srcPcap)
	run.AddInput(in)
	rep.Inputs = []capture.Input{in}
	rep.Capture = cst
	rep.Findings = engine.Findings()
	run.AddFindings(rep.Findings)
	rep.Stats = an.Stats()
	rep.Stats.Packets = rep.Capture.Packets
	if err := run.Finish(ctx, store.Summary{Stats: rep.Stats, Capture: rep.Capture}, true); err != nil {
		t.Fatal(err)
	}
	return newDBSource(db), run.ID(), rep
}

func TestDBSource(t *testing.T) {
	src, id, rep := storedRun(t)
	ctx := context.Background()

	runs, err := src.Runs(ctx)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	r := runs[0]
	if r.ID != id || !r.Complete || r.Packets != rep.Stats.Packets || r.SIPMessages != rep.Stats.SIPMessages ||
		r.Exchanges != len(rep.Exchanges) || r.Dialogs != len(rep.Dialogs) || r.Findings != len(rep.Findings) ||
		len(r.Inputs) != 1 || r.Inputs[0].Path != srcPcap {
		t.Errorf("run %+v", r)
	}

	ov, err := src.Overview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Auth) != authBuckets {
		t.Errorf("%d auth buckets", len(ov.Auth))
	}
	var acc, refused, invalid int
	for i, b := range ov.Auth {
		acc, refused, invalid = acc+b.Accepted, refused+b.Refused, invalid+b.Invalid
		if i > 0 && !b.Start.After(ov.Auth[i-1].Start) {
			t.Errorf("bucket %d starts at %v, not after %v", i, b.Start, ov.Auth[i-1].Start)
		}
	}
	var wantAcc, wantRef, wantInv int
	for _, e := range rep.Exchanges {
		switch e.ServerVerdict {
		case "accepted":
			wantAcc++
		case "challenged", "stale", "rejected":
			wantRef++
		}
		if e.Reference == "invalid" {
			wantInv++
		}
	}
	if acc != wantAcc || refused != wantRef || invalid != wantInv {
		t.Errorf("auth chart %d/%d/%d, want %d/%d/%d", acc, refused, invalid, wantAcc, wantRef, wantInv)
	}
	total := 0
	for _, n := range ov.FindingsBySeverity {
		total += n
	}
	if total != len(rep.Findings) || len(ov.FindingsByRule) == 0 || ov.Requests["REGISTER"] != rep.Stats.Requests["REGISTER"] {
		t.Errorf("overview %+v", ov)
	}

	// Findings, filtered.
	fs, n, err := src.Findings(ctx, id, web.FindingFilter{Severity: "high", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, f := range rep.Findings {
		if f.Severity >= finding.High {
			want++
		}
	}
	if n != want || len(fs) != min(5, want) {
		t.Errorf("high findings %d of %d, want %d", len(fs), n, want)
	}
	f0 := rep.Findings[0]
	fs, _, err = src.Findings(ctx, id, web.FindingFilter{Rule: f0.Rule})
	if err != nil || len(fs) == 0 || fs[0].Rule != f0.Rule {
		t.Errorf("findings of %s: %v, %v", f0.Rule, fs, err)
	}
	if _, _, err := src.Findings(ctx, 99, web.FindingFilter{}); !errors.Is(err, web.ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}

	// Exchanges, and one with its findings and dialog.
	e0 := rep.Exchanges[0]
	xs, n, err := src.Exchanges(ctx, id, e0.Username, 0, 0)
	if err != nil || len(xs) == 0 || xs[0].Username != e0.Username || n < len(xs) {
		t.Errorf("exchanges of %s: %d of %d, %v", e0.Username, len(xs), n, err)
	}
	var withFinding *analyzer.Exchange
	for _, e := range rep.Exchanges {
		for _, f := range rep.Findings {
			if f.Exchange == e.ID && withFinding == nil {
				withFinding = e
			}
		}
	}
	if withFinding == nil {
		t.Fatal("no finding names an exchange")
	}
	x, err := src.Exchange(ctx, id, withFinding.ID)
	if err != nil || x.ID != withFinding.ID || len(x.Findings) == 0 || x.Findings[0].Exchange != x.ID {
		t.Fatalf("Exchange(%s) = %+v, %v", withFinding.ID, x, err)
	}
	if withFinding.Work != nil && (x.Work == nil || x.Work.HA1 != withFinding.Work.HA1) {
		t.Errorf("work %+v, want %+v", x.Work, withFinding.Work)
	}
	if _, err := src.Exchange(ctx, id, "e0"); !errors.Is(err, web.ErrNotFound) {
		t.Errorf("unknown exchange: %v", err)
	}

	// Dialogs and the messages of one.
	ds, n, err := src.Dialogs(ctx, id, 10, 0)
	if err != nil || n != len(rep.Dialogs) || len(ds) != min(10, n) {
		t.Fatalf("dialogs %d of %d, %v", len(ds), n, err)
	}
	for i := 1; i < len(ds); i++ {
		if ds[i].Start.Before(ds[i-1].Start) {
			t.Errorf("dialogs not in start order")
		}
	}
	d, msgs, err := src.Dialog(ctx, id, ds[0].ID)
	if err != nil || d.ID != ds[0].ID || len(msgs) < d.Messages || len(msgs) == 0 {
		t.Fatalf("Dialog(%s): %+v, %d messages, %v", ds[0].ID, d, len(msgs), err)
	}
	if m := msgs[0]; !m.Request || !strings.HasPrefix(string(m.Raw), m.StartLine) || m.Src != d.Caller {
		t.Errorf("first message %+v (caller %s)", m, d.Caller)
	}
	if _, _, err := src.Dialog(ctx, id, "nope"); !errors.Is(err, web.ErrNotFound) {
		t.Errorf("unknown dialog: %v", err)
	}

	regs, err := src.Registrations(ctx, id)
	if err != nil || len(regs) != len(rep.Registrations) {
		t.Errorf("registrations %d, want %d (%v)", len(regs), len(rep.Registrations), err)
	}

	// Search: a Call-ID, a user, an IP address, a frame number.
	for _, q := range []struct{ q, what string }{
		{d.CallID, "dialog"}, {e0.Username, "exchange"}, {strings.Split(e0.Client, ":")[0], "exchange"},
		{strconv.Itoa(msgs[0].Frames[0]), "dialog"},
	} {
		res, err := src.Search(ctx, id, q.q)
		if err != nil {
			t.Fatal(err)
		}
		if (q.what == "dialog" && len(res.Dialogs) == 0) || (q.what == "exchange" && len(res.Exchanges) == 0) {
			t.Errorf("search %q found %d dialogs, %d exchanges, %d findings", q.q, len(res.Dialogs), len(res.Exchanges), len(res.Findings))
		}
	}
}

func TestDBSourceExport(t *testing.T) {
	src, id, rep := storedRun(t)
	ctx := context.Background()
	// JSON: the same report as the analysis wrote, from memory.
	var want, got bytes.Buffer
	if err := report.WriteJSON(&want, rep); err != nil {
		t.Fatal(err)
	}
	if err := src.Export(ctx, id, "json", &got); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("exported JSON differs from the analysis' report:\n%.3000s", diffHint(got.String(), want.String()))
	}
	var sarif struct {
		Runs []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	got.Reset()
	if err := src.Export(ctx, id, "sarif", &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got.Bytes(), &sarif); err != nil || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != len(rep.Findings) {
		t.Errorf("sarif: %v", err)
	}
	got.Reset()
	if err := src.Export(ctx, id, "csv", &got); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&got).ReadAll()
	if err != nil || len(recs) != len(rep.Findings)+1 {
		t.Errorf("csv: %d records, %v", len(recs), err)
	}
	if err := src.Export(ctx, id, "xml", &got); err == nil {
		t.Error("xml export accepted")
	}
}

func diffHint(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl[i] + "\nwant: " + wl[i]
		}
	}
	return "lengths differ: " + strconv.Itoa(len(gl)) + " vs " + strconv.Itoa(len(wl)) + " lines"
}

func TestDBSourceDialogPcap(t *testing.T) {
	src, id, rep := storedRun(t)
	ctx := context.Background()
	d := rep.Dialogs[0]
	_, msgs, err := src.Dialog(ctx, id, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := src.DialogPcap(ctx, id, d.ID, &buf); err != nil {
		t.Fatal(err)
	}
	// The file read back: header, then one record per message.
	b := buf.Bytes()
	if len(b) < 24 || string(b[:4]) != "\xd4\xc3\xb2\xa1" || b[20] != linkTypeRaw {
		t.Fatalf("pcap header % x", b[:min(24, len(b))])
	}
	n := 0
	for off := 24; off < len(b); n++ {
		incl := int(uint32(b[off+8]) | uint32(b[off+9])<<8 | uint32(b[off+10])<<16 | uint32(b[off+11])<<24)
		pkt := b[off+16 : off+16+incl]
		if !bytes.HasSuffix(pkt, msgs[n].Raw) {
			t.Errorf("packet %d does not end with the message", n+1)
		}
		if pkt[0]>>4 == 4 && checksum(0, pkt[:20]) != 0xffff {
			t.Errorf("packet %d: bad IPv4 header checksum", n+1)
		}
		off += 16 + incl
	}
	if n != len(msgs) {
		t.Errorf("%d packets, want %d", n, len(msgs))
	}
	if err := src.DialogPcap(ctx, id, "nope", &buf); !errors.Is(err, web.ErrNotFound) {
		t.Errorf("unknown dialog: %v", err)
	}

	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed")
	}
	path := filepath.Join(t.TempDir(), "dialog.pcap")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tshark, "-n", "-r", path, "-o", "udp.check_checksum:TRUE", "-T", "fields",
		"-e", "sip.Call-ID", "-e", "udp.checksum.status")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.Bytes())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(msgs) {
		t.Fatalf("tshark read %d packets, want %d:\n%s", len(lines), len(msgs), out)
	}
	for i, l := range lines {
		f := strings.Split(l, "\t")
		if f[0] != d.CallID {
			t.Errorf("packet %d: tshark saw Call-ID %q, want %q", i+1, f[0], d.CallID)
		}
		if len(f) > 1 && f[1] != "" && f[1] != "1" && f[1] != "Good" {
			t.Errorf("packet %d: UDP checksum status %q", i+1, f[1])
		}
	}
}

// readThrough reads a capture through an analyzer's pipeline, as
// sipaudit analyze does, and closes the analysis.
func readThrough(t *testing.T, ctx context.Context, an *analyzer.Analyzer, path string) (capture.Input, capture.Stats) {
	t.Helper()
	an.SetInput(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pipe := an.Pipeline()
	dec := capture.NewDecoder(capture.DefaultLimits(), pipe.Add)
	in, err := capture.Read(ctx, f, path, dec, nil)
	dec.Close()
	pipe.Close()
	if err != nil {
		t.Fatal(err)
	}
	an.Close()
	return in, dec.Stats()
}
