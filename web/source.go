package web

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

// Source is what the web report reads: the runs stored in a database
// (store, adapted by cmd/sipaudit) or any other implementation (tests use
// a fake). Every string in it came from the network: the handler escapes
// it. Methods return ErrNotFound for an unknown run or ID.
type Source interface {
	// Runs lists the stored runs, newest first.
	Runs(ctx context.Context) ([]Run, error)
	Overview(ctx context.Context, run int64) (*Overview, error)
	// Findings returns one page of the run's findings that match f, in
	// report order, and how many match in all.
	Findings(ctx context.Context, run int64, f FindingFilter) ([]finding.Finding, int, error)
	// Exchanges returns one page of the run's auth exchanges (of one user
	// when user is set), in capture order, and how many in all.
	Exchanges(ctx context.Context, run int64, user string, limit, offset int) ([]Exchange, int, error)
	Exchange(ctx context.Context, run int64, id string) (*Exchange, error)
	// Dialogs returns one page of the run's dialogs, in start order.
	Dialogs(ctx context.Context, run int64, limit, offset int) ([]Dialog, int, error)
	// Dialog returns a dialog and every message of its Call-ID, in
	// capture order.
	Dialog(ctx context.Context, run int64, id string) (*Dialog, []Message, error)
	Registrations(ctx context.Context, run int64) ([]Registration, error)
	// Search finds a Call-ID, a user, an IP address or a frame number.
	Search(ctx context.Context, run int64, q string) (*SearchResult, error)
	// Export writes the run's report as json, sarif or csv.
	Export(ctx context.Context, run int64, format string, w io.Writer) error
	// DialogPcap writes a pcap of one dialog's messages.
	DialogPcap(ctx context.Context, run int64, id string, w io.Writer) error
}

// ErrNotFound is returned for an unknown run, exchange or dialog.
var ErrNotFound = errors.New("not found")

// Run is one stored analysis.
type Run struct {
	ID       int64
	Started  time.Time
	Finished time.Time // zero while running or when interrupted
	// Complete is false for a run that was interrupted (Ctrl-C, SIGTERM)
	// or is still running: what it stored is kept.
	Complete bool
	Version  string
	Args     []string
	Inputs   []Input
	// Counts of the run.
	Packets, SIPMessages, Malformed, Exchanges, Dialogs, Registrations, Findings int
}

// Input is one capture file of a run.
type Input struct {
	Path     string
	Format   string
	LinkType string
	Packets  int
	Bytes    int64
	Error    string
}

// Overview is the first page of a run.
type Overview struct {
	Run Run
	// FindingsBySeverity counts findings by severity name (critical ...
	// info); FindingsByRule by rule, most first.
	FindingsBySeverity map[string]int
	FindingsByRule     []RuleCount
	// Auth counts accepted and refused exchanges per time bucket, for the
	// successes-and-failures chart; buckets are equal and in order.
	Auth []AuthBucket
	// Requests and Responses count SIP messages by method and status.
	Requests, Responses map[string]int
}

// RuleCount is the number of findings of one rule.
type RuleCount struct {
	ID, Name string
	Severity finding.Severity
	Count    int
}

// AuthBucket is one bar of the authentication chart.
type AuthBucket struct {
	Start             time.Time
	Accepted, Refused int // by the server
	Invalid           int // where the reference found the digest wrong
}

// FindingFilter selects findings; empty fields match everything.
type FindingFilter struct {
	Severity string // at least this severity
	Rule     string
	User     string
	Source   string // an IP address (client or server)
	CallID   string
	Limit    int // 0 means 100
	Offset   int
}

// Exchange is one auth exchange with the reference's work.
type Exchange struct {
	ID, Input                                 string
	Frame                                     int
	Time                                      time.Time
	CallID, Method, Transport, Client, Server string
	Header, Scheme, Username, Realm           string
	Algorithm, QOP, Nonce, NC, CNonce, URI    string
	RequestURI, From, To, UserAgent           string
	Reference, ServerVerdict                  string
	Status                                    int
	Cause, Reason, NonceState, RspAuth        string
	Problems                                  []string
	Frames, ResponseFrames, ChallengeFrames   []int
	// Work is the reference's computation, secrets masked (nil when none).
	Work *Work
	// DialogID is the dialog of the Call-ID, when there is one.
	DialogID string
	Findings []finding.Finding
}

// Work is the reference's computation step by step (digest.Work), with
// H(A1) and the password masked.
type Work struct {
	Algorithm, A1, HA1, A2, HA2, Data, Expected, Received string
}

// Dialog is a call, subscription or refer, with sngrep's state.
type Dialog struct {
	ID, Input, CallID, Method, State string
	From, To, Caller, Callee         string
	Start, End                       time.Time
	FirstFrame, LastFrame, Messages  int
	Status                           int
	Authenticated                    bool
}

// Message is one SIP message of a dialog, for the ladder diagram.
type Message struct {
	Frames    []int
	Time      time.Time
	Src, Dst  string // ip:port
	Transport string
	Request   bool
	Method    string // of the request, or of the response's CSeq
	Status    int
	// StartLine is the request or status line.
	StartLine string
	// Auth: the message carries an authentication header (challenge,
	// credentials or Authentication-Info).
	Auth bool
	// ExchangeID is the exchange the message belongs to, if any.
	ExchangeID string
	Raw        []byte
}

// Registration is the registration timeline of one AOR.
type Registration struct {
	AOR, State string
	Implicit   []string
	Bindings   []Binding
	Events     []RegEvent
}

// Binding is one contact registered for an AOR.
type Binding struct {
	Contact      string
	Expires      int
	Since, Until time.Time
	Source       string
	CallID       string
}

// RegEvent is one change in a registration's timeline.
type RegEvent struct {
	Time    time.Time
	Frame   int
	Event   string
	Contact string
	Origin  string
	Status  int
}

// SearchResult is what a search found.
type SearchResult struct {
	Query         string
	Exchanges     []Exchange
	Dialogs       []Dialog
	Findings      []finding.Finding
	Registrations []Registration
}
