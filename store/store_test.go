package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
	"github.com/sipaudit/sipaudit/rules"
)

// analysis is what a run produced, held in memory to compare with what
// the store reads back.
type analysis struct {
	run       *Run
	exchanges []*analyzer.Exchange
	dialogs   []*analyzer.Dialog
	regs      []*analyzer.Registration
	findings  []*finding.Finding
	inputs    []capture.Input
	stats     *analyzer.Stats
	capture   capture.Stats
	messages  int
}

// analyze runs captures through the analyzer and every rule into a new
// run of db, as sipaudit analyze wires it. finish: call Finish with
// complete=true.
func analyze(t testing.TB, db *DB, credsPath string, finish bool, pcaps ...string) *analysis {
	t.Helper()
	ctx := context.Background()
	var creds []analyzer.Credential
	if credsPath != "" {
		f, err := os.Open(credsPath)
		if err != nil {
			t.Fatal(err)
		}
		creds, err = analyzer.ReadCredentials(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	run, err := db.BeginRun(ctx, RunInfo{Version: "test", Args: append([]string{"analyze"}, pcaps...), Started: time.Unix(1700000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	res := &analysis{run: run}
	engine := analyzer.NewEngine(0, rules.All(rules.Config{})...)
	an := analyzer.New(analyzer.Config{
		Verifier: analyzer.NewVerifier(creds, digest.Config{}),
		Rules:    engine,
		OnMessage: func(ev *analyzer.MessageEvent) {
			res.messages++
			run.AddMessage(ev)
		},
		OnExchange:     func(e *analyzer.Exchange) { res.exchanges = append(res.exchanges, e); run.AddExchange(e) },
		OnDialog:       func(d *analyzer.Dialog) { res.dialogs = append(res.dialogs, d); run.AddDialog(d) },
		OnRegistration: func(g *analyzer.Registration) { res.regs = append(res.regs, g); run.AddRegistration(g) },
	})
	for _, p := range pcaps {
		an.SetInput(p)
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		pipe := an.Pipeline()
		dec := capture.NewDecoder(capture.DefaultLimits(), pipe.Add)
		in, err := capture.Read(ctx, f, p, dec, nil)
		f.Close()
		dec.Close()
		pipe.Close()
		if err != nil {
			t.Fatal(err)
		}
		res.inputs = append(res.inputs, in)
		res.capture.Add(dec.Stats())
		run.AddInput(in)
	}
	an.Close()
	res.findings = engine.Findings()
	run.AddFindings(res.findings)
	res.stats = an.Stats()
	res.stats.Packets = res.capture.Packets
	if finish {
		if err := run.Finish(ctx, Summary{Stats: res.stats, Capture: res.capture}, true); err != nil {
			t.Fatal(err)
		}
	}
	return res
}

func openTemp(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sipaudit.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	examplePcap  = "../testdata/example.pcap"
	exampleCreds = "../testdata/example-creds.csv"
)

func TestMigrations(t *testing.T) {
	if SchemaVersion() < 1 {
		t.Fatal("no migrations embedded")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := userVersion(db.w); err != nil || v != SchemaVersion() {
		t.Fatalf("fresh database: user_version %d, %v; want %d", v, err, SchemaVersion())
	}
	run, err := db.BeginRun(ctx, RunInfo{Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Finish(ctx, Summary{}, true); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// An existing database at the current version opens and keeps its runs.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("existing database: %v", err)
	}
	runs, err := db.Runs(ctx)
	if err != nil || len(runs) != 1 || runs[0].Version != "v1" || !runs[0].Complete {
		t.Fatalf("runs after reopening: %+v, %v", runs, err)
	}
	// A database at version 0 with tables missing is migrated; one from a
	// newer binary is refused.
	if _, err := db.w.Exec("PRAGMA user_version=99", nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, path); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("newer schema: got %v, want ErrNewerSchema", err)
	}
}

func TestMigrateOldDatabase(t *testing.T) {
	// A database made by an older binary: an empty SQLite file at
	// user_version 0 (what Open makes before the first migration).
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := userVersion(db.w); v != SchemaVersion() {
		t.Fatalf("user_version %d, want %d", v, SchemaVersion())
	}
}

func TestRoundTrip(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	a := analyze(t, db, exampleCreds, true, examplePcap)
	if len(a.exchanges) == 0 || len(a.dialogs) == 0 || len(a.findings) == 0 || len(a.regs) == 0 {
		t.Fatalf("example.pcap gave %d exchanges, %d dialogs, %d registrations, %d findings",
			len(a.exchanges), len(a.dialogs), len(a.regs), len(a.findings))
	}
	rr, err := db.RunRecord(ctx, a.run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Complete || rr.Finished.IsZero() || rr.Version != "test" || rr.Args[1] != examplePcap {
		t.Errorf("run record %+v", rr)
	}
	if rr.Messages != a.messages || rr.Exchanges != len(a.exchanges) || rr.Dialogs != len(a.dialogs) ||
		rr.Registrations != len(a.regs) || rr.Findings != len(a.findings) {
		t.Errorf("counts %d/%d/%d/%d/%d, want %d/%d/%d/%d/%d", rr.Messages, rr.Exchanges, rr.Dialogs, rr.Registrations, rr.Findings,
			a.messages, len(a.exchanges), len(a.dialogs), len(a.regs), len(a.findings))
	}
	if got, want := jsonOf(t, rr.Stats), jsonOf(t, a.stats); got != want {
		t.Errorf("stats:\n%s\nwant\n%s", got, want)
	}
	if got, want := jsonOf(t, rr.Capture), jsonOf(t, a.capture); got != want {
		t.Errorf("capture stats differ")
	}
	if got, want := jsonOf(t, rr.Inputs), jsonOf(t, a.inputs); got != want {
		t.Errorf("inputs:\n%s\nwant\n%s", got, want)
	}

	exs, n, err := db.Exchanges(ctx, a.run.ID(), ExchangeQuery{})
	if err != nil || n != len(a.exchanges) {
		t.Fatalf("exchanges: %d, %v", n, err)
	}
	if got, want := jsonOf(t, exs), jsonOf(t, a.exchanges); got != want {
		t.Errorf("exchanges differ:\n%.2000s\nwant\n%.2000s", got, want)
	}
	var dls []*analyzer.Dialog
	if err := db.EachDialog(ctx, a.run.ID(), func(d *analyzer.Dialog) error { dls = append(dls, d); return nil }); err != nil {
		t.Fatal(err)
	}
	if got, want := jsonOf(t, dls), jsonOf(t, a.dialogs); got != want {
		t.Errorf("dialogs differ:\n%.2000s\nwant\n%.2000s", got, want)
	}
	regs, err := db.Registrations(ctx, a.run.ID(), RegistrationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jsonOf(t, regs), jsonOf(t, a.regs); got != want {
		t.Errorf("registrations differ:\n%.2000s\nwant\n%.2000s", got, want)
	}
	fs, n, err := db.Findings(ctx, a.run.ID(), FindingQuery{})
	if err != nil || n != len(a.findings) {
		t.Fatalf("findings: %d, %v", n, err)
	}
	if got, want := jsonOf(t, fs), jsonOf(t, a.findings); got != want {
		t.Errorf("findings differ:\n%.3000s\nwant\n%.3000s", got, want)
	}

	// Lookups the web makes.
	e0 := a.exchanges[0]
	if e, err := db.Exchange(ctx, a.run.ID(), e0.ID); err != nil || e.ID != e0.ID || e.Username != e0.Username {
		t.Errorf("Exchange(%s) = %+v, %v", e0.ID, e, err)
	}
	if _, err := db.Exchange(ctx, a.run.ID(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown exchange: %v", err)
	}
	if _, err := db.RunRecord(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}
	byUser, n, err := db.Exchanges(ctx, a.run.ID(), ExchangeQuery{User: e0.Username, Limit: 1})
	if err != nil || len(byUser) != 1 || byUser[0].Username != e0.Username || n < 1 {
		t.Errorf("exchanges of %s: %d of %d, %v", e0.Username, len(byUser), n, err)
	}
	d0 := a.dialogs[0]
	if d, err := db.Dialog(ctx, a.run.ID(), d0.ID); err != nil || jsonOf(t, d) != jsonOf(t, d0) {
		t.Errorf("Dialog(%s) = %+v, %v", d0.ID, d, err)
	}
	msgs, err := db.Messages(ctx, a.run.ID(), MessageQuery{CallID: d0.CallID})
	if err != nil || len(msgs) < d0.Messages {
		t.Fatalf("messages of %s: %d (dialog says %d), %v", d0.CallID, len(msgs), d0.Messages, err)
	}
	for _, m := range msgs {
		if m.CallID != d0.CallID || !bytes.HasPrefix(m.Raw, []byte(m.StartLine+"\r\n")) || m.Input != examplePcap || len(m.Frames) == 0 {
			t.Errorf("message %+v", m)
		}
	}
	if first := msgs[0]; first.Status != 0 || first.Method != d0.Method {
		t.Errorf("first message of the dialog: %s %d", first.Method, first.Status)
	}
	byFrame, err := db.Messages(ctx, a.run.ID(), MessageQuery{Frame: msgs[0].Frame()})
	if err != nil || len(byFrame) != 1 || byFrame[0].StartLine != msgs[0].StartLine {
		t.Errorf("message of frame %d: %+v, %v", msgs[0].Frame(), byFrame, err)
	}
	bySev, byRule, err := db.FindingCounts(ctx, a.run.ID())
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range bySev {
		total += n
	}
	if total != len(a.findings) || len(byRule) == 0 || byRule[0].Count < byRule[len(byRule)-1].Count {
		t.Errorf("finding counts %v %+v", bySev, byRule)
	}
	crit, n, err := db.Findings(ctx, a.run.ID(), FindingQuery{MinSeverity: finding.High, Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, f := range a.findings {
		if f.Severity >= finding.High {
			want++
		}
	}
	if n != want || len(crit) != min(2, max(want-1, 0)) {
		t.Errorf("high findings: %d of %d, want %d", len(crit), n, want)
	}
	buckets, err := db.AuthTimeline(ctx, a.run.ID(), 50)
	if err != nil || len(buckets) != 50 {
		t.Fatalf("timeline: %d, %v", len(buckets), err)
	}
	sum := 0
	for _, b := range buckets {
		sum += b.Accepted + b.Refused
	}
	if sum == 0 {
		t.Error("timeline counts nothing")
	}
	req, resp, err := db.MessageStats(ctx, a.run.ID())
	if err != nil || jsonOf(t, req) != jsonOf(t, a.stats.Requests) || jsonOf(t, resp) != jsonOf(t, a.stats.Responses) {
		t.Errorf("message stats %v %v, want %v %v (%v)", req, resp, a.stats.Requests, a.stats.Responses, err)
	}
}

func TestSeveralRuns(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	a := analyze(t, db, "", true, examplePcap)
	b := analyze(t, db, exampleCreds, true, examplePcap, "../testdata/auth/udp_register_md5.pcap")
	runs, err := db.Runs(ctx)
	if err != nil || len(runs) != 2 || runs[0].ID != b.run.ID() || runs[1].ID != a.run.ID() {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	if len(runs[0].Inputs) != 2 || runs[0].Inputs[1].Path != "../testdata/auth/udp_register_md5.pcap" {
		t.Errorf("inputs %+v", runs[0].Inputs)
	}
	_, na, _ := db.Exchanges(ctx, a.run.ID(), ExchangeQuery{})
	_, nb, _ := db.Exchanges(ctx, b.run.ID(), ExchangeQuery{})
	if na != len(a.exchanges) || nb != len(b.exchanges) {
		t.Errorf("exchanges per run %d %d, want %d %d", na, nb, len(a.exchanges), len(b.exchanges))
	}
}

func TestInterruptedRun(t *testing.T) {
	for _, finish := range []bool{false, true} {
		ctx := context.Background()
		db, path := openTemp(t)
		a := analyze(t, db, exampleCreds, false, examplePcap)
		if finish {
			// Interrupted: Finish(false) flushes and records.
			if err := a.run.Finish(ctx, Summary{Stats: a.stats}, false); err != nil {
				t.Fatal(err)
			}
		} else {
			// Killed: Finish never called. Wait for the writer's
			// periodic commit, then close.
			deadline := time.Now().Add(10 * time.Second)
			for {
				rr, err := db.RunRecord(ctx, a.run.ID())
				if err != nil {
					t.Fatal(err)
				}
				if rr.Messages == a.messages && rr.Findings == len(a.findings) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after 10 s: %d messages, %d findings committed", rr.Messages, rr.Findings)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		db.Close()
		db2, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		rr, err := db2.RunRecord(ctx, a.run.ID())
		if err != nil {
			t.Fatal(err)
		}
		if rr.Complete || rr.Messages != a.messages || rr.Exchanges != len(a.exchanges) {
			t.Errorf("finish=%v: complete %v, %d messages, %d exchanges; want incomplete, %d, %d",
				finish, rr.Complete, rr.Messages, rr.Exchanges, a.messages, len(a.exchanges))
		}
		if finish != !rr.Finished.IsZero() {
			t.Errorf("finish=%v: finished %v", finish, rr.Finished)
		}
		fs, _, err := db2.Findings(ctx, a.run.ID(), FindingQuery{})
		if err != nil || len(fs) != len(a.findings) {
			t.Errorf("findings %d, %v", len(fs), err)
		}
		db2.Close()
	}
}

func TestConcurrentReaders(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads atomic.Int64
	errs := make(chan error, 8)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				runs, err := db.Runs(ctx)
				if err == nil && len(runs) > 0 {
					switch i {
					case 0:
						_, _, err = db.Exchanges(ctx, runs[0].ID, ExchangeQuery{Limit: 10})
					case 1:
						_, _, err = db.Findings(ctx, runs[0].ID, FindingQuery{Limit: 10})
					case 2:
						_, err = db.Messages(ctx, runs[0].ID, MessageQuery{Frame: 10})
					default:
						_, err = db.AuthTimeline(ctx, runs[0].ID, 50)
					}
				}
				if err != nil {
					errs <- err
					return
				}
				reads.Add(1)
			}
		}()
	}
	start := time.Now()
	for range 3 {
		analyze(t, db, exampleCreds, true, examplePcap)
	}
	writing := time.Since(start)
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if reads.Load() < 10 {
		t.Errorf("only %d reads in %v of writing", reads.Load(), writing)
	}
	runs, err := db.Runs(ctx)
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs: %d, %v", len(runs), err)
	}
}

// secrets returns every password of a credentials file, the H(A1) of
// each (MD5, SHA-256, SHA-512/256 of username:realm:password, and those
// the file gives), in hex, and the Basic token of each.
func secrets(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimSpace(h)] = i
	}
	get := func(r []string, name string) string {
		if i, ok := col[name]; ok && i < len(r) {
			return r[i]
		}
		return ""
	}
	var out []string
	for _, r := range recs[1:] {
		user, realm, pw := get(r, "username"), get(r, "realm"), get(r, "password")
		for _, k := range []string{"ha1_md5", "ha1_sha256", "ha1_sha512_256"} {
			if v := get(r, k); v != "" {
				out = append(out, strings.ToLower(v), strings.ToUpper(v))
			}
		}
		if pw == "" {
			continue
		}
		a1 := []byte(user + ":" + realm + ":" + pw)
		m, s, s5 := md5.Sum(a1), sha256.Sum256(a1), sha512.Sum512_256(a1)
		for _, h := range [][]byte{m[:], s[:], s5[:]} {
			out = append(out, hex.EncodeToString(h), strings.ToUpper(hex.EncodeToString(h)))
		}
		out = append(out, pw, base64.StdEncoding.EncodeToString([]byte(user+":"+pw)))
	}
	return out
}

func TestNoSecretsInDatabase(t *testing.T) {
	for _, tc := range []struct {
		creds string
		pcaps []string
	}{
		{exampleCreds, []string{examplePcap}},
		{"../testdata/auth/creds.csv", mustGlob(t, "../testdata/auth/*.pcap")},
	} {
		db, path := openTemp(t)
		a := analyze(t, db, tc.creds, true, tc.pcaps...)
		valid := 0
		for _, e := range a.exchanges {
			if e.Reference == "valid" || e.Reference == "invalid" {
				valid++
			}
		}
		if valid == 0 {
			t.Fatalf("%s: no exchange was judged with the credentials: the test proves nothing", tc.creds)
		}
		// Before and after the WAL is folded into the database.
		check := func(when string) {
			for _, p := range []string{path, path + "-wal"} {
				b, err := os.ReadFile(p)
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range secrets(t, tc.creds) {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("%s: %s %s holds the secret %q", tc.creds, when, filepath.Base(p), s)
					}
				}
			}
		}
		check("open")
		// The message blocks are compressed: grep them decompressed too.
		blocks := decodedBlocks(t, db)
		for _, s := range secrets(t, tc.creds) {
			if bytes.Contains(blocks, []byte(s)) {
				t.Errorf("%s: a message block holds the secret %q", tc.creds, s)
			}
		}
		if !bytes.Contains(blocks, []byte("Authorization: ")) {
			t.Errorf("%s: the decoded message blocks hold no Authorization header: the grep proves nothing", tc.creds)
		}
		// A positive control: what is not secret is there in clear.
		if b, _ := os.ReadFile(path + "-wal"); !bytes.Contains(b, []byte(a.exchanges[0].Username)) {
			if b, _ = os.ReadFile(path); !bytes.Contains(b, []byte(a.exchanges[0].Username)) {
				t.Errorf("the database files do not hold the username %q: the grep proves nothing", a.exchanges[0].Username)
			}
		}
		db.Close()
		check("closed")
	}
}

// decodedBlocks returns every message block of db decompressed, their
// metadata and raw bytes end to end.
func decodedBlocks(t *testing.T, db *DB) []byte {
	rows, err := db.r.Query(`SELECT meta, raw FROM msg_blocks ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []byte
	for rows.Next() {
		var meta, raw []byte
		if err := rows.Scan(&meta, &raw); err != nil {
			t.Fatal(err)
		}
		br := newBlockReader(meta, raw)
		if br.err != nil {
			t.Fatal(br.err)
		}
		out = append(append(out, br.meta...), br.raw...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustGlob(t *testing.T, pattern string) []string {
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("%s: %v", pattern, err)
	}
	return m
}

func TestRedactBasic(t *testing.T) {
	raw := []byte("REGISTER sip:x SIP/2.0\r\nAuthorization: Basic ZnJhbms6ZnJhbmtfQmFzaWMx\r\n\r\n")
	redactBasic(raw, "Basic ZnJhbms6ZnJhbmtfQmFzaWMx")
	if want := "REGISTER sip:x SIP/2.0\r\nAuthorization: Basic ************************\r\n\r\n"; string(raw) != want {
		t.Errorf("got %q", raw)
	}
	redactBasic(raw, `Digest username="a"`) // untouched
}

func TestFileURI(t *testing.T) {
	if got := fileURI("/tmp/a?b#c%d.db"); got != "file:/tmp/a%3Fb%23c%25d.db" {
		t.Errorf("fileURI = %s", got)
	}
	db, _ := openTemp(t)
	dir := filepath.Dir(db.Path())
	odd := filepath.Join(dir, "odd ?#% name.db")
	db2, err := Open(context.Background(), odd)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
	if _, err := os.Stat(odd); err != nil {
		t.Errorf("database not at %s: %v", odd, err)
	}
}

// TestFindingsUpdated: a live run stores a finding when it is made and
// again as occurrences fold into it; the row is updated, not repeated,
// and readers see the latest count between the writer's commits.
func TestFindingsUpdated(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	run, err := db.BeginRun(ctx, RunInfo{Version: "test", Args: []string{"live", "-i", "lo"}})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := finding.Finding{Rule: "SA601", Name: "brute-force", Severity: finding.High, Key: "10.0.0.1", Message: "5 failures",
		Frames: []int{1, 3}, Time: t0, LastTime: t0, Count: 1}
	f.Fingerprint = finding.Fingerprint(f.Rule, f.Key)
	other := f
	other.Rule, other.Key = "SA602", "10.0.0.1"
	other.Fingerprint = finding.Fingerprint(other.Rule, other.Key)
	waitFor := func(want int, count int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			fs, n, err := db.Findings(ctx, run.ID(), FindingQuery{Rule: "SA601"})
			rr, err2 := db.RunRecord(ctx, run.ID())
			if err == nil && err2 == nil && n == 1 && fs[0].Count == count && rr.Findings == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("findings %d (%v), run record %+v (%v); want count %d, %d findings", n, err, rr, err2, count, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	run.AddFindings([]*finding.Finding{&f})
	waitFor(1, 1) // committed within a second, before Finish
	f.Count, f.LastTime, f.Severity, f.Message = 7, t0.Add(time.Minute), finding.Critical, "7 failures"
	run.AddFindings([]*finding.Finding{&f, &other})
	waitFor(2, 7)
	if err := run.Finish(ctx, Summary{}, false); err != nil {
		t.Fatal(err)
	}
	fs, n, err := db.Findings(ctx, run.ID(), FindingQuery{})
	if err != nil || n != 2 {
		t.Fatalf("%d findings, %v", n, err)
	}
	got := fs[0]
	if got.Rule != "SA601" || got.Count != 7 || got.Severity != finding.Critical || got.Message != "7 failures" ||
		!got.LastTime.Equal(t0.Add(time.Minute)) || !got.Time.Equal(t0) {
		t.Errorf("updated finding %+v", got)
	}
}
