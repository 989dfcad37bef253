package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/report"
	"github.com/sipaudit/sipaudit/rules"
)

// defaultMemoryLimit is the Go memory limit of an analysis when the
// environment sets none.
const defaultMemoryLimit = 170 << 20

// storeMemory is what the soft memory limit grows by when the run is
// stored (--db): the store's queued blocks and rows (360 MiB in all).
const storeMemory = 190 << 20

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
	addAnalysisFlags(cmd, &o)
	cmd.Flags().StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (large inputs on a terminal), always, never")
	return cmd
}

// addAnalysisFlags adds the flags analyze, live and hep share.
func addAnalysisFlags(cmd *cobra.Command, o *analyzeOpts) {
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
}

func runAnalyze(cmd *cobra.Command, args []string, o analyzeOpts) error {
	s, err := newSession(cmd, o, false)
	if err != nil {
		return err
	}
	defer s.close()
	ctx := cmd.Context()
	var inputFailed bool
	interrupted := ""
	for _, path := range args {
		s.an.SetInput(path)
		in, st, err := analyzeOne(cmd, path, o, s.an)
		if in != nil {
			s.addInput(*in, st)
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
				fmt.Fprintf(cmd.ErrOrStderr(), "sipaudit: %s: %v; the %d packets before it were analyzed\n", path, err, in.Packets)
				continue
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "sipaudit: %s: %v\n", path, err)
			inputFailed = true
		}
	}
	s.an.Close() // exchanges and dialogs come out in capture order
	return s.finish(interrupted, inputFailed)
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
