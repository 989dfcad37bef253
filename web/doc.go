// Package web serves the report of stored runs (sipaudit serve) and
// writes it as one self-contained HTML file (sipaudit report --format
// html): html/template everywhere, assets embedded, a strict
// Content-Security-Policy, no script. It reads through Source, a small
// interface the store satisfies through cmd/sipaudit. Every byte shown
// came from the network and is treated as hostile.
package web
