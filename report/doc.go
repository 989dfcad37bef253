// Package report writes the results of a run as text or JSON (and, as
// the catalog grows, SARIF and CSV) to an io.Writer. Writers do no
// analysis and always print in a fixed order, so that their output can
// be compared with golden files.
package report
