// Package archtest holds the test that keeps the package dependency graph
// of ARCHITECTURE.md true. It has no code of its own.
package archtest
