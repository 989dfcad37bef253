// Package rules is the catalog of shared/spec/rules.md: one file per rule
// (sa201_nc_replay_accepted.go), each with its ID, name, severity, clause
// and a doc comment saying what it detects and why it matters, and one
// ordered registry, All. Rules implement the analyzer's Rule interfaces
// and run in an analyzer.Engine; they do no I/O and read no clock: time
// is the packets' capture time.
package rules
