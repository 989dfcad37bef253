package store

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sipaudit/sipaudit/analyzer"
)

// The writer's JSON, appended by hand: encoding/json's reflection cost
// about 11 us an exchange, as much as inserting its row. The output is
// byte for byte what encoding/json (without HTML escaping) writes for the
// same values, which jsonenc_test.go checks against json.Marshal; a
// field added to one of these types must be added here (the test fails
// until it is).

// appendJSONString appends s as encoding/json quotes it with HTML
// escaping off.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight plain bytes at a time: none below 0x20, none '"' or
		// '\\', none beyond ASCII.
		for i+8 <= len(s) && plain8(load64s(s, i)) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// load64s loads 8 bytes of s at i, little endian (one load once
// compiled).
func load64s(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// plain8 reports whether none of the 8 bytes of x needs escaping or is
// beyond ASCII.
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (x&highs)|((x-0x20*ones) & ^x & highs)|zero(x^('"'*ones))|zero(x^('\\'*ones)) == 0
}

// field appends the separator (unless first) and the quoted key with its
// colon; keys are plain ASCII.
func field(b []byte, key string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func strField(b []byte, key, v string) []byte { return appendJSONString(field(b, key), v) }

func intField(b []byte, key string, v int) []byte {
	return strconv.AppendInt(field(b, key), int64(v), 10)
}

func boolField(b []byte, key string, v bool) []byte {
	return strconv.AppendBool(field(b, key), v)
}

// appendJSONTime appends t as time.Time.MarshalJSON does (RFC 3339 with
// nanoseconds, quoted); the years it refuses cannot come from a capture.
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONInts appends a []int: null when nil.
func appendJSONInts(b []byte, v []int) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, n := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return append(b, ']')
}

// appendJSONStrings appends a []string: null when nil.
func appendJSONStrings(b []byte, v []string) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendExchangeJSON appends the JSON of e (its public fields: Result and
// Credentials are json:"-").
func appendExchangeJSON(b []byte, e *analyzer.Exchange) []byte {
	b = append(b, '{')
	b = strField(b, "id", e.ID)
	b = strField(b, "input", e.Input)
	b = intField(b, "frame", e.Frame)
	b = appendJSONTime(field(b, "time"), e.Time)
	b = strField(b, "call_id", e.CallID)
	b = strField(b, "method", e.Method)
	b = strField(b, "transport", e.Transport)
	b = strField(b, "client", e.Client)
	b = strField(b, "server", e.Server)
	b = strField(b, "header", e.Header)
	b = strField(b, "scheme", e.Scheme)
	b = strField(b, "username", e.Username)
	b = strField(b, "realm", e.Realm)
	b = strField(b, "algorithm", e.Algorithm)
	b = strField(b, "qop", e.QOP)
	b = strField(b, "nonce", e.Nonce)
	b = strField(b, "nc", e.NC)
	b = strField(b, "cnonce", e.CNonce)
	b = strField(b, "uri", e.URI)
	b = strField(b, "reference", e.Reference)
	b = strField(b, "server_verdict", e.ServerVerdict)
	b = intField(b, "status", e.Status)
	b = strField(b, "cause", e.Cause)
	b = strField(b, "reason", e.Reason)
	b = appendJSONInts(field(b, "frames"), e.Frames)
	b = appendJSONInts(field(b, "response_frames"), e.ResponseFrames)
	b = appendJSONInts(field(b, "challenge_frames"), e.ChallengeFrames)
	b = intField(b, "retransmissions", e.Retransmissions)
	b = strField(b, "request_uri", e.RequestURI)
	b = strField(b, "from", e.From)
	b = strField(b, "to", e.To)
	b = strField(b, "user_agent", e.UserAgent)
	b = strField(b, "nonce_state", e.NonceState)
	b = boolField(b, "nc_replay", e.NCReplay)
	if e.AKA != "" {
		b = strField(b, "aka", e.AKA)
	}
	b = strField(b, "rspauth", e.RspAuth)
	b = appendJSONStrings(field(b, "problems"), e.Problems)
	if w := e.Work; w != nil {
		b = append(field(b, "work"), '{')
		b = strField(b, "algorithm", w.Algorithm)
		b = strField(b, "a1", w.A1)
		b = strField(b, "ha1", w.HA1)
		b = strField(b, "a2", w.A2)
		b = strField(b, "ha2", w.HA2)
		b = strField(b, "data", w.Data)
		b = strField(b, "expected", w.Expected)
		if w.Received != "" {
			b = strField(b, "received", w.Received)
		}
		b = append(b, '}')
	}
	if e.AckCredentials != "" {
		b = strField(b, "ack_credentials", e.AckCredentials)
	}
	if len(e.AckFrames) > 0 {
		b = appendJSONInts(field(b, "ack_frames"), e.AckFrames)
	}
	if len(e.CopyFrames) > 0 {
		b = appendJSONInts(field(b, "copy_frames"), e.CopyFrames)
	}
	return append(b, '}')
}

// appendBindingsJSON appends a registration's bindings ([] when none).
func appendBindingsJSON(b []byte, v []*analyzer.Binding) []byte {
	b = append(b, '[')
	for i, g := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if g == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '{')
		b = strField(b, "contact", g.Contact)
		b = intField(b, "expires", g.Expires)
		b = appendJSONTime(field(b, "since"), g.Since)
		b = appendJSONTime(field(b, "until"), g.Until)
		b = strField(b, "source", g.Source)
		b = strField(b, "call_id", g.CallID)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendEventsJSON appends a registration's events ([] when none).
func appendEventsJSON(b []byte, v []analyzer.RegEvent) []byte {
	b = append(b, '[')
	for i := range v {
		ev := &v[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = appendJSONTime(field(b, "time"), ev.Time)
		b = intField(b, "frame", ev.Frame)
		b = strField(b, "event", ev.Event)
		if ev.Contact != "" {
			b = strField(b, "contact", ev.Contact)
		}
		b = strField(b, "origin", ev.Origin)
		if ev.Status != 0 {
			b = intField(b, "status", ev.Status)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}
