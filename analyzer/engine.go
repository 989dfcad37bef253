package analyzer

import (
	"net/netip"
	"slices"
	"time"

	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
)

// Rule is one check of the catalog (package rules). A rule watches what
// the analyzer sees through one or more of MessageRule, ExchangeRule,
// RegistrationRule and TickRule, and reports findings to the Reporter it
// is handed. An Engine calls its rules from one goroutine, in capture
// order; a rule may keep state, bounded in size and in capture time.
type Rule interface {
	Info() finding.RuleInfo
}

// MessageRule sees every SIP message, retransmissions included (flagged),
// after the analyzer has taken it into account.
type MessageRule interface {
	Rule
	Message(ev *MessageEvent, r Reporter)
}

// ExchangeRule sees every auth exchange once complete, in request order.
type ExchangeRule interface {
	Rule
	Exchange(ex *Exchange, r Reporter)
}

// RegistrationRule sees each AOR's registration timeline at the end.
type RegistrationRule interface {
	Rule
	Registration(reg *Registration, r Reporter)
}

// TickRule is told the capture time about once a second of it, and once
// more at the end, so that windows can close.
type TickRule interface {
	Rule
	Tick(now time.Time, r Reporter)
}

// FinishRule is told the analysis is over, after the last registration.
type FinishRule interface {
	Rule
	Finish(r Reporter)
}

// Reporter takes the findings of one rule. The engine fills in the rule's
// ID, name, clause, the input and the fingerprint; the severity is the
// rule's unless the finding sets one. Findings with the same Key are
// folded into one (its Count grows, LastTime moves; the highest severity
// wins).
type Reporter interface {
	Report(f finding.Finding)
	// Again folds one more occurrence into the finding with this key,
	// if there is one, and says so: a rule can then skip building the
	// finding again.
	Again(key string, at time.Time) bool
}

// MessageEvent is one SIP message as a rule sees it. It is valid during
// the call only.
type MessageEvent struct {
	Msg       *Msg
	Input     string
	Frames    []int
	Time      time.Time
	Src, Dst  netip.AddrPort
	Transport string
	// Retransmission: the request, or the final response, repeats one its
	// transaction already had.
	Retransmission bool
	// Challenges are the challenges of a 401 or 407, Digest or not,
	// parsed once.
	Challenges []ChallengeField
	// Exchange is the auth exchange a request carrying credentials
	// opened (not complete yet, but its credentials and the reference's
	// result are there), or, on a final response, the exchange it
	// completes.
	Exchange *Exchange
	// RequestMethod is the method of a response's request (from CSeq).
	RequestMethod string
	// Raw is the message as captured, start line to end of body.
	Raw []byte

	addrs            *addrStrings
	srcText, dstText string
}

// SrcText is Src as text ("" when invalid), shared: no allocation per call.
func (ev *MessageEvent) SrcText() string {
	if ev.srcText == "" {
		ev.srcText = ev.addrText(ev.Src)
	}
	return ev.srcText
}

// DstText is Dst as text ("" when invalid), shared: no allocation per call.
func (ev *MessageEvent) DstText() string {
	if ev.dstText == "" {
		ev.dstText = ev.addrText(ev.Dst)
	}
	return ev.dstText
}

func (ev *MessageEvent) addrText(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	if ev.addrs == nil {
		ev.addrs = &addrStrings{}
	}
	return ev.addrs.text(a)
}

// Frame is the frame that completed the message.
func (ev *MessageEvent) Frame() int {
	if len(ev.Frames) == 0 {
		return 0
	}
	return ev.Frames[len(ev.Frames)-1]
}

// ChallengeField is one challenge of a 401/407.
type ChallengeField struct {
	Kind AuthKind // WWWAuthenticate or ProxyAuthenticate
	// Scheme is "Digest", "Basic" or what was sent.
	Scheme string
	// Challenge is the parsed Digest challenge (zero for other schemes).
	Challenge digest.Challenge
}

// DefaultMaxFindings caps the distinct findings an Engine holds.
const DefaultMaxFindings = 100_000

// Engine runs rules over an analysis and collects their findings.
type Engine struct {
	rules    []Rule
	msgs     []ruleFor[MessageRule]
	exs      []ruleFor[ExchangeRule]
	regs     []ruleFor[RegistrationRule]
	ticks    []ruleFor[TickRule]
	fins     []ruleFor[FinishRule]
	input    string
	max      int
	findings []*finding.Finding
	dropped  int
	notify   func(f *finding.Finding, isNew bool)
}

