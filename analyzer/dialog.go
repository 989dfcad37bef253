package analyzer

import (
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/capture"
)

// DialogState is a dialog's state as sngrep shows it for calls, plus the
// states of subscription and REFER dialogs.
type DialogState string

// The dialog states.
const (
	CallSetup  DialogState = "call-setup" // INVITE sent, no answer yet
	Ringing    DialogState = "ringing"    // 180/183
	InCall     DialogState = "in-call"    // 2xx to the INVITE
	Completed  DialogState = "completed"  // BYE after the call was up
	Rejected   DialogState = "rejected"   // a final failure
	Cancelled  DialogState = "cancelled"  // CANCEL before the answer
	Busy       DialogState = "busy"       // 486, 600, 480
	Diverted   DialogState = "diverted"   // 3xx
	Pending    DialogState = "pending"    // SUBSCRIBE/REFER sent, no 2xx yet
	Active     DialogState = "active"     // subscription accepted
	Terminated DialogState = "terminated" // subscription ended (NOTIFY terminated, expires 0)
)

// Dialog is one dialog-forming exchange and what followed: an INVITE
// call, or a SUBSCRIBE or REFER subscription, grouped by Call-ID and the
// caller's From tag (RFC 3261 12: a dialog is Call-ID and both tags; the
// callee's tags of forked early dialogs are kept in ToTags).
type Dialog struct {
	ID         string      `json:"id"`
	Input      string      `json:"input"`
	CallID     string      `json:"call_id"`
	Method     string      `json:"method"` // INVITE, SUBSCRIBE or REFER
	State      DialogState `json:"state"`
	From       string      `json:"from"`
	To         string      `json:"to"`
	FromTag    string      `json:"from_tag"`
	ToTags     []string    `json:"to_tags"`
	Caller     string      `json:"caller"` // the address the first request came from
	Callee     string      `json:"callee"`
	FirstFrame int         `json:"first_frame"`
	LastFrame  int         `json:"last_frame"`
	Start      time.Time   `json:"start"`
	End        time.Time   `json:"end"`
	Messages   int         `json:"messages"`
	// Status is the final status of the dialog-forming request (0 while
	// none).
	Status int `json:"status"`
	// Authenticated: a dialog-forming request carried credentials.
	Authenticated bool `json:"authenticated"`

	last    time.Time
	key     uint64 // dialogHash of Call-ID and From tag
	done    bool   // in a final state, queued in a.doneDialogs
	emitted bool
}

// final reports whether no more state change is expected.
func (d *Dialog) final() bool {
	switch d.State {
	case Completed, Rejected, Cancelled, Busy, Diverted, Terminated:
		return true
	}
	return false
}

// dialogMethods are the methods that create dialogs (RFC 3261 12, RFC
// 6665, RFC 3515).
func dialogForming(method string) bool {
	return method == "INVITE" || method == "SUBSCRIBE" || method == "REFER"
}

// dialogHash is the key of a dialog: its Call-ID and a tag, held as a
// 64-bit hash (as txnHash).
func dialogHash(callID, tag string) uint64 { return hashStrings(callID, tag) }

// dialogHashes returns the dialog keys of m with its From tag and with
// its To tag (0 when it has none), computed once (on the decoder's
// goroutine in a Pipeline).
func (m *Msg) dialogHashes() (from, to uint64) {
	if !m.dlgDone {
		m.dlgDone = true
		m.dlgFrom = dialogHash(m.CallID, m.FromTag)
		if m.ToTag != "" {
			m.dlgTo = dialogHash(m.CallID, m.ToTag)
		}
	}
	return m.dlgFrom, m.dlgTo
}

// dialog updates the dialog a message belongs to, creating it for a
// dialog-forming request. Messages of a Call-ID with no dialog (REGISTER,
// OPTIONS, MESSAGE) are not dialogs.
func (a *Analyzer) dialog(m *capture.Message, msg *Msg) {
	if msg.CallID == "" {
		return
	}
	method := msg.CSeqMethod
	if msg.Request {
		method = msg.Method
	}
	// Requests from the callee side carry the caller's tag as To tag.
	fromKey, toKey := msg.dialogHashes()
	d := a.dialogs[fromKey]
	if d == nil && msg.ToTag != "" {
		d = a.dialogs[toKey]
	}
	if d == nil {
		if !msg.Request || !dialogForming(msg.Method) || msg.ToTag != "" {
			return
		}
		a.nextDialog++
		d = &Dialog{
			ID: "d" + itoa(a.nextDialog), Input: a.input, CallID: msg.CallID, Method: msg.Method,
			From: msg.FromURI, To: msg.ToURI, FromTag: msg.FromTag, ToTags: []string{},
			Caller: a.addrs.text(m.Src), Callee: a.addrs.text(m.Dst), FirstFrame: m.Frame(), Start: m.Time,
		}
		cloneTogether(&d.CallID, &d.From, &d.To, &d.FromTag)
		d.State = CallSetup
		if msg.Method != "INVITE" {
			d.State = Pending
		}
		d.key = fromKey
		a.dialogs[fromKey] = d
		a.dialogOrder = append(a.dialogOrder, d)
		a.counter.Stats.Dialogs++
	}
	d.Messages++
	d.LastFrame, d.End, d.last = m.Frame(), m.Time, m.Time
	if msg.Request && dialogForming(msg.Method) && msg.ToTag == "" && hasCredentials(msg) {
		d.Authenticated = true
	}
	if !msg.Request && msg.ToTag != "" && msg.FromTag == d.FromTag && !containsString(d.ToTags, msg.ToTag) && len(d.ToTags) < 16 {
		d.ToTags = append(d.ToTags, strings.Clone(msg.ToTag))
	}
	d.update(msg, method)
	if !d.done && d.final() {
		d.done = true
		a.doneDialogs = append(a.doneDialogs, d)
	}
}

