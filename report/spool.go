package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sipaudit/sipaudit/analyzer"
)

// Spool holds the elements of one JSON list, already encoded as WriteJSON
// writes them, in storage the caller provides (a temporary file), so that
// a list of any length never sits in memory. Add elements in report
// order; WriteJSON copies them out.
type Spool struct {
	f   io.ReadWriteSeeker
	w   *bufio.Writer
	buf bytes.Buffer
	n   int
	err error
}

// NewSpool returns a Spool writing to f, which must be empty.
func NewSpool(f io.ReadWriteSeeker) *Spool {
	return &Spool{f: f, w: bufio.NewWriterSize(f, 64<<10)}
}

// Add encodes v and appends it. The first error sticks and is returned
// by every later call and by WriteJSON.
func (s *Spool) Add(v any) error {
	if s.err != nil {
		return s.err
	}
	s.buf.Reset()
	if s.n > 0 {
		s.buf.WriteString(",\n")
	}
	s.buf.WriteString("    ")
	enc := json.NewEncoder(&s.buf)
	enc.SetIndent("    ", "  ")
	enc.SetEscapeHTML(false)
	if s.err = enc.Encode(v); s.err != nil {
		return s.err
	}
	_, s.err = s.w.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
	s.n++
	return s.err
}

// Len is the number of elements added.
func (s *Spool) Len() int { return s.n }

// copyTo writes the elements, as added, to w.
func (s *Spool) copyTo(w io.Writer) error {
	if s.err != nil {
		return s.err
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

// detailLimit is how many exchanges the text report lists one by one;
// beyond it, it prints a line per user and the notable exchanges.
const detailLimit = 1000

// notableLimit caps the notable exchanges listed in the aggregate view.
const notableLimit = 200

// ExchangeSummary collects what the text report says about exchanges
// with bounded memory: every exchange while there are few, then counts
// per user and the notable ones (the reference and the server disagree,
// or either did not accept).
type ExchangeSummary struct {
	Total          int
	detail         []*analyzer.Exchange
	users          map[string]*userCounts
	notable        []*analyzer.Exchange
	notableDropped int
}

type userCounts struct {
	total     int
	reference map[string]int
	server    map[string]int
}

// Add takes one exchange, in report order.
func (s *ExchangeSummary) Add(e *analyzer.Exchange) {
	s.Total++
	if s.users == nil {
		s.users = map[string]*userCounts{}
	}
	u := s.users[userLabel(e)]
	if u == nil {
		u = &userCounts{reference: map[string]int{}, server: map[string]int{}}
		s.users[userLabel(e)] = u
	}
	u.total++
	u.reference[e.Reference]++
	u.server[e.ServerVerdict]++
	if s.Total <= detailLimit {
		s.detail = append(s.detail, e)
	} else {
		s.detail = nil
	}
	if notable(e) {
		if len(s.notable) < notableLimit {
			s.notable = append(s.notable, e)
		} else {
			s.notableDropped++
		}
	}
}

// notable: worth a line even in a large report.
func notable(e *analyzer.Exchange) bool {
	okRef := e.Reference == "valid" || e.Reference == "unknown-credentials"
	return !okRef || e.ServerVerdict != "accepted" || e.NCReplay
}

func userLabel(e *analyzer.Exchange) string {
	if e.Realm != "" {
		return e.Username + " (" + e.Realm + ")"
	}
	return e.Username
}

// write prints the summary: every exchange grouped by user when there are
// few, else a line per user and the notable exchanges.
func (s *ExchangeSummary) write(w io.Writer) {
	fmt.Fprintf(w, "\nAuth exchanges\t%d\n", s.Total)
	if s.Total == 0 {
		return
	}
	if s.detail != nil {
		writeExchanges(w, s.detail)
		return
	}
	users := make([]string, 0, len(s.users))
	for u := range s.users {
		users = append(users, u)
	}
	slices.Sort(users)
	fmt.Fprintf(w, "  USER\tEXCHANGES\tREFERENCE\tSERVER\n")
	for _, u := range users {
		c := s.users[u]
		fmt.Fprintf(w, "  %s\t%d\t%s\t%s\n", printable(u), c.total, joinCounts(c.reference), joinCounts(c.server))
	}
	fmt.Fprintf(w, "\nNotable exchanges (the reference or the server did not accept, or an nc replay)\t%d\n", len(s.notable)+s.notableDropped)
	if len(s.notable) > 0 {
		writeExchanges(w, s.notable)
	}
	if s.notableDropped > 0 {
		fmt.Fprintf(w, "  ... and %d more: see --format json\n", s.notableDropped)
	}
}

func joinCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
