package rules

import (
	"hash/maphash"
	"slices"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA506 asserted-identity-unbound: a request from a UE carries a
// P-Asserted-Identity that was not registered from the request's source
// address and port. The P-CSCF binds each registered IMPU to the address
// the UE registered from (TS 33.203 N.2.1.2) and must not let a UE assert
// another identity; a request whose asserted identity is not bound to its
// source is a spoofed caller ID that the network trusts. A request is
// judged when it comes from an address that registered something, or
// straight from a UA (one Via) to a server seen answering REGISTERs;
// requests between proxies, B2BUAs and trunks are not. A 2xx that lists
// no binding (a de-registration) unbinds the AOR again.
type sa506 struct {
	bound      *window[[]uint64] // source ip:port -> hashes of the IMPUs registered from it
	registrars *window[struct{}] // addresses that answered a REGISTER
}

var sa506Info = finding.RuleInfo{
	ID: "SA506", Name: "asserted-identity-unbound", Severity: finding.High,
	Clause:  "TS 33.203 N.2.1.2",
	Summary: "A request carries a P-Asserted-Identity that was not registered from the request's source address (and port).",
	Help:    "A UE asserts an identity it did not register: caller-ID spoofing that the network trusts. Make the P-CSCF remove P-Asserted-Identity from UE requests and assert only the identities registered from that address.",
}

func (*sa506) Info() finding.RuleInfo { return sa506Info }

func (s *sa506) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	m := ev.Msg
	if ev.Retransmission {
		return
	}
	if !m.Request {
		// A 2xx to REGISTER binds To and the P-Associated-URIs to the
		// address the REGISTER came from (the response's destination).
		if ev.RequestMethod != "REGISTER" || m.Status < 200 {
			return
		}
		s.registrars.put(ev.SrcText(), ev.Time, struct{}{})
		if m.Status > 299 || m.ToURI == "" {
			return
		}
		src := ev.DstText()
		set, _ := s.bound.get(src)
		ids := append([]string{m.ToURI}, m.PAssociatedURIs...)
		if len(m.Contacts) == 0 {
			// A 2xx listing no binding (RFC 3261 10.3): the AOR is
			// de-registered from there, and its identities unbound.
			for _, u := range ids {
				set = slices.DeleteFunc(set, func(h uint64) bool { return h == identityHash(u) })
			}
			s.bound.put(src, ev.Time, set)
			return
		}
		for _, u := range ids {
			if h := identityHash(u); len(set) < 64 && !slices.Contains(set, h) {
				set = append(set, h)
			}
		}
		s.bound.put(src, ev.Time, set)
		return
	}
	if m.Method == "REGISTER" || len(m.PAssertedIdentities) == 0 {
		return
	}
	set, registered := s.bound.get(ev.SrcText())
	if !registered {
		// Not an address that registered: judged only when it sends
		// straight from a UA (one Via) to a server seen answering
		// REGISTERs, where UEs are expected. Otherwise it is a proxy, a
		// B2BUA or a trunk: network elements that do assert identities.
		if _, registrar := s.registrars.get(ev.DstText()); !registrar || m.Vias > 1 {
			return
		}
	}
	for _, pai := range m.PAssertedIdentities {
		id := analyzer.AORKey(pai)
		if slices.Contains(set, identityHash(pai)) {
			continue
		}
		why := "nothing was registered from there"
		if registered {
			why = "that address registered other identities only"
		}
		r.Report(evFinding(ev, "identity "+id+" source "+ev.SrcText(),
			an(m.Method, true)+" from "+ev.SrcText()+" (frame "+itoa(ev.Frame())+") asserts "+quote(pai)+" in P-Asserted-Identity, but "+why+
				": a UE claims an identity it did not register. The P-CSCF must not trust P-Asserted-Identity from UEs."))
		return
	}
}

var identitySeed = maphash.MakeSeed()

// identityHash is a compact stand-in for an IMPU (normalised by AORKey):
// a table of every registering address holds eight bytes per identity.
func identityHash(uri string) uint64 { return maphash.String(identitySeed, analyzer.AORKeyView(uri)) }
