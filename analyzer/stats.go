package analyzer

import (
	"bytes"
	"strconv"

	"github.com/emiago/sipgo/sip"

	"github.com/sipaudit/sipaudit/capture"
)

// Stats are the counts of the JSON report's "stats" section.
type Stats struct {
	Packets       int            `json:"packets"`
	SIPMessages   int            `json:"sip_messages"`
	Malformed     int            `json:"malformed"`
	Requests      map[string]int `json:"requests"`
	Responses     map[string]int `json:"responses"`
	Dialogs       int            `json:"dialogs"`
	Transactions  int            `json:"transactions"`
	AuthExchanges int            `json:"auth_exchanges"`
	// Registrations counts the addresses of record seen registering
	// (beyond interface.md's minimum).
	Registrations int `json:"registrations"`
}

// NewStats returns empty Stats whose maps are ready (and print as {}).
func NewStats() *Stats {
	return &Stats{Requests: map[string]int{}, Responses: map[string]int{}}
}

// Counter counts messages into Stats.
type Counter struct {
	Stats      *Stats
	parser     *sip.Parser
	maxMessage int
}

// NewCounter returns a Counter over fresh Stats. maxMessage is the
// largest message the parser accepts.
func NewCounter(maxMessage int) *Counter {
	p := sip.NewParser()
	p.MaxMessageLength = maxMessage
	return &Counter{Stats: NewStats(), parser: p, maxMessage: maxMessage}
}

// Add counts one message: its method or status code as its start line
// says (as Wireshark counts, malformed or not), and whether it is
// malformed.
func (c *Counter) Add(m *capture.Message) {
	if !c.count(m.Raw) {
		return
	}
	if c.WellFormed(m.Raw) {
		return
	}
	if _, err := c.Parse(m.Raw); err != nil {
		c.Stats.Malformed++
	}
}

// WellFormed reports whether raw is certainly not malformed, without
// sipgo: a fast check that vouches for ordinary messages and is proven by
// a differential fuzz test to imply that Parse succeeds (see
// wellformed.go). False means Parse must decide.
func (c *Counter) WellFormed(raw []byte) bool { return wellFormedMax(raw, c.maxMessage) }

// count counts the start line of a message; false when it is not SIP.
func (c *Counter) count(raw []byte) bool {
	sl, ok := capture.ParseStartLine(raw)
	if !ok {
		return false
	}
	c.countLine(sl)
	return true
}

// countLine counts a message by its start line.
func (c *Counter) countLine(sl capture.StartLine) {
	c.Stats.SIPMessages++
	if sl.IsRequest() {
		c.Stats.Requests[sl.Method]++
	} else {
		c.Stats.Responses[statusText(sl.StatusCode)]++
	}
}

// statusTexts caches the decimal form of the status codes.
var statusTexts = func() (t [700]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

func statusText(code int) string {
	if code >= 0 && code < len(statusTexts) {
		return statusTexts[code]
	}
	return strconv.Itoa(code)
}

// Parse parses a SIP message. Lines ended by a bare LF, which many
// implementations send and Wireshark accepts, are read as if ended by
// CRLF. A message is malformed when sipgo cannot parse it, when it lacks
// a header every request and response must carry (RFC 3261 8.1.1: Via,
// From, To, Call-ID, CSeq; Max-Forwards is left out as proxies commonly
// drop it), or when its body is shorter than its Content-Length.
func (c *Counter) Parse(raw []byte) (sip.Message, error) {
	msg, err := c.parser.ParseSIP(raw)
	if err != nil {
		if fixed, ok := crlfHeaders(raw); ok {
			msg, err = c.parser.ParseSIP(fixed)
		}
	}
	if err != nil {
		return nil, err
	}
	for _, h := range mandatory {
		if len(msg.GetHeaders(h)) == 0 {
			return msg, &MissingHeaderError{Header: h}
		}
	}
	return msg, nil
}

var mandatory = []string{"Via", "From", "To", "Call-ID", "CSeq"}

// MissingHeaderError is returned for a message without a mandatory
// header.
type MissingHeaderError struct{ Header string }

func (e *MissingHeaderError) Error() string { return "missing mandatory header " + e.Header }

// crlfHeaders returns raw with every bare LF of its header section (up to
// and including the empty line) turned into CRLF; the body is left as it
// is so that Content-Length still holds. ok is false when there was
// nothing to change.
func crlfHeaders(raw []byte) ([]byte, bool) {
	out := make([]byte, 0, len(raw)+64)
	changed := false
	i := 0
	for i < len(raw) {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			break
		}
		line := raw[i : i+j]
		i += j + 1
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		} else {
			changed = true
		}
		out = append(append(out, line...), '\r', '\n')
		if len(line) == 0 {
			break // the empty line ends the header section
		}
	}
	return append(out, raw[i:]...), changed
}

// malformedBatch is how many messages go to the malformed checker at a
// time.
const malformedBatch = 256

// malformedChecker runs the sipgo parse of every message (the malformed
// count) on another goroutine, so that it uses the second core.
type malformedChecker struct {
	ch    chan []string
	done  chan int
	batch []string
}

func newMalformedChecker(maxMessage int) *malformedChecker {
	mc := &malformedChecker{ch: make(chan []string, 8), done: make(chan int, 1)}
	go func() {
		c := NewCounter(maxMessage)
		var buf []byte
		bad := 0
		for batch := range mc.ch {
			for _, text := range batch {
				buf = append(buf[:0], text...)
				if _, err := c.Parse(buf); err != nil {
					bad++
				}
			}
		}
		mc.done <- bad
	}()
	return mc
}

// add queues a message (its text is immutable, so it can be shared).
func (mc *malformedChecker) add(text string) {
	if mc.batch == nil {
		mc.batch = make([]string, 0, malformedBatch)
	}
	mc.batch = append(mc.batch, text)
	if len(mc.batch) == malformedBatch {
		mc.ch <- mc.batch
		mc.batch = nil
	}
}

// close waits for the checker and returns the malformed count.
func (mc *malformedChecker) close() int {
	if len(mc.batch) > 0 {
		mc.ch <- mc.batch
	}
	close(mc.ch)
	return <-mc.done
}
