package analyzer

import (
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/capture"
)

// Registration is the registration state of one address of record (the
// IMPU), rebuilt from REGISTER transactions and reg-event NOTIFY bodies
// (RFC 3680, application/reginfo+xml), as a timeline.
type Registration struct {
	AOR   string `json:"aor"`
	Input string `json:"input"`
	// State is "registered" while a binding is live, else
	// "unregistered".
	State string `json:"state"`
	// Implicit is the implicit registration set the network returned in
	// P-Associated-URI (TS 24.229 5.4.1.2.2; TS 23.228 4.3.3.4).
	Implicit []string   `json:"implicit"`
	Bindings []*Binding `json:"bindings"`
	Events   []RegEvent `json:"events"`
	// EventsDropped counts the oldest events left out to bound memory.
	EventsDropped int `json:"events_dropped"`
	FirstFrame    int `json:"first_frame"`
	LastFrame     int `json:"last_frame"`
}

// Binding is one contact registered for an AOR.
type Binding struct {
	Contact string    `json:"contact"`
	Expires int       `json:"expires"`
	Since   time.Time `json:"since"`
	Until   time.Time `json:"until"`
	// Source is the address the REGISTER that made or refreshed the
	// binding came from (the P-CSCF's IP address check, TS 33.203
	// N.2.1.1); CallID its Call-ID.
	Source string `json:"source"`
	CallID string `json:"call_id"`
}

// RegEvent is one change in a registration's timeline.
type RegEvent struct {
	Time  time.Time `json:"time"`
	Frame int       `json:"frame"`
	// Event is registered, refreshed, shortened, unregistered, expired,
	// rejected (a REGISTER failed), or a reg-event contact event (RFC
	// 3680 5.3: created, registered, refreshed, shortened, expired,
	// deactivated, probation, unregistered, rejected) or registration
	// state (terminated, or re-authenticate: TS 24.229 5.4.1.6).
	Event   string `json:"event"`
	Contact string `json:"contact,omitempty"`
	// Origin is "register" or "reg-event".
	Origin string `json:"origin"`
	Status int    `json:"status,omitempty"`
}

const (
	maxRegEvents     = 256
	maxRegistrations = 1 << 20
	maxReginfoItems  = 256
)

// regRequest is what a REGISTER transaction remembers until its answer.
type regRequest struct {
	aor      string
	contacts []string
	expires  int
	source   string
	callID   string
}

// aorKey normalises an AOR for grouping: no angle brackets, no URI
// parameters, lower case. The result may be a part of uri (when it is
// already lower case): clone it to keep it.
func aorKey(uri string) string {
	uri = strings.Trim(strings.TrimSpace(uri), "<>")
	if i := strings.IndexByte(uri, ';'); i >= 0 {
		uri = uri[:i]
	}
	return lowerASCII(uri)
}

func (a *Analyzer) registration(aor string, frame int) *Registration {
	key := aorKey(aor)
	if key == "" {
		return nil
	}
	r := a.regs[key]
	if r == nil {
		if len(a.regs) >= maxRegistrations {
			return nil
		}
		key = strings.Clone(key)
		r = &Registration{AOR: key, Input: a.input, State: "unregistered", Implicit: []string{}, Bindings: []*Binding{}, Events: []RegEvent{}, FirstFrame: frame}
		a.regs[key] = r
		a.regOrder = append(a.regOrder, r)
		a.counter.Stats.Registrations++
	}
	r.LastFrame = frame
	return r
}

func (r *Registration) event(e RegEvent) {
	if len(r.Events) >= maxRegEvents {
		r.Events = append(r.Events[:0], r.Events[1:]...)
		r.EventsDropped++
	}
	r.Events = append(r.Events, e)
}

func (r *Registration) binding(contact string) (int, *Binding) {
	for i, b := range r.Bindings {
		if b.Contact == contact {
			return i, b
		}
	}
	return -1, nil
}

// expireBindings ends the bindings whose time ran out before now.
func (r *Registration) expireBindings(now time.Time) {
	kept := r.Bindings[:0]
	for _, b := range r.Bindings {
		if !b.Until.IsZero() && now.After(b.Until) {
			r.event(RegEvent{Time: b.Until, Event: "expired", Contact: b.Contact, Origin: "register"})
			continue
		}
		kept = append(kept, b)
	}
	r.Bindings = kept
	r.setState()
}

