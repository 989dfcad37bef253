// Package report writes the results of a run as text, JSON, SARIF 2.1.0
// or CSV to an io.Writer. Writers do no
// analysis and always print in a fixed order, so that their output can
// be compared with golden files.
package report
