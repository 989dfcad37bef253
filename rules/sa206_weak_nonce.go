package rules

import (
	"math"
	"strconv"
	"strings"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
)

// SA206 weak-nonce: a nonce carries fewer than 128 bits of apparent
// entropy, or successive nonces of one server differ only in a short
// part (a counter, a plain timestamp). A guessable nonce lets an attacker
// precompute responses, or reuse a captured one (RFC 7616 3.3, 5.4).
// "Apparent" entropy is what the nonce's length and alphabet can hold: 4
// bits per hex digit, 6 per base64 character, 3.3 per decimal digit. It
// is an upper bound, so a nonce below it is certainly too short.
// Occurrences fold per server and realm.
type sa206 struct {
	minBits float64
	last    *window[lastNonce] // server -> its previous nonce
}

type lastNonce struct {
	nonce string
	short int // successive nonces that differed in a short part only
	frame int
}

var sa206Info = finding.RuleInfo{
	ID: "SA206", Name: "weak-nonce", Severity: finding.Medium,
	Clause:  "RFC 7616 3.3, 5.4",
	Summary: "A nonce carries fewer than 128 bits of apparent entropy, or successive nonces are predictable (counter, plain timestamp).",
	Help:    "Predictable nonces allow precomputed or replayed responses. Build nonces from at least 128 random bits, or a keyed hash (HMAC) over a timestamp and a secret.",
}

func (*sa206) Info() finding.RuleInfo { return sa206Info }

// predictableAfter is how many successive short differences make a
// server's nonces predictable.
const predictableAfter = 3

func (s *sa206) Message(ev *analyzer.MessageEvent, r analyzer.Reporter) {
	if ev.Msg.Request || ev.Retransmission {
		return
	}
	for c := range digestChallenges(ev) {
		n := c.Challenge.Nonce
		if n == "" {
			continue
		}
		if bits := nonceBits(n); bits < s.minBits {
			r.Report(evFinding(ev, "server "+ev.SrcText()+" realm "+c.Challenge.Realm+" short",
				"The nonce "+quote(n)+" of frame "+itoa(ev.Frame())+" from "+ev.SrcText()+" holds at most "+strconv.Itoa(int(bits))+
					" bits (fewer than "+strconv.Itoa(int(s.minBits))+"): it can be guessed. Build nonces from at least 128 random bits."))
			continue
		}
		h := s.last.hash2(ev.SrcText(), c.Challenge.Realm)
		prev, ok := s.last.getH(h)
		cur := lastNonce{nonce: strings.Clone(n), frame: ev.Frame()}
		if ok && prev.nonce != n {
			if varying := varyingBits(prev.nonce, n); varying < s.minBits/2 {
				cur.short = prev.short + 1
			}
			if cur.short >= predictableAfter {
				f := evFinding(ev, "server "+ev.SrcText()+" realm "+c.Challenge.Realm+" predictable",
					"Successive nonces from "+ev.SrcText()+" differ only in a short part (last "+quote(prev.nonce)+" in frame "+itoa(prev.frame)+", then "+quote(n)+
						" in frame "+itoa(ev.Frame())+"): they follow a counter or a clock and can be predicted. Use random or HMAC-protected nonces.")
				f.Frames = sortedFrames(append(f.Frames, prev.frame))
				r.Report(f)
			}
		}
		s.last.putH(h, ev.Time, cur)
	}
}

// nonceBits is the apparent entropy of a nonce: its length times the
// bits per character of the smallest usual alphabet it fits.
func nonceBits(n string) float64 {
	digits, hex, b64 := true, true, true
	count := 0
	for i := 0; i < len(n); i++ {
		c := n[i]
		isDigit := c >= '0' && c <= '9'
		isHex := isDigit || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		isB64 := isDigit || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '/' || c == '-' || c == '_'
		switch {
		case c == '=' || c == '-' && hex:
			continue // padding, UUID dashes
		}
		count++
		digits = digits && isDigit
		hex = hex && isHex
		b64 = b64 && isB64
	}
	per := 8.0
	switch {
	case digits:
		per = math.Log2(10)
	case hex:
		per = 4
	case b64:
		per = 6
	}
	return per * float64(count)
}

// varyingBits is the apparent entropy of the part in which two nonces
// differ (without their common prefix and suffix).
func varyingBits(a, b string) float64 {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return max(nonceBits(a[p:len(a)-s]), nonceBits(b[p:len(b)-s]))
}
