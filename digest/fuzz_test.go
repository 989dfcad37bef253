package digest

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParse feeds hostile field values to the grammar and the typed
// views. Nothing may panic; whatever parses must format to a value that
// parses back to the same parameters; work stays bounded (MaxHeaderLen).
// The committed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, k := range kats {
		f.Add(k.creds)
		for _, c := range k.challenge {
			f.Add(c)
		}
	}
	f.Add(`Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==`)
	f.Add(`Digest realm="a \"b\"", nonce=x, Digest realm="c", Basic realm="d"`)
	f.Add(`Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, userhash=false`)
	f.Add(`Digest uri=sip:a, nc=1, qop="auth,auth-int", auts="AAAA", ck="00", ik="11"`)
	f.Fuzz(func(t *testing.T, s string) {
		auths, err := Parse(s)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		var parts []string
		for _, a := range auths {
			if ch, err := ParseChallenge(a); err == nil {
				_ = ch.Auth().String()
			}
			if c, err := ParseCredentials(a); err == nil {
				if c.Validate() == nil {
					// Computing over anything that validates must work.
					in := c.Input(c.Username, "REGISTER", nil)
					if got, _ := in.Response(HA1(c.Algorithm.Hash(), c.Username, c.Realm, nil)); len(got) != 2*c.Algorithm.Hash().Size() {
						t.Fatalf("response %q for %s", got, c.Algorithm)
					}
				}
				_ = c.Auth().String()
			}
			_, _, _ = ParseBasic(a)
			parts = append(parts, a.String())
		}
		again, err := Parse(strings.Join(parts, ", "))
		if err != nil {
			t.Fatalf("formatted %q does not parse: %v", strings.Join(parts, ", "), err)
		}
		if !reflect.DeepEqual(unquoted(again), unquoted(auths)) {
			t.Fatalf("round trip of %q:\n got %#v\nwant %#v", s, again, auths)
		}
	})
}

// FuzzParseParams does the same for Authentication-Info values.
func FuzzParseParams(f *testing.F) {
	f.Add(`nextnonce="47364c23432d2e131a5fb210812c", qop=auth, rspauth="6629fae4", cnonce="0a4f113b", nc=00000001`)
	f.Add(`rspauth="x\"y", , qop="auth"`)
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseParams(s)
		if err != nil {
			return
		}
		ai := ParseAuthInfo(a)
		_ = ai.Auth().String()
		again, err := ParseParams(a.String())
		if err != nil || !reflect.DeepEqual(unquoted([]Auth{again}), unquoted([]Auth{a})) {
			t.Fatalf("round trip of %q: %q %v", s, a.String(), err)
		}
	})
}