type ruleFor[T any] struct {
	rule T
	rep  *reporter
}

type reporter struct {
	e     *Engine
	info  finding.RuleInfo
	byKey map[string]*finding.Finding
}

// NewEngine returns an engine running rules, holding at most max
// distinct findings (0 means DefaultMaxFindings).
func NewEngine(max int, rules ...Rule) *Engine {
	if max <= 0 {
		max = DefaultMaxFindings
	}
	e := &Engine{rules: rules, max: max}
	for _, r := range rules {
		rep := &reporter{e: e, info: r.Info(), byKey: map[string]*finding.Finding{}}
		if m, ok := r.(MessageRule); ok {
			e.msgs = append(e.msgs, ruleFor[MessageRule]{m, rep})
		}
		if x, ok := r.(ExchangeRule); ok {
			e.exs = append(e.exs, ruleFor[ExchangeRule]{x, rep})
		}
		if g, ok := r.(RegistrationRule); ok {
			e.regs = append(e.regs, ruleFor[RegistrationRule]{g, rep})
		}
		if f, ok := r.(FinishRule); ok {
			e.fins = append(e.fins, ruleFor[FinishRule]{f, rep})
		}
		if t, ok := r.(TickRule); ok {
			e.ticks = append(e.ticks, ruleFor[TickRule]{t, rep})
		}
	}
	return e
}

// Rules returns the rules the engine runs, in order.
func (e *Engine) Rules() []Rule { return e.rules }

// Findings returns the findings so far in report order (finding.Less).
func (e *Engine) Findings() []*finding.Finding {
	out := slices.Clone(e.findings)
	slices.SortStableFunc(out, func(a, b *finding.Finding) int {
		switch {
		case finding.Less(a, b):
			return -1
		case finding.Less(b, a):
			return 1
		}
		return 0
	})
	return out
}

// Dropped counts findings not kept because the cap was reached.
func (e *Engine) Dropped() int { return e.dropped }

// Notify sets a function called on the analysis goroutine each time a
// finding is made (isNew) or an occurrence folds into it (its Count,
// LastTime and maybe Severity and Message change). f is the engine's own
// finding: copy it to keep or hand it to another goroutine. Live capture
// prints new findings as they happen and stores changed ones every
// second.
func (e *Engine) Notify(f func(f *finding.Finding, isNew bool)) { e.notify = f }

func (r *reporter) Again(key string, at time.Time) bool {
	old := r.byKey[key]
	if old == nil {
		return false
	}
	old.Count++
	if at.After(old.LastTime) {
		old.LastTime = at
	}
	if r.e.notify != nil {
		r.e.notify(old, false)
	}
	return true
}

func (r *reporter) Report(f finding.Finding) {
	e := r.e
	if old := r.byKey[f.Key]; old != nil {
		if f.Severity > old.Severity {
			old.Severity, old.Message = f.Severity, f.Message
		}
		r.Again(f.Key, f.Time)
		return
	}
	f.Rule, f.Name, f.Clause = r.info.ID, r.info.Name, r.info.Clause
	if f.Severity == 0 {
		f.Severity = r.info.Severity
	}
	if f.Input == "" {
		f.Input = e.input
	}
	if f.Frames == nil {
		f.Frames = []int{}
	}
	if len(e.findings) >= e.max {
		e.dropped++
		return
	}
	f.Fingerprint = finding.Fingerprint(f.Rule, f.Key)
	f.Count, f.LastTime = 1, f.Time
	p := &f
	r.byKey[f.Key] = p
	e.findings = append(e.findings, p)
	if e.notify != nil {
		e.notify(p, true)
	}
}

func (e *Engine) message(ev *MessageEvent) {
	e.input = ev.Input
	for _, r := range e.msgs {
		r.rule.Message(ev, r.rep)
	}
}

func (e *Engine) exchange(ex *Exchange) {
	e.input = ex.Input
	for _, r := range e.exs {
		r.rule.Exchange(ex, r.rep)
	}
}

func (e *Engine) registration(g *Registration) {
	e.input = g.Input
	for _, r := range e.regs {
		r.rule.Registration(g, r.rep)
	}
}

func (e *Engine) tick(now time.Time) {
	for _, r := range e.ticks {
		r.rule.Tick(now, r.rep)
	}
}

func (e *Engine) finish() {
	for _, r := range e.fins {
		r.rule.Finish(r.rep)
	}
}
