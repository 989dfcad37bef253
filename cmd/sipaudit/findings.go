package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sipaudit/sipaudit/digest/crack"
)

// readBaseline reads the fingerprints of accepted findings: a JSON report
// of an earlier run (its findings' fingerprints), or a text file with one
// fingerprint per line (# starts a comment).
func readBaseline(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: cannot open the baseline: %w", path, err)
	}
	out := map[string]bool{}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var rep struct {
			Findings []struct {
				Fingerprint string `json:"fingerprint"`
			} `json:"findings"`
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			return nil, fmt.Errorf("%s: not a sipaudit JSON report: %v", path, err)
		}
		for _, f := range rep.Findings {
			out[f.Fingerprint] = true
		}
		return out, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.ContainsAny(line, " \t") || !strings.HasPrefix(line, "SA") {
			return nil, fmt.Errorf("%s:%d: not a finding fingerprint (want e.g. SA201-1a2b3c4d5e6f7a8b)", path, n)
		}
		out[line] = true
	}
	return out, nil
}

func checkReadable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s: cannot open: %w", path, err)
	}
	return f.Close()
}

// crackWith returns the SA106 wordlist audit over the file: every core,
// a progress bar on long wordlists. Only the password's length leaves
// this function's results (the rule never reports the password).
func crackWith(cmd *cobra.Command, path, progress string) func([]crack.Target) []crack.Result {
	return func(targets []crack.Target) []crack.Result {
		stderr := cmd.ErrOrStderr()
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintf(stderr, "sipaudit: %s: %v\n", path, err)
			return nil
		}
		defer f.Close()
		var r io.Reader = f
		if fi, err := f.Stat(); err == nil {
			if bar := newBar(stderr, path+" (SA106)", fi.Size(), progress); bar != nil {
				pr := progressbar.NewReader(f, bar)
				defer func() { _ = bar.Finish() }()
				r = &pr
			}
		}
		res, _, err := crack.Run(cmd.Context(), targets, r, crack.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "sipaudit: %s: password audit stopped: %v\n", path, err)
		}
		return res
	}
}

// useColor: colour in the text report on a terminal only (or when asked).
func useColor(w io.Writer, mode string) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
