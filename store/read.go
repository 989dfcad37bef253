package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/finding"
)

// RunRecord is a stored run.
type RunRecord struct {
	ID       int64
	Started  time.Time
	Finished time.Time // zero while running or when interrupted
	// Complete is set by Finish(..., true) only.
	Complete bool
	Version  string
	Args     []string
	// Stats and Capture are what Finish recorded (Stats is nil before).
	Stats     *analyzer.Stats
	Capture   capture.Stats
	Baselined int
	// Inputs are the run's capture files in the order they were first
	// seen; an input whose AddInput never came has only its Path.
	Inputs []capture.Input
	// Rows stored (committed) so far.
	Messages, Exchanges, Dialogs, Registrations, Findings int
}

const runCols = `id, started, finished, complete, version, args, stats, capture, baselined,
	messages, exchanges, dialogs, registrations, findings`

// Runs lists the stored runs, newest first.
func (db *DB) Runs(ctx context.Context) ([]*RunRecord, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+runCols+` FROM runs ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	var out []*RunRecord
	for rows.Next() {
		rr, err := scanRun(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, rr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, rr := range out {
		if rr.Inputs, err = db.inputs(ctx, rr.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RunRecord returns one run, or ErrNotFound.
func (db *DB) RunRecord(ctx context.Context, run int64) (*RunRecord, error) {
	rr, err := scanRun(db.r.QueryRowContext(ctx, `SELECT `+runCols+` FROM runs WHERE id = ?`, run))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: run %d: %w", run, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if rr.Inputs, err = db.inputs(ctx, run); err != nil {
		return nil, err
	}
	return rr, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRun(s scanner) (*RunRecord, error) {
	var rr RunRecord
	var started int64
	var finished sql.NullInt64
	var args string
	var stats, capt sql.NullString
	if err := s.Scan(&rr.ID, &started, &finished, &rr.Complete, &rr.Version, &args, &stats, &capt, &rr.Baselined,
		&rr.Messages, &rr.Exchanges, &rr.Dialogs, &rr.Registrations, &rr.Findings); err != nil {
		return nil, err
	}
	rr.Started, rr.Finished = fromNS(sql.NullInt64{Int64: started, Valid: true}), fromNS(finished)
	if err := json.Unmarshal([]byte(args), &rr.Args); err != nil {
		return nil, fmt.Errorf("store: run %d args: %w", rr.ID, err)
	}
	if stats.Valid {
		rr.Stats = analyzer.NewStats()
		if err := json.Unmarshal([]byte(stats.String), rr.Stats); err != nil {
			return nil, fmt.Errorf("store: run %d stats: %w", rr.ID, err)
		}
	}
	if capt.Valid {
		if err := json.Unmarshal([]byte(capt.String), &rr.Capture); err != nil {
			return nil, fmt.Errorf("store: run %d capture stats: %w", rr.ID, err)
		}
	}
	return &rr, nil
}

func (db *DB) inputs(ctx context.Context, run int64) ([]capture.Input, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT path, format, link_type, packets, bytes, error, kernel_dropped, interface_dropped FROM inputs WHERE run_id = ? ORDER BY seq`, run)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []capture.Input{}
	for rows.Next() {
		var in capture.Input
		if err := rows.Scan(&in.Path, &in.Format, &in.LinkType, &in.Packets, &in.Bytes, &in.Error, &in.KernelDropped, &in.InterfaceDropped); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

func fromNS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

// MessageStats counts a run's messages by request method and response
// status (retransmissions included, as analyzer.Stats counts them), for
// a run that has no Stats (interrupted).
func (db *DB) MessageStats(ctx context.Context, run int64) (requests, responses map[string]int, err error) {
	rows, err := db.r.QueryContext(ctx, `SELECT method, status, n FROM msg_counts WHERE run_id = ?`, run)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	requests, responses = map[string]int{}, map[string]int{}
	for rows.Next() {
		var method string
		var status, n int
		if err := rows.Scan(&method, &status, &n); err != nil {
			return nil, nil, err
		}
		if status == 0 {
			requests[method] += n
		} else {
			responses[strconv.Itoa(status)] += n
		}
	}
	return requests, responses, rows.Err()
}

// where builds a WHERE clause from conditions, all for one run.
type where struct {
	conds []string
	args  []any
}

func newWhere(run int64) *where { return &where{conds: []string{"run_id = ?"}, args: []any{run}} }

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string { return " WHERE " + strings.Join(w.conds, " AND ") }

// page returns the LIMIT/OFFSET clause; limit <= 0 means all.
func page(limit, offset int) string {
	if limit <= 0 {
		if offset > 0 {
			return " LIMIT -1 OFFSET " + strconv.Itoa(offset)
		}
		return ""
	}
	return " LIMIT " + strconv.Itoa(limit) + " OFFSET " + strconv.Itoa(max(offset, 0))
}

func (db *DB) count(ctx context.Context, table string, w *where) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM "+table+w.String(), w.args...).Scan(&n)
	return n, err
}

