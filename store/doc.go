// Package store keeps sipaudit runs in a SQLite database (cgo,
// github.com/mattn/go-sqlite3; the only package that imports it).
//
// # Schema
//
// The schema is embedded (migrations/*.sql) and versioned by PRAGMA
// user_version; Open applies the migrations a database lacks and refuses
// one newer than the binary (ErrNewerSchema). Several runs share one
// database: every row carries its run_id. Tables: runs (started,
// finished, complete, version, args, stats JSON, row counts), inputs,
// msg_blocks (messages in blocks of up to 256 consecutive messages of one
// input: their raw bytes end to end in one BLOB, their frames, time,
// endpoints, transport, Call-ID, method, status, start line, flags and
// exchange ID packed in another, both compressed (lz.go, block.go); with
// the block's frame range), msg_calls (the blocks that hold each
// Call-ID, by FNV-1a hash, keyed by epoch of 256 blocks first so that
// the random inserts of a batch stay in a small subtree), msg_counts
// (messages by method and status), exchanges (query columns, integer
// keys for the ID, user and Call-ID, plus the exchange's public JSON,
// Work masked, encoded by hand: jsonenc.go), dialogs (the user and
// Call-ID indexes of both by epoch of rows too: migrations/0002),
// registrations (bindings and events as
// JSON) and findings (every field). Times are Unix nanoseconds.
//
// # Writing
//
// DB.BeginRun returns a Run whose Add methods are the analyzer's
// callbacks (Config.OnMessage, OnExchange, OnDialog, OnRegistration) plus
// AddInput and AddFindings. They copy what they keep and queue it; the
// run's writer goroutine inserts the rows with prepared statements on the
// single writer connection, committing every BatchRows rows or
// BatchInterval; a checkpointer goroutine folds the WAL into the database
// file in the background (checkpoint.go). Run.Finish flushes and records
// the summary; a run not
// finished with complete=true reads back as incomplete, with every row
// committed before the interruption.
//
// Passwords and H(A1) never reach the database: an exchange is stored
// without its Credentials and Result (json:"-"), and its Work is masked
// by the reference.
//
// # Reading
//
// Readers (Runs, RunRecord, Findings, FindingCounts, Exchanges, Exchange,
// AuthTimeline, Dialogs, Dialog, Messages, Registrations, MessageStats,
// EachExchange, EachDialog) use a pool of read-only connections and run
// in parallel with the writer (WAL); they see what was committed.
package store
