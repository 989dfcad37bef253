package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
	"github.com/sipaudit/sipaudit/report"
	"github.com/sipaudit/sipaudit/rules"
	"github.com/sipaudit/sipaudit/store"
)

// liveWriteCache is the database writer's page cache in live sessions.
const liveWriteCache = 16 << 20

// session is one analysis, whatever feeds it (analyze's files, live's
// interface, hep's listener): the options checked, the rules, the
// analyzer, the run in the database, and the report written at the end.
type session struct {
	cmd      *cobra.Command
	o        analyzeOpts
	failOn   finding.Severity
	baseline map[string]bool
	rep      *report.Report
	engine   *analyzer.Engine
	an       *analyzer.Analyzer
	db       *store.DB
	run      *store.Run
	closers  []func()
	live     bool // live or hep: findings streamed and stored as made

	// live runs only: findings made or changed since they were last
	// stored (on the analysis goroutine), and the stream they are
	// printed to as they are made.
	dirty     map[*finding.Finding]bool
	stream    io.Writer
	streamErr error
}

// newSession checks the options and sets the analysis up. live sessions
// print findings to stdout as they are made (text lines, or JSON lines
// with --format json) and store them while they run (storeFindings).
func newSession(cmd *cobra.Command, o analyzeOpts, live bool) (*session, error) {
	s := &session{cmd: cmd, o: o, live: live}
	switch o.format {
	case "text", "json", "sarif", "csv":
	default:
		return nil, &exitError{exitUsage, fmt.Errorf("--format %q: want text, json, sarif or csv", o.format)}
	}
	if live && o.output == "" && (o.format == "sarif" || o.format == "csv") {
		return nil, &exitError{exitUsage, fmt.Errorf("--format %s needs -o FILE: stdout carries the findings as they are made", o.format)}
	}
	if o.failOn != "" {
		var err error
		if s.failOn, err = finding.ParseSeverity(o.failOn); err != nil {
			return nil, &exitError{exitUsage, fmt.Errorf("--fail-on: %w", err)}
		}
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return nil, &exitError{exitUsage, fmt.Errorf("--color %q: want auto, always or never", o.color)}
	}
	if o.rules.BruteForceCount <= 0 || o.rules.BruteForceWindow <= 0 || o.rules.ChallengeWindow <= 0 ||
		o.rules.ReauthWindow <= 0 || o.rules.NonceBits <= 0 || o.rules.EnumerationUsers <= 0 {
		return nil, &exitError{exitUsage, errors.New("rule thresholds and windows must be positive")}
	}
	if o.baseline != "" {
		var err error
		if s.baseline, err = readBaseline(o.baseline); err != nil {
			return nil, &exitError{exitUsage, err}
		}
	}
	if o.wordlist != "" {
		if err := checkReadable(o.wordlist); err != nil {
			return nil, &exitError{exitUsage, err}
		}
		o.rules.Crack = crackWith(cmd, o.wordlist, o.progress)
	}
	switch o.progress {
	case "auto", "always", "never":
	default:
		return nil, &exitError{exitUsage, fmt.Errorf("--progress %q: want auto, always or never", o.progress)}
	}
	if o.nonceLifetime <= 0 || o.txnTimeout <= 0 {
		return nil, &exitError{exitUsage, errors.New("--nonce-lifetime and --transaction-timeout must be positive")}
	}
	var creds []analyzer.Credential
	if o.creds != "" {
		var err error
		if creds, err = readCreds(o.creds); err != nil {
			return nil, &exitError{exitUsage, err}
		}
	}
	if os.Getenv("GOMEMLIMIT") == "" && os.Getenv("GOGC") == "" {
		// A soft limit keeps the peak RSS under 200 MB on the benchmark
		// capture without a database (about 192 MB: the live heap grows
		// to about 110 MB with every rule, mostly registration timelines,
		// the reference's nonces and the rules' windows; without a limit
		// the heap grows to twice the live heap), for a little more GC
		// work (about 5 % more time than at 220 MiB). Storing, the store's
		// buffers come on top (and SQLite's page cache, outside the Go
		// heap): the same limit would make the GC run without pause
		// (22 s instead of 12 s on the benchmark capture), so it is
		// raised by storeMemory. GOMEMLIMIT or GOGC in the environment
		// take precedence.
		limit := int64(defaultMemoryLimit)
		if o.db != "" {
			limit += storeMemory
		}
		debug.SetMemoryLimit(limit)
	}
	ver := analyzer.NewVerifier(creds, digest.Config{NonceLifetime: o.nonceLifetime})
	ctx := cmd.Context()
	s.rep = &report.Report{Tool: report.Tool{Name: "sipaudit", Version: version()}}
	rep := s.rep
	// Exchanges and dialogs are not held: the JSON report spools them to
	// temporary files, the text report keeps a bounded summary. Memory
	// does not grow with the capture.
	var onExchange func(*analyzer.Exchange)
	var onDialog func(*analyzer.Dialog)
	if o.format == "json" {
		var cleanup func()
		var err error
		rep.ExchangeSpool, rep.DialogSpool, cleanup, err = newSpools()
		if err != nil {
			return nil, &exitError{exitUsage, err}
		}
		s.closers = append(s.closers, cleanup)
		onExchange = func(e *analyzer.Exchange) { _ = rep.ExchangeSpool.Add(e) }
		onDialog = func(d *analyzer.Dialog) { _ = rep.DialogSpool.Add(d) }
	} else {
		rep.ExchangeSummary = &report.ExchangeSummary{}
		rep.DialogStates = map[string]int{}
		onExchange = rep.ExchangeSummary.Add
		onDialog = func(d *analyzer.Dialog) { rep.DialogStates[string(d.State)]++ }
	}
	s.o = o
	s.engine = analyzer.NewEngine(0, rules.All(o.rules)...)
	for _, r := range s.engine.Rules() {
		rep.Rules = append(rep.Rules, r.Info())
	}
	onRegistration := func(r *analyzer.Registration) { rep.Registrations = append(rep.Registrations, r) }
	var onMessage func(*analyzer.MessageEvent)
	if o.db != "" {
		db, err := store.Open(ctx, o.db)
		if err != nil {
			s.close()
			return nil, &exitError{exitUsage, fmt.Errorf("--db %s: %w", o.db, err)}
		}
		s.db = db
		s.closers = append(s.closers, func() { db.Close() })
		if live {
			// a second of traffic per transaction: a small cache keeps
			// the memory of a long capture flat
			if err := db.SetWriteCache(liveWriteCache); err != nil {
				s.close()
				return nil, &exitError{exitUsage, fmt.Errorf("--db %s: %w", o.db, err)}
			}
		}
		if s.run, err = db.BeginRun(ctx, store.RunInfo{Version: version(), Args: os.Args[1:]}); err != nil {
			s.close()
			return nil, &exitError{exitUsage, fmt.Errorf("--db %s: %w", o.db, err)}
		}
		onMessage = s.run.AddMessage
		onExchange = tee(onExchange, s.run.AddExchange)
		onDialog = tee(onDialog, s.run.AddDialog)
		onRegistration = tee(onRegistration, s.run.AddRegistration)
	}
	if live {
		s.dirty = map[*finding.Finding]bool{}
		s.stream = cmd.OutOrStdout()
		color := useColor(s.stream, o.color)
		s.engine.Notify(func(f *finding.Finding, isNew bool) {
			if s.baseline[f.Fingerprint] {
				return
			}
			s.dirty[f] = true
			if !isNew || s.streamErr != nil {
				return
			}
			if o.format == "json" {
				s.streamErr = report.WriteFindingJSONLine(s.stream, f)
			} else {
				s.streamErr = report.WriteFindingLine(s.stream, f, color)
			}
		})
	}
	s.an = analyzer.New(analyzer.Config{
		Rules:              s.engine,
		Verifier:           ver,
		TransactionTimeout: o.txnTimeout,
		MaxMessage:         capture.DefaultLimits().MaxMessage,
		OnExchange:         onExchange,
		OnDialog:           onDialog,
		OnRegistration:     onRegistration,
		OnMessage:          onMessage,
	})
	return s, nil
}