func (r *Registration) setState() {
	if len(r.Bindings) > 0 {
		r.State = "registered"
	} else {
		r.State = "unregistered"
	}
}

// contactURI returns the URI and expires parameter (-1 when absent) of
// one Contact value; "*" stays "*".
func contactURI(v string) (string, int) {
	v = strings.TrimSpace(v)
	if v == "*" {
		return "*", -1
	}
	uri, params := v, ""
	if lt := indexUnquoted(v, '<'); lt >= 0 {
		if gt := strings.IndexByte(v[lt:], '>'); gt >= 0 {
			uri, params = v[lt+1:lt+gt], v[lt+gt+1:]
		}
	} else {
		uri, params, _ = strings.Cut(v, ";")
	}
	exp := -1
	for _, p := range strings.Split(params, ";") {
		k, val, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "expires") {
			if n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`)); err == nil && n >= 0 {
				exp = n
			}
		}
	}
	return strings.TrimSpace(uri), exp
}

// registered applies the final answer to a REGISTER (RFC 3261 10.3): a
// 2xx lists every current binding; a failure (other than a challenge)
// leaves the bindings as they were, which is what TS 33.203 6.1.1 asks
// after a failed re-authentication.
func (a *Analyzer) registered(rq *regRequest, m *capture.Message, msg *Msg) {
	r := a.registration(rq.aor, m.Frame())
	if r == nil {
		return
	}
	r.expireBindings(m.Time)
	if msg.Status == 401 || msg.Status == 407 {
		return
	}
	if msg.Status >= 300 {
		r.event(RegEvent{Time: m.Time, Frame: m.Frame(), Event: "rejected", Origin: "register", Status: msg.Status})
		return
	}
	if len(msg.PAssociatedURIs) > 0 {
		r.Implicit = r.Implicit[:0]
		for _, u := range msg.PAssociatedURIs {
			r.Implicit = append(r.Implicit, strings.Clone(u))
		}
	}
	// The 2xx's Contacts are the whole binding set; without them, the
	// request's Contacts say what changed.
	contacts, defExp := msg.Contacts, msg.Expires
	authoritative := len(contacts) > 0
	if !authoritative {
		contacts, defExp = rq.contacts, rq.expires
	}
	if defExp < 0 {
		defExp = rq.expires
	}
	if defExp < 0 {
		defExp = 3600 // RFC 3261 10.2.1.1
	}
	// What the UE asked for, per contact: a grant below it is
	// "shortened"; a contact the 2xx lists but the request did not name is
	// updated without an event of its own.
	requested := map[string]int{}
	for _, c := range rq.contacts {
		uri, exp := contactURI(c)
		if exp < 0 {
			exp = rq.expires
		}
		if exp < 0 {
			exp = 3600
		}
		requested[uri] = exp
	}
	seen := map[string]bool{}
	for _, c := range contacts {
		uri, exp := contactURI(c)
		if exp < 0 {
			exp = defExp
		}
		if uri == "*" {
			for _, b := range r.Bindings {
				r.event(RegEvent{Time: m.Time, Frame: m.Frame(), Event: "unregistered", Contact: b.Contact, Origin: "register", Status: msg.Status})
			}
			r.Bindings = r.Bindings[:0]
			continue
		}
		seen[uri] = true
		i, b := r.binding(uri)
		if b != nil {
			uri = b.Contact // the binding's copy: events share it
		} else {
			uri = strings.Clone(uri)
		}
		switch {
		case exp == 0 && b != nil:
			r.Bindings = append(r.Bindings[:i], r.Bindings[i+1:]...)
			r.event(RegEvent{Time: m.Time, Frame: m.Frame(), Event: "unregistered", Contact: uri, Origin: "register", Status: msg.Status})
		case exp == 0:
		case b == nil:
			r.Bindings = append(r.Bindings, &Binding{Contact: uri, Expires: exp, Since: m.Time, Until: m.Time.Add(time.Duration(exp) * time.Second), Source: rq.source, CallID: rq.callID})
			r.event(RegEvent{Time: m.Time, Frame: m.Frame(), Event: "registered", Contact: uri, Origin: "register", Status: msg.Status})
		default:
			b.Expires, b.Until = exp, m.Time.Add(time.Duration(exp)*time.Second)
			want, asked := requested[uri]
			if !asked {
				continue
			}
			b.Source, b.CallID = rq.source, rq.callID
			ev := "refreshed"
			if exp < want {
				ev = "shortened"
			}
			r.event(RegEvent{Time: m.Time, Frame: m.Frame(), Event: ev, Contact: uri, Origin: "register", Status: msg.Status})
		}
	}
	if authoritative {
		kept := r.Bindings[:0]
		for _, b := range r.Bindings {
			if seen[b.Contact] {
				kept = append(kept, b)
			} else {
				r.event(RegEvent{Time: m.Time, Frame: m.Frame(), Event: "unregistered", Contact: b.Contact, Origin: "register", Status: msg.Status})
			}
		}
		r.Bindings = kept
	}
	r.setState()
}

// reginfo is the part of an RFC 3680 document the analyzer reads.
type reginfo struct {
	Registrations []struct {
		AOR      string `xml:"aor,attr"`
		State    string `xml:"state,attr"`
		Contacts []struct {
			State   string `xml:"state,attr"`
			Event   string `xml:"event,attr"`
			Expires string `xml:"expires,attr"`
			URI     string `xml:"uri"`
		} `xml:"contact"`
	} `xml:"registration"`
}

// regEvent applies a reg-event NOTIFY (RFC 3680; TS 24.229 5.4.2.1.2):
// contacts the network reports terminated (expired, deactivated,
// probation, unregistered, rejected) lose their binding, active ones gain
// or refresh it.
func (a *Analyzer) regEvent(m *capture.Message, msg *Msg) {
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(msg.Event)), "reg") ||
		!strings.Contains(strings.ToLower(msg.ContentType), "reginfo+xml") {
		return
	}
	var doc reginfo
	dec := xml.NewDecoder(strings.NewReader(msg.Body))
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return
	}
	for i, reg := range doc.Registrations {
		if i >= maxReginfoItems {
			break
		}
		r := a.registration(reg.AOR, m.Frame())
		if r == nil {
			continue
		}
		for j, c := range reg.Contacts {
			if j >= maxReginfoItems {
				break
			}
			uri := strings.TrimSpace(c.URI)
			ev := strings.ToLower(strings.TrimSpace(c.Event))
			if ev == "" {
				ev = strings.ToLower(c.State)
			}
			idx, b := r.binding(uri)
			if strings.EqualFold(c.State, "terminated") {
				if b != nil {
					r.Bindings = append(r.Bindings[:idx], r.Bindings[idx+1:]...)
				}
			} else if exp, err := strconv.Atoi(c.Expires); err == nil && exp >= 0 {
				if b == nil {
					r.Bindings = append(r.Bindings, &Binding{Contact: uri, Since: m.Time})
					_, b = r.binding(uri)
				}
				b.Expires, b.Until = exp, m.Time.Add(time.Duration(exp)*time.Second)
			}
			r.event(RegEvent{Time: m.Time, Frame: m.Frame(), Event: ev, Contact: uri, Origin: "reg-event"})
		}
		switch {
		case strings.EqualFold(reg.State, "terminated"):
			r.Bindings = r.Bindings[:0]
			r.event(RegEvent{Time: m.Time, Frame: m.Frame(), Event: "terminated", Origin: "reg-event"})
		case strings.EqualFold(reg.State, "re-authenticate"):
			// Network-initiated re-authentication (TS 24.229 5.4.1.6,
			// seed 003): the UE is asked to register again.
			r.event(RegEvent{Time: m.Time, Frame: m.Frame(), Event: "re-authenticate", Origin: "reg-event"})
		}
		r.setState()
	}
}

// closeRegistrations ends the bindings expired by the end of the capture
// and hands out every registration in order of first appearance.
func (a *Analyzer) closeRegistrations() {
	for _, r := range a.regOrder {
		r.expireBindings(a.now)
		if a.rules != nil {
			a.rules.registration(r)
		}
		if a.cfg.OnRegistration != nil {
			a.cfg.OnRegistration(r)
		}
	}
	a.regOrder, a.regs = nil, map[string]*Registration{}
}

// AORKey normalises an AOR or IMPU for comparison: no angle brackets, no
// URI parameters, lower case. The result is a copy (AORKeyView is not).
func AORKey(uri string) string { return strings.Clone(aorKey(uri)) }

// AORKeyView is AORKey without the copy: the result may be a part of
// uri, to compare or hash, not to keep.
func AORKeyView(uri string) string { return aorKey(uri) }
