package rules

import (
	"strconv"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA601 brute-force: at least N failed authentications (default 5) for
// one username, or from one source address, within a window (default
// 60 s). Online password guessing, or credential stuffing across users
// from one host; it also loads the HSS with authentication requests (TS
// 33.203 6.1.1, DoS note). A failure is an answer the server refused
// (403 or a new challenge without stale=true). One finding per burst:
// when one failure completes both a user's and a source's burst (one
// host guessing one account), it is reported once, for the user; bursts
// of the same user or source fold together.
type sa601 struct {
	n      int
	span   time.Duration
	counts *window[*burst]
}

type burst struct {
	times    []time.Time
	frames   []int
	reported bool
}

var sa601Info = finding.RuleInfo{
	ID: "SA601", Name: "brute-force", Severity: finding.High,
	Clause:  "TS 33.203 6.1.1 (DoS note)",
	Summary: "At least N (default 5) failed authentications for one username, or from one source, within a window (default 60 s).",
	Help:    "Someone is guessing passwords online. Block the source (fail2ban, pike/ratelimit modules), lock or alert on the account, and make sure passwords are strong.",
}

func (*sa601) Info() finding.RuleInfo { return sa601Info }

func (s *sa601) Exchange(ex *analyzer.Exchange, r analyzer.Reporter) {
	if !refused(ex) {
		return
	}
	userKey, srcKey := "user "+ex.Username+" "+ex.Realm, "source "+host(ex.Client)
	user, byUser := s.count(ex, userKey)
	src, bySource := s.count(ex, srcKey)
	// One guesser trying one account trips both counts on the same
	// failure: that is one burst, reported once (by user), and the source's
	// count is spent with it.
	switch {
	case byUser:
		src.reported = src.reported || bySource
		s.report(ex, r, user, userKey, "for "+who(ex))
	case bySource:
		s.report(ex, r, src, srcKey, "from "+host(ex.Client))
	}
}

// count adds a failure to the burst of key and says whether the burst
// has just reached the threshold (and is to be reported).
func (s *sa601) count(ex *analyzer.Exchange, key string) (*burst, bool) {
	b, _ := s.counts.get(key)
	if b == nil {
		b = &burst{}
		s.counts.put(key, ex.Time, b)
	}
	// Only the failures inside the window count.
	drop := 0
	for drop < len(b.times) && ex.Time.Sub(b.times[drop]) > s.span {
		drop++
	}
	if drop > 0 {
		b.times, b.frames = b.times[drop:], b.frames[drop:]
		if len(b.times) == 0 {
			b.reported = false // the burst is over
		}
	}
	if len(b.times) < s.n {
		b.times, b.frames = append(b.times, ex.Time), append(b.frames, ex.Frame)
	}
	return b, len(b.times) >= s.n && !b.reported
}

func (s *sa601) report(ex *analyzer.Exchange, r analyzer.Reporter, b *burst, key, what string) {
	b.reported = true
	f := exFinding(ex, key,
		strconv.Itoa(s.n)+" failed authentications "+what+" within "+ex.Time.Sub(b.times[0]).Round(time.Millisecond).String()+
			" ("+framesLabel(b.frames)+", last answered "+status(ex)+"): online password guessing. Block the source and check the account.")
	f.Frames = sortedFrames(append(f.Frames, b.frames...))
	f.Time = b.times[0]
	r.Report(f)
}