// storeFindings hands the findings made or changed since the last call
// to the database (live runs, on the analysis goroutine: pipe.Do).
func (s *session) storeFindings() {
	if len(s.dirty) == 0 {
		return
	}
	if s.run != nil {
		fs := make([]*finding.Finding, 0, len(s.dirty))
		for f := range s.dirty {
			fs = append(fs, f) // AddFindings copies them
		}
		s.run.AddFindings(fs)
	}
	clear(s.dirty)
}

// addInput records an input once it has been read.
func (s *session) addInput(in capture.Input, st capture.Stats) {
	s.rep.Inputs = append(s.rep.Inputs, in)
	s.rep.Capture.Add(st)
	if s.run != nil {
		s.run.AddInput(in)
	}
}

// close releases what the session holds; finish calls it too.
func (s *session) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

// finish reports and stores the analysis after the analyzer's Close:
// interrupted names the input being read when Ctrl-C or SIGTERM came,
// inputFailed says an input could not be read. It returns the command's
// error with its exit code.
func (s *session) finish(interrupted string, inputFailed bool) error {
	defer s.close()
	rep, o, stderr := s.rep, s.o, s.cmd.ErrOrStderr()
	for _, f := range s.engine.Findings() {
		if s.baseline[f.Fingerprint] {
			rep.Baselined++
			continue
		}
		rep.Findings = append(rep.Findings, f)
	}
	if n := s.engine.Dropped(); n > 0 {
		fmt.Fprintf(stderr, "sipaudit: %d findings beyond the first %d were not kept\n", n, analyzer.DefaultMaxFindings)
	}
	rep.Stats = s.an.Stats()
	rep.Stats.Packets = rep.Capture.Packets
	if s.run != nil {
		s.run.AddFindings(rep.Findings)
		// Finish flushes even when ctx is cancelled.
		err := s.run.Finish(s.cmd.Context(), store.Summary{Stats: rep.Stats, Capture: rep.Capture, Baselined: rep.Baselined}, interrupted == "")
		if err != nil {
			fmt.Fprintf(stderr, "sipaudit: --db %s: %v\n", o.db, err)
			inputFailed = true
		}
	}
	if s.streamErr != nil {
		fmt.Fprintf(stderr, "sipaudit: writing findings: %v\n", s.streamErr)
		inputFailed = true
	}
	// A live session's stdout carried the findings as they came: the
	// report goes there at the end only in text (a summary under the
	// stream, as tshark prints its counts); JSON lines stay JSON lines.
	write := !s.live || o.output != "" || o.format == "text"
	if write {
		out := s.cmd.OutOrStdout()
		if o.output != "" {
			f, err := os.Create(o.output)
			if err != nil {
				return &exitError{exitUsage, fmt.Errorf("-o: %w", err)}
			}
			defer f.Close()
			out = f
		}
		var err error
		switch o.format {
		case "json":
			err = report.WriteJSON(out, rep)
		case "sarif":
			err = report.WriteSARIF(out, rep)
		case "csv":
			err = report.WriteCSV(out, rep)
		default:
			err = report.WriteTextWithOptions(out, rep, report.WriteTextOptions{Color: useColor(out, o.color)})
		}
		if err != nil {
			return &exitError{exitInput, fmt.Errorf("writing the report: %w", err)}
		}
	}
	if interrupted != "" {
		msg := fmt.Sprintf("%s: interrupted; what was read before is analysed and reported", interrupted)
		if s.run != nil {
			msg += fmt.Sprintf(", and stored in %s as run %d (incomplete)", o.db, s.run.ID())
		}
		return &exitError{exitInput, errors.New(msg)}
	}
	if inputFailed {
		return &exitError{code: exitInput, err: errors.New("")}
	}
	if s.failOn != 0 {
		for _, f := range rep.Findings {
			if f.Severity >= s.failOn {
				return &exitError{exitFailedOn, fmt.Errorf("%d findings, the first at or above %s: %s %s", len(rep.Findings), s.failOn, f.Rule, f.Name)}
			}
		}
	}
	return nil
}