// update moves the state as sngrep does for calls (call_update_state),
// with authentication challenges (401, 407) leaving it unchanged: the
// request is simply sent again with credentials.
func (d *Dialog) update(msg *Msg, method string) {
	if msg.Request {
		switch {
		case msg.Method == "CANCEL" && (d.State == CallSetup || d.State == Ringing):
			d.State = Cancelled
		case msg.Method == "BYE" && (d.State == InCall || d.State == Ringing || d.State == CallSetup):
			d.State = Completed
		case msg.Method == "NOTIFY" && d.Method != "INVITE":
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(msg.SubscriptionState)), "terminated") {
				d.State = Terminated
			} else if d.State == Pending {
				d.State = Active // a NOTIFY may arrive before the 2xx (RFC 6665 4.1.2.4)
			}
		case msg.Method == "SUBSCRIBE" && d.Method == "SUBSCRIBE" && msg.Expires == 0 && d.State == Active:
			d.State = Terminated
		}
		return
	}
	if method != d.Method || msg.Status < 100 {
		return
	}
	s := msg.Status
	if d.Method != "INVITE" {
		switch {
		case s >= 200 && s < 300 && d.State == Pending:
			d.State = Active
		case s >= 300 && s != 401 && s != 407 && d.State == Pending:
			d.State, d.Status = Rejected, s
		}
		if s >= 200 && d.Status == 0 && s != 401 && s != 407 {
			d.Status = s
		}
		return
	}
	if d.State != CallSetup && d.State != Ringing {
		return // a re-INVITE's answers do not move a call that was set up
	}
	switch {
	case s == 180 || s == 183:
		d.State = Ringing
	case s >= 200 && s < 300:
		d.State, d.Status = InCall, s
	case s == 401 || s == 407:
		// challenged: the INVITE comes again with credentials
	case s == 486 || s == 600 || s == 480:
		d.State, d.Status = Busy, s
	case s == 487:
		d.State, d.Status = Cancelled, s
	case s >= 300 && s < 400:
		d.State, d.Status = Diverted, s
	case s >= 400:
		d.State, d.Status = Rejected, s
	}
}

func hasCredentials(msg *Msg) bool {
	for _, f := range msg.Auth {
		if f.Kind == Authorization || f.Kind == ProxyAuthorization {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// expireDialogs hands out dialogs: those in a final state once idle for
// linger (late retransmissions still find them), the others once idle for
// the dialog timeout or beyond the cap (all of them when all is set).
func (a *Analyzer) expireDialogs(all bool) {
	n := 0
	for n < len(a.doneDialogs) {
		d := a.doneDialogs[n]
		if !all && a.now.Sub(d.last) <= linger {
			break
		}
		a.emitDialog(d)
		n++
	}
	clear(a.doneDialogs[:n])
	a.doneDialogs = a.doneDialogs[n:]
	n = 0
	for n < len(a.dialogOrder) {
		d := a.dialogOrder[n]
		if !d.emitted && !all && a.now.Sub(d.last) <= a.cfg.DialogTimeout && len(a.dialogs) <= a.cfg.MaxDialogs {
			// Ordered by start, not by last activity: one still active
			// holds back those behind it (bounded by MaxDialogs).
			break
		}
		a.emitDialog(d)
		n++
	}
	clear(a.dialogOrder[:n])
	a.dialogOrder = a.dialogOrder[n:]
}

func (a *Analyzer) emitDialog(d *Dialog) {
	if d.emitted {
		return
	}
	d.emitted = true
	if a.dialogs[d.key] == d {
		delete(a.dialogs, d.key)
	}
	if a.cfg.OnDialog != nil {
		a.cfg.OnDialog(d)
	}
}
