package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
	"github.com/sipaudit/sipaudit/report"
	"github.com/sipaudit/sipaudit/rules"
	"github.com/sipaudit/sipaudit/store"
)

// defaultMemoryLimit is the Go memory limit of an analysis when the
// environment sets none.
const defaultMemoryLimit = 220 << 20

// storeMemory is what the soft memory limit grows by when the run is
// stored (--db): the store's queued blocks and rows.
const storeMemory = 140 << 20

// progressMin is the input size from which a progress bar is shown.
const progressMin = 32 << 20

type analyzeOpts struct {
	creds         string
	nonceLifetime time.Duration
	txnTimeout    time.Duration
	format        string
	output        string
	progress      string
	failOn        string
	baseline      string
	wordlist      string
	rules         rules.Config
	color         string
	db            string
}

func newAnalyzeCmd() *cobra.Command {
	var o analyzeOpts
	cmd := &cobra.Command{
		Use:   "analyze [flags] FILE...",
		Short: "Analyze pcap/pcapng captures (optionally .gz; - reads stdin)",
		Example: "  sipaudit analyze testdata/example.pcap\n" +
			"  sipaudit analyze --format json -o report.json lab/*.pcapng\n" +
			"  tcpdump -w - -i eth0 port 5060 | sipaudit analyze -",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAnalyze(cmd, args, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.creds, "creds", "", "credentials `FILE` (CSV: username, realm, password, ha1_md5, ha1_sha256, ha1_sha512_256, k, opc, op, amf)")
	f.DurationVar(&o.nonceLifetime, "nonce-lifetime", digest.DefaultNonceLifetime, "how long the reference S-CSCF accepts a nonce after its challenge (Kamailio's default)")
	f.DurationVar(&o.txnTimeout, "transaction-timeout", analyzer.DefaultTransactionTimeout, "how long, in capture time, a request waits for its final response")
	f.StringVar(&o.format, "format", "text", "report format: text, json, sarif or csv")
	f.StringVar(&o.failOn, "fail-on", "", "exit 3 when a finding at or above `SEVERITY` exists (critical, high, medium, low, info)")
	f.StringVar(&o.baseline, "baseline", "", "hide findings already accepted: a previous JSON report, or a `FILE` of fingerprints, one per line")
	f.StringVar(&o.wordlist, "wordlist", "", "passwords to try against one captured digest per user (SA106), one per line (`FILE`)")
	f.StringVar(&o.db, "db", "sipaudit.db", "SQLite `FILE` the run is stored in, for sipaudit serve and report (\"\" to store nothing)")
	f.StringVar(&o.color, "color", "auto", "colour in the text report: auto (on a terminal), always, never")
	def := rules.DefaultConfig()
	f.IntVar(&o.rules.BruteForceCount, "brute-force-count", def.BruteForceCount, "SA601: failed authentications that make a brute force")
	f.DurationVar(&o.rules.BruteForceWindow, "brute-force-window", def.BruteForceWindow, "SA601: the window they must fall in")
	f.DurationVar(&o.rules.ChallengeWindow, "challenge-window", def.ChallengeWindow, "SA505/SA204: how long a challenge may stay unanswered")
	f.DurationVar(&o.rules.ReauthWindow, "reauth-window", def.ReauthWindow, "SA504: how long a UE has to re-register when the network asks it to re-authenticate")
	f.IntVar(&o.rules.NonceBits, "nonce-bits", def.NonceBits, "SA206: minimum apparent entropy of a nonce, in bits")
	f.IntVar(&o.rules.EnumerationUsers, "enumeration-users", def.EnumerationUsers, "SA602: distinct users one source must probe")
	f.StringVarP(&o.output, "output", "o", "", "write the report to `FILE` instead of stdout")
	f.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (large inputs on a terminal), always, never")
	return cmd
}

func runAnalyze(cmd *cobra.Command, args []string, o analyzeOpts) error {
	switch o.format {
	case "text", "json", "sarif", "csv":
	default:
		return &exitError{exitUsage, fmt.Errorf("--format %q: want text, json, sarif or csv", o.format)}
	}
	failOn := finding.Severity(0)
	if o.failOn != "" {
		var err error
		if failOn, err = finding.ParseSeverity(o.failOn); err != nil {
			return &exitError{exitUsage, fmt.Errorf("--fail-on: %w", err)}
		}
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return &exitError{exitUsage, fmt.Errorf("--color %q: want auto, always or never", o.color)}
	}
	if o.rules.BruteForceCount <= 0 || o.rules.BruteForceWindow <= 0 || o.rules.ChallengeWindow <= 0 ||
		o.rules.ReauthWindow <= 0 || o.rules.NonceBits <= 0 || o.rules.EnumerationUsers <= 0 {
		return &exitError{exitUsage, errors.New("rule thresholds and windows must be positive")}
	}
	var baseline map[string]bool
	if o.baseline != "" {
		var err error
		if baseline, err = readBaseline(o.baseline); err != nil {
			return &exitError{exitUsage, err}
		}
	}
	if o.wordlist != "" {
		if err := checkReadable(o.wordlist); err != nil {
			return &exitError{exitUsage, err}
		}
		o.rules.Crack = crackWith(cmd, o.wordlist, o.progress)
	}
	switch o.progress {
	case "auto", "always", "never":
	default:
		return &exitError{exitUsage, fmt.Errorf("--progress %q: want auto, always or never", o.progress)}
	}
	if o.nonceLifetime <= 0 || o.txnTimeout <= 0 {
		return &exitError{exitUsage, errors.New("--nonce-lifetime and --transaction-timeout must be positive")}
	}
	var creds []analyzer.Credential
	if o.creds != "" {
		var err error
		if creds, err = readCreds(o.creds); err != nil {
			return &exitError{exitUsage, err}
		}
	}
	if os.Getenv("GOMEMLIMIT") == "" && os.Getenv("GOGC") == "" {
		// A soft limit keeps the peak RSS near 240 MB on the benchmark
		// capture without a database (live heap about 110 MB with every
		// rule; without a limit the heap grows to twice the live heap
		// and the RSS to 330 MB), for a little more GC work. 180 MiB
		// would keep it under 200 MB, but the GC would then run almost
		// without pause: 13.7 s instead of 8.1 s. Storing, the store's buffers come on top (and
		// SQLite's page cache, outside the Go heap): the same limit would
		// make the GC run without pause (22 s instead of 12 s on the
		// benchmark capture), so it is raised by storeMemory. GOMEMLIMIT
		// or GOGC in the environment take precedence.
		limit := int64(defaultMemoryLimit)
		if o.db != "" {
			limit += storeMemory
		}
		debug.SetMemoryLimit(limit)
	}
	ver := analyzer.NewVerifier(creds, digest.Config{NonceLifetime: o.nonceLifetime})
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	rep := &report.Report{Tool: report.Tool{Name: "sipaudit", Version: version()}}
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
			return &exitError{exitUsage, err}
		}
		defer cleanup()
		onExchange = func(e *analyzer.Exchange) { _ = rep.ExchangeSpool.Add(e) }
		onDialog = func(d *analyzer.Dialog) { _ = rep.DialogSpool.Add(d) }
	} else {
		rep.ExchangeSummary = &report.ExchangeSummary{}
		rep.DialogStates = map[string]int{}
		onExchange = rep.ExchangeSummary.Add
		onDialog = func(d *analyzer.Dialog) { rep.DialogStates[string(d.State)]++ }
	}
	engine := analyzer.NewEngine(0, rules.All(o.rules)...)
	for _, r := range engine.Rules() {
		rep.Rules = append(rep.Rules, r.Info())
	}
	onRegistration := func(r *analyzer.Registration) { rep.Registrations = append(rep.Registrations, r) }
	var onMessage func(*analyzer.MessageEvent)
	var run *store.Run
	if o.db != "" {
		db, err := store.Open(ctx, o.db)
		if err != nil {
			return &exitError{exitUsage, fmt.Errorf("--db %s: %w", o.db, err)}
		}
		defer db.Close()
		if run, err = db.BeginRun(ctx, store.RunInfo{Version: version(), Args: os.Args[1:]}); err != nil {
			return &exitError{exitUsage, fmt.Errorf("--db %s: %w", o.db, err)}
		}
		onMessage = run.AddMessage
		onExchange = tee(onExchange, run.AddExchange)
		onDialog = tee(onDialog, run.AddDialog)
		onRegistration = tee(onRegistration, run.AddRegistration)
	}
	an := analyzer.New(analyzer.Config{
		Rules:              engine,
		Verifier:           ver,
		TransactionTimeout: o.txnTimeout,
		MaxMessage:         capture.DefaultLimits().MaxMessage,
		OnExchange:         onExchange,
		OnDialog:           onDialog,
		OnRegistration:     onRegistration,
		OnMessage:          onMessage,
	})
	var inputFailed bool
	interrupted := ""
	for _, path := range args {
		an.SetInput(path)
		in, st, err := analyzeOne(cmd, path, o, an)
		if in != nil {
			rep.Inputs = append(rep.Inputs, *in)
			rep.Capture.Add(st)
			if run != nil {
				run.AddInput(*in)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				// Ctrl-C or SIGTERM: what was analysed is completed,
				// stored (the run marked incomplete) and reported.
				interrupted = path
				break
			}
			if errors.Is(err, capture.ErrTruncated) {
				// everything before the cut was analyzed
				fmt.Fprintf(stderr, "sipaudit: %s: %v; the %d packets before it were analyzed\n", path, err, in.Packets)
				continue
			}
			fmt.Fprintf(stderr, "sipaudit: %s: %v\n", path, err)
			inputFailed = true
		}
	}
	an.Close() // exchanges and dialogs come out in capture order
	for _, f := range engine.Findings() {
		if baseline[f.Fingerprint] {
			rep.Baselined++
			continue
		}
		rep.Findings = append(rep.Findings, f)
	}
	if n := engine.Dropped(); n > 0 {
		fmt.Fprintf(stderr, "sipaudit: %d findings beyond the first %d were not kept\n", n, analyzer.DefaultMaxFindings)
	}
	rep.Stats = an.Stats()
	rep.Stats.Packets = rep.Capture.Packets
	if run != nil {
		run.AddFindings(rep.Findings)
		// Finish flushes even when ctx is cancelled.
		err := run.Finish(ctx, store.Summary{Stats: rep.Stats, Capture: rep.Capture, Baselined: rep.Baselined}, interrupted == "")
		if err != nil {
			fmt.Fprintf(stderr, "sipaudit: --db %s: %v\n", o.db, err)
			inputFailed = true
		}
	}
	out := cmd.OutOrStdout()
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
	if interrupted != "" {
		msg := fmt.Sprintf("%s: interrupted; what was read before is analysed and reported", interrupted)
		if run != nil {
			msg += fmt.Sprintf(", and stored in %s as run %d (incomplete)", o.db, run.ID())
		}
		return &exitError{exitInput, errors.New(msg)}
	}
	if inputFailed {
		return &exitError{code: exitInput, err: errors.New("")}
	}
	if failOn != 0 {
		for _, f := range rep.Findings {
			if f.Severity >= failOn {
				return &exitError{exitFailedOn, fmt.Errorf("%d findings, the first at or above %s: %s %s", len(rep.Findings), failOn, f.Rule, f.Name)}
			}
		}
	}
	return nil
}

