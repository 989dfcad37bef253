package rules

import (
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA109 identity-mismatch-accepted: the server accepted credentials whose
// username (the IMPI) has no known link to the identity the request
// claims (the To URI of a REGISTER, the P-Asserted-Identity or From of
// other requests). The HSS must check that IMPI and IMPU belong to the
// same subscription (TS 33.203 6.1.1); without that check one valid
// account registers or calls as anybody. Known links: the IMPU's user
// part is the username, the IMPU is sip:IMPI, or the network listed the
// IMPU in a P-Associated-URI for that username. A request with several
// P-Asserted-Identity values (a sip and a tel URI) is linked when one of
// them is; an anonymous request (From sip:anonymous@anonymous.invalid,
// RFC 3323) without a P-Asserted-Identity claims no identity.
type sa109 struct {
	assoc *window[map[string]bool] // username -> IMPUs the network associated
	// pai holds the P-Asserted-Identity values of requests awaiting
	// their final response (input and exchange ID -> URIs); made on
	// first use.
	pai *window[[]string]
}

var sa109Info = finding.RuleInfo{
	ID: "SA109", Name: "identity-mismatch-accepted", Severity: finding.High,
	Clause:  "TS 33.203 6.1.1 (HSS checks IMPI and IMPU belong to the same user)",
	Summary: "The server accepted credentials whose username (IMPI) is not the one registered for, or asserted by, the request's To/From identity (IMPU), and no association between them is known.",
	Help:    "One valid account can act as another subscriber. Make the registrar/S-CSCF check that the authenticated username owns the identity in To (REGISTER) or From/P-Asserted-Identity.",
}

func (*sa109) Info() finding.RuleInfo { return sa109Info }

func (s *sa109) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	ex := ev.Exchange
	m := ev.Msg
	if m.Request && !ev.Retransmission && ex != nil && ex.Method != "REGISTER" && len(m.PAssertedIdentities) > 0 {
		if s.pai == nil {
			s.pai = newWindow[[]string](time.Hour)
		}
		ids := make([]string, 0, min(len(m.PAssertedIdentities), 8))
		for _, u := range m.PAssertedIdentities[:cap(ids)] {
			ids = append(ids, strings.Clone(u))
		}
		s.pai.put(ex.Input+"\x00"+ex.ID, ev.Time, ids)
		return
	}
	var asserted []string
	if !m.Request && ex != nil && s.pai != nil {
		asserted, _ = s.pai.get(ex.Input + "\x00" + ex.ID)
		s.pai.delete(ex.Input + "\x00" + ex.ID)
	}
	if m.Request || ev.Retransmission || ex == nil || m.Status < 200 || m.Status > 299 || ex.Scheme != "Digest" || ex.Username == "" {
		return
	}
	if ex.Result.Cause == "initial" || ex.AKA != "" {
		return
	}
	user := strings.ToLower(ex.Username)
	known, _ := s.assoc.get(user)
	if ex.Method == "REGISTER" {
		// The network's answer names the IMPUs it associates.
		for _, u := range m.PAssociatedURIs {
			if known == nil {
				known = map[string]bool{}
			}
			if len(known) < 64 {
				known[analyzer.AORKey(u)] = true
			}
		}
		if known != nil {
			s.assoc.put(user, ev.Time, known)
		}
	}
	ids, what := []string{ex.To}, "To"
	switch {
	case ex.Method == "REGISTER":
	case len(asserted) > 0:
		ids, what = asserted, "P-Asserted-Identity"
	case strings.HasSuffix(userAtHost(ex.From), "@anonymous.invalid"):
		return // anonymous: no identity claimed (RFC 3323)
	default:
		ids, what = []string{ex.From}, "From"
	}
	for _, id := range ids {
		if id == "" || linked(user, id) || known[analyzer.AORKey(id)] {
			return
		}
	}
	impu := ids[0]
	f := evFinding(ev, "user "+user+" identity "+analyzer.AORKey(impu),
		"The server accepted ("+status(ex)+") "+an(ex.Method, false)+" authenticated as "+who(ex)+" that claims the identity "+quote(impu)+" ("+what+
			"), and nothing links that username to that identity (not its user part, not sip:username, not in a P-Associated-URI). "+
			"Make the server check that the IMPI owns the IMPU.")
	f.Frames = sortedFrames(append(append(f.Frames, ex.Frames...), ex.ChallengeFrames...))
	f.Time = ex.Time
	r.Report(f)
}

// linked: the username is the IMPU's user part, or the IMPU is
// sip:username (IMS IMPI user@realm).
func linked(user, impu string) bool {
	if up := userPart(impu); up != "" && (up == user || strings.HasPrefix(user, up+"@")) {
		return true
	}
	return userAtHost(impu) == user
}
