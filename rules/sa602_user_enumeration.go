package rules

import (
	"strconv"
	"strings"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA602 user-enumeration: one source probes many distinct users (default
// 10) and the answers tell existing users from unknown ones (a challenge
// or success for some, 404/604/484/485 for others). The difference is
// the oracle that tools such as svwar use to list accounts before
// guessing their passwords (RFC 3261 26.1). A source is tracked from
// its first "no such user" answer, which ordinary clients never get, so
// memory does not grow with the number of clients. Folds per source.
type sa602 struct {
	minUsers int
	sources  *window[*probe]
}

type probe struct {
	users          map[string]bool
	exists, absent bool
	first          int
	reported       bool
}

var sa602Info = finding.RuleInfo{
	ID: "SA602", Name: "user-enumeration", Severity: finding.Medium,
	Clause:  "RFC 3261 26.1",
	Summary: "One source probes many distinct users and the responses differ between existing and unknown users (e.g. 401 vs 404).",
	Help:    "The server tells which accounts exist. Answer unknown users exactly as known ones (challenge them too), and rate-limit the source.",
}

func (*sa602) Info() finding.RuleInfo { return sa602Info }

func (s *sa602) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	m := ev.Msg
	if m.Request || ev.Retransmission || m.Status < 200 {
		return
	}
	var exists bool
	switch m.Status {
	case 401, 407, 200, 202:
		exists = true
	case 404, 604, 484, 485:
	default:
		return
	}
	user := userPart(m.ToURI)
	if user == "" {
		return
	}
	src := ev.Dst.Addr().String() // the prober gets the answer
	p, _ := s.sources.get(src)
	if p == nil && exists {
		return // tracked from its first "no such user" answer: ordinary clients get none
	}
	if p == nil {
		p = &probe{users: map[string]bool{}, first: ev.Frame()}
		s.sources.put(src, ev.Time, p)
	}
	if len(p.users) < s.minUsers {
		p.users[strings.Clone(user)] = true
	}
	p.exists = p.exists || exists
	p.absent = p.absent || !exists
	if p.reported || len(p.users) < s.minUsers || !p.exists || !p.absent {
		return
	}
	p.reported = true
	f := evFinding(ev, "source "+src,
		"The host "+src+" probed at least "+strconv.Itoa(s.minUsers)+" users (frames "+itoa(p.first)+" to "+itoa(ev.Frame())+
			") and the server at "+ev.SrcText()+" answered existing and unknown users differently (a challenge or 2xx against 404/604): it lists the valid accounts. Answer all users alike.")
	f.Frames = sortedFrames(append(f.Frames, p.first))
	r.Report(f)
}