// analyzeOne reads one capture. It returns nil Input only when the file
// could not be opened.
func analyzeOne(cmd *cobra.Command, path string, o analyzeOpts, an *analyzer.Analyzer) (*capture.Input, capture.Stats, error) {
	var r io.Reader
	var size int64 = -1
	if path == "-" {
		r = cmd.InOrStdin()
	} else {
		f, err := os.Open(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is already at the start of the line
			}
			return nil, capture.Stats{}, fmt.Errorf("cannot open: %w", err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			if fi.IsDir() {
				return nil, capture.Stats{}, errors.New("is a directory, not a capture file")
			}
			size = fi.Size()
		}
		r = f
	}
	var progress func(int64)
	if bar := newBar(cmd.ErrOrStderr(), path, size, o.progress); bar != nil {
		progress = func(n int64) { _ = bar.Set64(n) }
		defer func() { _ = bar.Finish() }()
	}
	// Decoding and scanning here, the analysis on a second goroutine.
	pipe := an.Pipeline()
	dec := capture.NewDecoder(capture.DefaultLimits(), pipe.Add)
	in, err := capture.Read(cmd.Context(), r, path, dec, progress)
	dec.Close()
	pipe.Close()
	return &in, dec.Stats(), err
}

// readCreds reads the --creds file; errors name the file and the line.
func readCreds(path string) ([]analyzer.Credential, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: cannot open: %w", path, err)
	}
	defer f.Close()
	creds, err := analyzer.ReadCredentials(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return creds, nil
}

// newSpools makes the temporary files the JSON report's exchanges and
// dialogs are spooled to; cleanup removes them.
func newSpools() (ex, dl *report.Spool, cleanup func(), err error) {
	var files []*os.File
	cleanup = func() {
		for _, f := range files {
			f.Close()
			os.Remove(f.Name())
		}
	}
	for range 2 {
		f, err := os.CreateTemp("", "sipaudit-*.json")
		if err != nil {
			cleanup()
			return nil, nil, nil, fmt.Errorf("temporary file for the report: %w", err)
		}
		files = append(files, f)
	}
	return report.NewSpool(files[0]), report.NewSpool(files[1]), cleanup, nil
}

// newBar returns a progress bar when one is wanted: large inputs on a
// terminal, or always when asked.
func newBar(w io.Writer, path string, size int64, mode string) *progressbar.ProgressBar {
	if mode == "never" {
		return nil
	}
	if mode == "auto" {
		f, ok := w.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) || (size >= 0 && size < progressMin) {
			return nil
		}
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(path),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(200_000_000),
		progressbar.OptionClearOnFinish(),
	)
}

// tee calls both functions.
func tee[T any](a, b func(T)) func(T) {
	return func(v T) {
		a(v)
		b(v)
	}
}
