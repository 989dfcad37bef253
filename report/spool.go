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
	out []byte
	tmp bytes.Buffer
	n   int
	err error
}

// encodeIndent appends v to dst as json.Encoder with SetIndent(prefix, "  ")
// and SetEscapeHTML(false) writes it, without the final newline. tmp is
// scratch space. The compact encoding is indented in one pass that knows
// it is valid JSON without spaces, instead of encoding/json's
// general-purpose scanner, which took about 10 % of the CPU time of
// "sipaudit analyze --format json" on the benchmark capture.
func encodeIndent(tmp *bytes.Buffer, dst []byte, v any, prefix string) ([]byte, error) {
	tmp.Reset()
	enc := json.NewEncoder(tmp)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return appendIndent(dst, bytes.TrimSuffix(tmp.Bytes(), []byte("\n")), prefix, "  "), nil
}

// appendIndent appends src, compact JSON as encoding/json writes it (no
// space outside strings), to dst indented as json.Indent would.
func appendIndent(dst, src []byte, prefix, indent string) []byte {
	newline := func(dst []byte, depth int) []byte {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
		return dst
	}
	needIndent, depth := false, 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		if needIndent && c != '}' && c != ']' {
			needIndent = false
			depth++
			dst = newline(dst, depth)
		}
		switch c {
		case '"':
			// Copy the string through its closing quote.
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j, len(src)-1)
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			needIndent = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = newline(dst, depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false // {} and []
			} else {
				depth--
				dst = newline(dst, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
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
	out := s.out[:0]
	if s.n > 0 {
		out = append(out, ",\n"...)
	}
	out = append(out, "    "...)
	if out, s.err = encodeIndent(&s.tmp, out, v, "    "); s.err != nil {
		return s.err
	}
	s.out = out
	_, s.err = s.w.Write(out)
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
	users          map[userKey]*userCounts
	notable        []*analyzer.Exchange
	notableDropped int
}

type userKey struct{ username, realm string }

func (k userKey) String() string {
	if k.realm != "" {
		return k.username + " (" + k.realm + ")"
	}
	return k.username
}

// userCounts are one user's exchanges by verdict. Verdicts are a handful
// of words: a short list costs less than a map per user, and a capture
// has tens of thousands of users.
type userCounts struct {
	total     int
	reference counts
	server    counts
}

type counts []verdictCount

type verdictCount struct {
	key string
	n   int
}

func (c *counts) add(key string) {
	for i := range *c {
		if (*c)[i].key == key {
			(*c)[i].n++
			return
		}
	}
	*c = append(*c, verdictCount{key, 1})
}

// Add takes one exchange, in report order.
func (s *ExchangeSummary) Add(e *analyzer.Exchange) {
	s.Total++
	if s.users == nil {
		s.users = map[userKey]*userCounts{}
	}
	u := s.users[userKey{e.Username, e.Realm}]
	if u == nil {
		u = &userCounts{}
		s.users[userKey{strings.Clone(e.Username), strings.Clone(e.Realm)}] = u
	}
	u.total++
	u.reference.add(e.Reference)
	u.server.add(e.ServerVerdict)
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
	type line struct {
		label string
		c     *userCounts
	}
	lines := make([]line, 0, len(s.users))
	for k, c := range s.users {
		lines = append(lines, line{k.String(), c})
	}
	slices.SortFunc(lines, func(a, b line) int { return strings.Compare(a.label, b.label) })
	fmt.Fprintf(w, "  USER\tEXCHANGES\tREFERENCE\tSERVER\n")
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\t%d\t%s\t%s\n", printable(l.label), l.c.total, l.c.reference.String(), l.c.server.String())
	}
	fmt.Fprintf(w, "\nNotable exchanges (the reference or the server did not accept, or an nc replay)\t%d\n", len(s.notable)+s.notableDropped)
	if len(s.notable) > 0 {
		writeExchanges(w, s.notable)
	}
	if s.notableDropped > 0 {
		fmt.Fprintf(w, "  ... and %d more: see --format json\n", s.notableDropped)
	}
}

// String lists the counts by verdict, in the verdicts' order: "invalid 1, valid 3".
func (c counts) String() string {
	sorted := slices.Clone(c)
	slices.SortFunc(sorted, func(a, b verdictCount) int { return strings.Compare(a.key, b.key) })
	parts := make([]string, len(sorted))
	for i, kv := range sorted {
		parts[i] = fmt.Sprintf("%s %d", kv.key, kv.n)
	}
	return strings.Join(parts, ", ")
}