// FindingQuery selects findings; zero fields match everything.
type FindingQuery struct {
	MinSeverity finding.Severity
	Rule        string
	User        string // Username
	IP          string // the client's or the server's address (no port)
	CallID      string
	Exchange    string // an exchange ID
	// Limit <= 0 means no limit.
	Limit, Offset int
}

const findingCols = `rule, name, severity, message, clause, call_id, exchange, frames, time, input, client, server,
	transport, username, finding_key, fingerprint, count, last_time`

// Findings returns the run's findings that match q, in report order
// (finding.Less), one page of them, and how many match in all.
func (db *DB) Findings(ctx context.Context, run int64, q FindingQuery) ([]*finding.Finding, int, error) {
	w := newWhere(run)
	if q.MinSeverity > 0 {
		w.add("severity >= ?", int(q.MinSeverity))
	}
	if q.Rule != "" {
		w.add("rule = ?", q.Rule)
	}
	if q.User != "" {
		w.add("username = ?", q.User)
	}
	if q.IP != "" {
		w.add("(client_ip = ? OR server_ip = ? OR client = ? OR server = ?)", q.IP, q.IP, q.IP, q.IP)
	}
	if q.CallID != "" {
		w.add("call_id = ?", q.CallID)
	}
	if q.Exchange != "" {
		w.add("exchange = ?", q.Exchange)
	}
	total, err := db.count(ctx, "findings", w)
	if err != nil {
		return nil, 0, fmt.Errorf("store: findings: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+findingCols+` FROM findings`+w.String()+
		` ORDER BY input, time, first_frame, rule, fingerprint, id`+page(q.Limit, q.Offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: findings: %w", err)
	}
	defer rows.Close()
	out := []*finding.Finding{}
	for rows.Next() {
		var f finding.Finding
		var frames string
		var t, last sql.NullInt64
		if err := rows.Scan(&f.Rule, &f.Name, &f.Severity, &f.Message, &f.Clause, &f.CallID, &f.Exchange, &frames, &t,
			&f.Input, &f.Client, &f.Server, &f.Transport, &f.Username, &f.Key, &f.Fingerprint, &f.Count, &last); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal([]byte(frames), &f.Frames); err != nil {
			return nil, 0, err
		}
		f.Time, f.LastTime = fromNS(t), fromNS(last)
		out = append(out, &f)
	}
	return out, total, rows.Err()
}

// RuleCount is the number of findings of one rule, with the highest
// severity they have.
type RuleCount struct {
	Rule, Name string
	Severity   finding.Severity
	Count      int
}

// FindingCounts counts the run's findings by severity and by rule (most
// first, then by rule ID).
func (db *DB) FindingCounts(ctx context.Context, run int64) (map[finding.Severity]int, []RuleCount, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT rule, min(name), max(severity), severity, count(*) FROM findings
		WHERE run_id = ? GROUP BY rule, severity`, run)
	if err != nil {
		return nil, nil, fmt.Errorf("store: finding counts: %w", err)
	}
	defer rows.Close()
	bySev := map[finding.Severity]int{}
	byRule := map[string]*RuleCount{}
	var order []*RuleCount
	for rows.Next() {
		var rule, name string
		var maxSev, sev finding.Severity
		var n int
		if err := rows.Scan(&rule, &name, &maxSev, &sev, &n); err != nil {
			return nil, nil, err
		}
		bySev[sev] += n
		rc := byRule[rule]
		if rc == nil {
			rc = &RuleCount{Rule: rule, Name: name}
			byRule[rule] = rc
			order = append(order, rc)
		}
		rc.Count += n
		rc.Severity = max(rc.Severity, maxSev)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	out := make([]RuleCount, len(order))
	for i, rc := range order {
		out[i] = *rc
	}
	sortRuleCounts(out)
	return bySev, out, nil
}

func sortRuleCounts(rc []RuleCount) {
	for i := 1; i < len(rc); i++ {
		for j := i; j > 0 && (rc[j].Count > rc[j-1].Count || (rc[j].Count == rc[j-1].Count && rc[j].Rule < rc[j-1].Rule)); j-- {
			rc[j], rc[j-1] = rc[j-1], rc[j]
		}
	}
}

// ExchangeQuery selects exchanges; zero fields match everything.
type ExchangeQuery struct {
	User   string // Username
	CallID string
	IP     string // the client's or the server's address (no port)
	// Limit <= 0 means no limit.
	Limit, Offset int
}

// epochs is a query of the epochs of a run's rows of table (exchanges
// or dialogs; migrations/0002): 0 to the run's row count >> rowEpochBits,
// for the run given as its one parameter.
func epochs(table string) string {
	return `WITH RECURSIVE e(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM e
		WHERE x < (SELECT ` + table + ` FROM runs WHERE id = ?) >> ` + strconv.Itoa(rowEpochBits) + `) SELECT x FROM e`
}

func exchangeWhere(run int64, q ExchangeQuery) *where {
	w := newWhere(run)
	if q.User != "" {
		w.add("epoch IN ("+epochs("exchanges")+") AND user_hash = ? AND username = ?", run, callHash(q.User), q.User)
	}
	if q.CallID != "" {
		w.add("epoch IN ("+epochs("exchanges")+") AND call_hash = ? AND call_id = ?", run, callHash(q.CallID), q.CallID)
	}
	if q.IP != "" {
		w.add("(client_ip = ? OR server_ip = ? OR client = ? OR server = ?)", q.IP, q.IP, q.IP, q.IP)
	}
	return w
}

// Exchanges returns one page of the run's auth exchanges that match q, in
// capture (ID) order, and how many match in all. They are the analyzer's
// exchanges as JSON shows them: Result and Credentials are never stored.
func (db *DB) Exchanges(ctx context.Context, run int64, q ExchangeQuery) ([]*analyzer.Exchange, int, error) {
	w := exchangeWhere(run, q)
	total, err := db.count(ctx, "exchanges", w)
	if err != nil {
		return nil, 0, fmt.Errorf("store: exchanges: %w", err)
	}
	out := []*analyzer.Exchange{}
	err = db.eachExchange(ctx, w, page(q.Limit, q.Offset), func(e *analyzer.Exchange) error {
		out = append(out, e)
		return nil
	})
	return out, total, err
}

// EachExchange calls fn with every exchange of the run, in capture order,
// without holding them all; an error from fn stops it.
func (db *DB) EachExchange(ctx context.Context, run int64, fn func(*analyzer.Exchange) error) error {
	return db.eachExchange(ctx, newWhere(run), "", fn)
}

func (db *DB) eachExchange(ctx context.Context, w *where, pg string, fn func(*analyzer.Exchange) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT data FROM exchanges`+w.String()+` ORDER BY id`+pg, w.args...)
	if err != nil {
		return fmt.Errorf("store: exchanges: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return err
		}
		e := &analyzer.Exchange{}
		if err := json.Unmarshal(data, e); err != nil {
			return fmt.Errorf("store: exchange: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Exchange returns one exchange by ID, or ErrNotFound.
func (db *DB) Exchange(ctx context.Context, run int64, id string) (*analyzer.Exchange, error) {
	var data []byte
	err := db.r.QueryRowContext(ctx, `SELECT data FROM exchanges WHERE run_id = ? AND ex_key = ? AND ex_id = ?`, run, idKey(id), id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: exchange %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: exchange: %w", err)
	}
	e := &analyzer.Exchange{}
	if err := json.Unmarshal(data, e); err != nil {
		return nil, fmt.Errorf("store: exchange: %w", err)
	}
	return e, nil
}

// AuthBucket counts the exchanges of one time slice: accepted by the
// server, refused by it (challenged, stale, rejected), and judged invalid
// by the reference.
type AuthBucket struct {
	Start                      time.Time
	Accepted, Refused, Invalid int
}

// AuthTimeline splits the time from the run's first exchange to its last
// into n equal buckets (n <= 0 means 50) and counts each. A run without
// exchanges has none.
func (db *DB) AuthTimeline(ctx context.Context, run int64, n int) ([]AuthBucket, error) {
	if n <= 0 {
		n = 50
	}
	var lo, hi sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT min(time), max(time) FROM exchanges WHERE run_id = ? AND time IS NOT NULL`, run).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("store: auth timeline: %w", err)
	}
	if !lo.Valid {
		return []AuthBucket{}, nil
	}
	span := hi.Int64 - lo.Int64 + 1
	step := (span + int64(n) - 1) / int64(n)
	out := make([]AuthBucket, n)
	for i := range out {
		out[i].Start = time.Unix(0, lo.Int64+int64(i)*step)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT (time - ?) / ?,
		sum(server_verdict = 'accepted'), sum(server_verdict IN ('challenged', 'stale', 'rejected')), sum(reference = 'invalid')
		FROM exchanges WHERE run_id = ? AND time IS NOT NULL GROUP BY 1`, lo.Int64, step, run)
	if err != nil {
		return nil, fmt.Errorf("store: auth timeline: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b int64
		var acc, ref, inv int
		if err := rows.Scan(&b, &acc, &ref, &inv); err != nil {
			return nil, err
		}
		if b >= 0 && b < int64(n) {
			out[b].Accepted += acc
			out[b].Refused += ref
			out[b].Invalid += inv
		}
	}
	return out, rows.Err()
}

// DialogQuery selects dialogs; zero fields match everything.
type DialogQuery struct {
	CallID string
	IP     string // the caller's or the callee's address (no port)
	// Limit <= 0 means no limit.
	Limit, Offset int
}

const dialogCols = `dlg_id, input, call_id, method, state, from_uri, to_uri, from_tag, to_tags, caller, callee,
	first_frame, last_frame, start_time, end_time, messages, status, authenticated`

// Dialogs returns one page of the run's dialogs that match q, in start
// order, and how many match in all.
func (db *DB) Dialogs(ctx context.Context, run int64, q DialogQuery) ([]*analyzer.Dialog, int, error) {
	w := newWhere(run)
	if q.CallID != "" {
		w.add("epoch IN ("+epochs("dialogs")+") AND call_hash = ? AND call_id = ?", run, callHash(q.CallID), q.CallID)
	}
	if q.IP != "" {
		w.add("(caller_ip = ? OR callee_ip = ? OR caller = ? OR callee = ?)", q.IP, q.IP, q.IP, q.IP)
	}
	total, err := db.count(ctx, "dialogs", w)
	if err != nil {
		return nil, 0, fmt.Errorf("store: dialogs: %w", err)
	}
	out := []*analyzer.Dialog{}
	err = db.eachDialog(ctx, w, ` ORDER BY start_time, id`+page(q.Limit, q.Offset), func(d *analyzer.Dialog) error {
		out = append(out, d)
		return nil
	})
	return out, total, err
}

// EachDialog calls fn with every dialog of the run in the order they
// were stored (the order they ended, as the analyzer hands them out).
func (db *DB) EachDialog(ctx context.Context, run int64, fn func(*analyzer.Dialog) error) error {
	return db.eachDialog(ctx, newWhere(run), ` ORDER BY id`, fn)
}

func (db *DB) eachDialog(ctx context.Context, w *where, tail string, fn func(*analyzer.Dialog) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT `+dialogCols+` FROM dialogs`+w.String()+tail, w.args...)
	if err != nil {
		return fmt.Errorf("store: dialogs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDialog(rows)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

func scanDialog(s scanner) (*analyzer.Dialog, error) {
	var d analyzer.Dialog
	var state, tags string
	var start, end sql.NullInt64
	if err := s.Scan(&d.ID, &d.Input, &d.CallID, &d.Method, &state, &d.From, &d.To, &d.FromTag, &tags, &d.Caller, &d.Callee,
		&d.FirstFrame, &d.LastFrame, &start, &end, &d.Messages, &d.Status, &d.Authenticated); err != nil {
		return nil, err
	}
	d.State = analyzer.DialogState(state)
	d.Start, d.End = fromNS(start), fromNS(end)
	if err := json.Unmarshal([]byte(tags), &d.ToTags); err != nil {
		return nil, fmt.Errorf("store: dialog %s: %w", d.ID, err)
	}
	return &d, nil
}

// Dialog returns one dialog by ID, or ErrNotFound.
func (db *DB) Dialog(ctx context.Context, run int64, id string) (*analyzer.Dialog, error) {
	d, err := scanDialog(db.r.QueryRowContext(ctx, `SELECT `+dialogCols+` FROM dialogs WHERE run_id = ? AND dlg_key = ? AND dlg_id = ?`, run, idKey(id), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: dialog %q: %w", id, ErrNotFound)
	}
	return d, err
}

// Message is one stored SIP message.
type Message struct {
	Input  string
	Frames []int // all frames of the message; the last completed it
	Time   time.Time
	// Src and Dst are ip:port.
	Src, Dst  string
	Transport string
	CallID    string
	// Method is the request's method, or the response's CSeq method;
	// Status is 0 for a request.
	Method    string
	Status    int
	StartLine string
	// Auth: the message carries an authentication header.
	Auth           bool
	Retransmission bool
	// Exchange is the ID of the auth exchange the message opened or
	// completed ("" when none).
	Exchange string
	Raw      []byte
}

// Frame is the frame that completed the message.
func (m *Message) Frame() int {
	if len(m.Frames) == 0 {
		return 0
	}
	return m.Frames[len(m.Frames)-1]
}

// MessageQuery selects messages: by Call-ID, or those a frame number is
// part of (in any input). At least one must be set.
type MessageQuery struct {
	CallID string
	Frame  int
	// Limit <= 0 means no limit.
	Limit int
}

// Messages returns the run's messages that match q, in capture order. It
// reads the message blocks that may hold them (by the Call-ID index, or
// the blocks' frame ranges) and picks the messages from them.
func (db *DB) Messages(ctx context.Context, run int64, q MessageQuery) ([]*Message, error) {
	const cols = `SELECT i.path, b.meta, b.raw FROM msg_blocks b JOIN inputs i ON i.run_id = b.run_id AND i.seq = b.input `
	var rows *sql.Rows
	var err error
	switch {
	case q.CallID != "":
		// One seek per epoch of the run (migrations/0002).
		rows, err = db.r.QueryContext(ctx, cols+`JOIN msg_calls c ON c.block = b.id
			WHERE c.run_id = ?1 AND c.epoch IN (SELECT DISTINCT id >> 8 FROM msg_blocks WHERE run_id = ?1)
			AND c.call_hash = ?2 ORDER BY c.block`, run, callHash(q.CallID))
	case q.Frame > 0:
		rows, err = db.r.QueryContext(ctx, cols+`WHERE b.run_id = ? AND b.first_frame <= ? AND b.last_frame >= ? ORDER BY b.id`,
			run, q.Frame, q.Frame)
	default:
		return nil, errors.New("store: messages: no Call-ID or frame")
	}
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	defer rows.Close()
	out := []*Message{}
	for rows.Next() {
		var input string
		var meta, raw []byte
		if err := rows.Scan(&input, &meta, &raw); err != nil {
			return nil, err
		}
		br := newBlockReader(meta, raw)
		for br.next() {
			m := &br.m
			if q.CallID != "" && m.CallID != q.CallID || q.CallID == "" && !containsInt(m.Frames, q.Frame) {
				continue
			}
			out = append(out, m.toMessage(input))
			if q.Limit > 0 && len(out) >= q.Limit {
				return out, nil
			}
		}
		if br.err != nil {
			return nil, fmt.Errorf("store: messages: %w", br.err)
		}
	}
	return out, rows.Err()
}

func containsInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

// RegistrationQuery selects registrations; zero fields match everything.
type RegistrationQuery struct {
	// AOR matches the addresses of record that contain it (case
	// insensitive).
	AOR string
	// Limit <= 0 means no limit.
	Limit int
}

// Registrations returns the run's registration timelines that match q,
// in the order the analyzer handed them out (first appearance).
func (db *DB) Registrations(ctx context.Context, run int64, q RegistrationQuery) ([]*analyzer.Registration, error) {
	w := newWhere(run)
	if q.AOR != "" {
		w.add("instr(aor, ?) > 0", strings.ToLower(q.AOR))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT aor, input, state, implicit, bindings, events, events_dropped, first_frame, last_frame
		FROM registrations`+w.String()+` ORDER BY id`+page(q.Limit, 0), w.args...)
	if err != nil {
		return nil, fmt.Errorf("store: registrations: %w", err)
	}
	defer rows.Close()
	out := []*analyzer.Registration{}
	for rows.Next() {
		var g analyzer.Registration
		var implicit, bindings, events []byte
		if err := rows.Scan(&g.AOR, &g.Input, &g.State, &implicit, &bindings, &events, &g.EventsDropped, &g.FirstFrame, &g.LastFrame); err != nil {
			return nil, err
		}
		if err := errors.Join(json.Unmarshal(implicit, &g.Implicit), json.Unmarshal(bindings, &g.Bindings), json.Unmarshal(events, &g.Events)); err != nil {
			return nil, fmt.Errorf("store: registration %s: %w", g.AOR, err)
		}
		out = append(out, &g)
	}
	return out, rows.Err()
}
