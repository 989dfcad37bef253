package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/sipaudit/sipaudit/web"
)

func newReportCmd() *cobra.Command {
	var dbPath, format, output string
	var runID int64
	cmd := &cobra.Command{
		Use:   "report [--db FILE] [--run N] --format json|sarif|csv|html [-o FILE]",
		Short: "Write the report of a stored run (the latest by default)",
		Example: "  sipaudit report --format html -o audit.html      # one self-contained file\n" +
			"  sipaudit report --run 3 --format sarif -o run3.sarif",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "json", "sarif", "csv", "html":
			default:
				return &exitError{exitUsage, fmt.Errorf("--format %q: want json, sarif, csv or html", format)}
			}
			ctx := cmd.Context()
			db, err := openExisting(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			src := newDBSource(db)
			if runID == 0 {
				runs, err := src.Runs(ctx)
				if err != nil {
					return &exitError{exitInput, fmt.Errorf("%s: %w", dbPath, err)}
				}
				if len(runs) == 0 {
					return &exitError{exitInput, fmt.Errorf("%s: no run stored yet", dbPath)}
				}
				runID = runs[0].ID
			}
			out := cmd.OutOrStdout()
			if output != "" {
				f, err := os.Create(output)
				if err != nil {
					return &exitError{exitUsage, fmt.Errorf("-o: %w", err)}
				}
				defer f.Close()
				out = f
			}
			if format == "html" {
				err = web.WriteHTML(ctx, out, src, runID)
			} else {
				err = src.Export(ctx, runID, format, out)
			}
			if err != nil {
				return &exitError{exitInput, fmt.Errorf("%s: run %d: %w", dbPath, runID, err)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dbPath, "db", "sipaudit.db", "SQLite `FILE` written by sipaudit analyze")
	f.Int64Var(&runID, "run", 0, "the run to report (default: the latest)")
	f.StringVar(&format, "format", "json", "json, sarif, csv or html")
	f.StringVarP(&output, "output", "o", "", "write to `FILE` instead of stdout")
	return cmd
}
