package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/sipaudit/sipaudit/store"
	"github.com/sipaudit/sipaudit/web"
)

func newServeCmd() *cobra.Command {
	var dbPath, addr string
	cmd := &cobra.Command{
		Use:   "serve [--db FILE] [--addr 127.0.0.1:8080]",
		Short: "Serve the web report of the runs stored in the database (read-only)",
		Example: "  sipaudit analyze lab.pcapng && sipaudit serve\n" +
			"  sipaudit serve --db audits.db --addr 127.0.0.1:9090",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := openExisting(ctx, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return &exitError{exitUsage, fmt.Errorf("--addr %s: %w", addr, err)}
			}
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			srv := &http.Server{
				Handler:           web.NewHandler(newDBSource(db), web.Options{Logger: logger}),
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       30 * time.Second,
				WriteTimeout:      5 * time.Minute, // exports of large runs
				IdleTimeout:       2 * time.Minute,
				ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "sipaudit: serving %s on http://%s/ (Ctrl-C to stop)\n", dbPath, ln.Addr())
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			select {
			case err := <-done:
				return &exitError{exitUsage, err}
			case <-ctx.Done():
				shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = srv.Shutdown(shut)
				return nil
			}
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", "sipaudit.db", "SQLite `FILE` written by sipaudit analyze")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (loopback by default: the report shows captured data)")
	return cmd
}

// openExisting opens a database that must already exist (serve and
// report read; they do not create an empty one by mistake).
func openExisting(ctx context.Context, path string) (*store.DB, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &exitError{exitInput, fmt.Errorf("%s: no such database (sipaudit analyze writes it; see --db)", path)}
		}
		return nil, &exitError{exitInput, fmt.Errorf("%s: %w", path, err)}
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, &exitError{exitInput, fmt.Errorf("%s: %w", path, err)}
	}
	return db, nil
}
