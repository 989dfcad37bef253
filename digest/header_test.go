package digest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Auth
	}{
		{"one digest", `Digest realm="a", nonce="n"`,
			[]Auth{{Scheme: "Digest", Params: []Param{{"realm", "a", true}, {"nonce", "n", true}}}}},
		{"case and tokens", `dIgEsT REALM="a",Nonce=xyz,ALGORITHM=sha-256 , qop="auth,auth-int"`,
			[]Auth{{Scheme: "dIgEsT", Params: []Param{{"REALM", "a", true}, {"Nonce", "xyz", false}, {"ALGORITHM", "sha-256", false}, {"qop", "auth,auth-int", true}}}}},
		{"two challenges in one value", `Digest realm="a", nonce="1", algorithm=SHA-256, Digest realm="a", nonce="1", algorithm=MD5`,
			[]Auth{
				{Scheme: "Digest", Params: []Param{{"realm", "a", true}, {"nonce", "1", true}, {"algorithm", "SHA-256", false}}},
				{Scheme: "Digest", Params: []Param{{"realm", "a", true}, {"nonce", "1", true}, {"algorithm", "MD5", false}}},
			}},
		{"digest then basic", `Digest realm="a", nonce="1", Basic realm="b"`,
			[]Auth{
				{Scheme: "Digest", Params: []Param{{"realm", "a", true}, {"nonce", "1", true}}},
				{Scheme: "Basic", Params: []Param{{"realm", "b", true}}},
			}},
		{"escapes", `Digest realm="a \"quoted\" \\ realm", nonce="x,y"`,
			[]Auth{{Scheme: "Digest", Params: []Param{{"realm", `a "quoted" \ realm`, true}, {"nonce", "x,y", true}}}}},
		{"basic token68", `Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==`,
			[]Auth{{Scheme: "Basic", Token68: "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}}},
		{"scheme only", `Negotiate`, []Auth{{Scheme: "Negotiate"}}},
		{"empty elements and folding", "  , Digest\r\n realm=\"a\" ,, nonce = \"b\"  ",
			[]Auth{{Scheme: "Digest", Params: []Param{{"realm", "a", true}, {"nonce", "b", true}}}}},
		{"unquoted uri kept", `Digest uri=sip:example.com, nc=00000001`,
			[]Auth{{Scheme: "Digest", Params: []Param{{"uri", "sip:example.com", false}, {"nc", "00000001", false}}}}},
		{"duplicates and unknown kept", `Digest realm="a", realm="b", foo=bar`,
			[]Auth{{Scheme: "Digest", Params: []Param{{"realm", "a", true}, {"realm", "b", true}, {"foo", "bar", false}}}}},
		{"empty quoted value", `Digest realm="", nonce=""`,
			[]Auth{{Scheme: "Digest", Params: []Param{{"realm", "", true}, {"nonce", "", true}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
			// Formatting and parsing again gives the same values.
			var parts []string
			for _, a := range got {
				parts = append(parts, a.String())
			}
			again, err := Parse(strings.Join(parts, ", "))
			if err != nil || !reflect.DeepEqual(unquoted(again), unquoted(got)) {
				t.Errorf("round trip of %q: %#v, %v", strings.Join(parts, ", "), again, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, param, msg string
	}{
		{``, "", "empty field value"},
		{`   ,  `, "", "empty field value"},
		{`Digest realm="abc`, "realm", "unterminated quoted-string"},
		{`Digest realm`, "", ""}, // a token68
		{`Digest realm, nonce="x"`, "realm", `expected "="`},
		{`Digest realm=`, "", ""}, // token68 "realm=": not an error
		{`Digest realm="a" nonce="b"`, "realm", "expected a comma"},
		{`Digest realm=a nonce=b`, "realm", "expected a comma"},
		{`Digest algorithm=MD5 qop=auth, nonce="x"`, "algorithm", "expected a comma"},
		{`realm="a"`, "realm", "parameter before any auth-scheme"},
		{`Digest realm="a", ="b"`, "", "expected a parameter name"},
		{`Digest nonce=abc"def"`, "nonce", "stray quote"},
		{`"Digest" realm=a`, "", "expected an auth-scheme"},
		{`Digest realm= , nonce="x"`, "realm", "missing value"},
		{strings.Repeat("a", MaxHeaderLen+1), "", "too long"},
		{"Digest " + strings.Repeat("a=b,", maxParams+1), "", "more than"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if tt.msg == "" {
			if err != nil {
				t.Errorf("Parse(%.40q): %v", tt.in, err)
			}
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%.40q) = %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if se.Param != tt.param || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("Parse(%.40q) = %q (param %q), want param %q and %q", tt.in, err, se.Param, tt.param, tt.msg)
		}
	}
}

func TestParseParams(t *testing.T) {
	a, err := ParseParams(`nextnonce="47364c23432d2e131a5fb210812c", qop=auth, rspauth="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", nc=00000001`)
	if err != nil {
		t.Fatal(err)
	}
	ai := ParseAuthInfo(a)
	want := AuthInfo{NextNonce: "47364c23432d2e131a5fb210812c", QOP: "auth", RspAuth: "6629fae49393a05397450978507c4ef1", CNonce: "0a4f113b", NC: "00000001", Raw: a}
	if !reflect.DeepEqual(ai, want) {
		t.Errorf("got %+v\nwant %+v", ai, want)
	}
	if again, _ := ParseParams(ai.Auth().String()); !reflect.DeepEqual(ParseAuthInfo(again).RspAuth, ai.RspAuth) {
		t.Errorf("round trip: %q", ai.Auth().String())
	}
	if _, err := ParseParams(`rspauth="x" qop=auth`); err == nil {
		t.Error("missing comma accepted")
	}
}

func TestChallengeView(t *testing.T) {
	a, err := Parse(`Digest realm="ims.example.com", nonce="n1", algorithm="sha-256", qop=auth, stale=TRUE, ` +
		`userhash=maybe, realm="other", foo="bar", ck="00112233", ik="44556677"`)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := ParseChallenge(a[0])
	if err != nil {
		t.Fatal(err)
	}
	if ch.Realm != "ims.example.com" || ch.Algorithm != SHA256 || !ch.Stale || !ch.AKAKeys || !ch.Offers("AUTH") {
		t.Errorf("view: %+v", ch)
	}
	want := map[string]ProblemKind{"algorithm": Quoting, "qop": Quoting, "userhash": BadValue, "realm": Duplicate, "foo": Unknown}
	got := map[string]ProblemKind{}
	for _, p := range ch.Problems {
		got[p.Param] = p.Kind
	}
	for param, kind := range want {
		if got[param] != kind {
			t.Errorf("problem for %s: %v, want %v (all: %v)", param, got[param], kind, ch.Problems)
		}
	}
	if _, err := ParseChallenge(Auth{Scheme: "Basic"}); !errors.Is(err, ErrNotDigest) {
		t.Errorf("Basic as Digest: %v", err)
	}
	// Missing realm and nonce, unknown algorithm.
	ch, _ = ParseChallenge(Auth{Scheme: "Digest", Params: []Param{{"algorithm", "SHA3", false}}})
	kinds := map[string]ProblemKind{}
	for _, p := range ch.Problems {
		kinds[p.Param] = p.Kind
	}
	if kinds["realm"] != Missing || kinds["nonce"] != Missing || kinds["algorithm"] != BadValue || ch.Algorithm != 0 {
		t.Errorf("problems %v", ch.Problems)
	}
	// The formatted challenge parses back to the same view.
	ch = mustChallenges(t, kats[1].challenge[0])[0]
	back := mustChallenges(t, ch.Auth().String())[0]
	if back.Realm != ch.Realm || back.Nonce != ch.Nonce || back.Algorithm != ch.Algorithm || !reflect.DeepEqual(back.QOP, ch.QOP) || len(back.Problems) != 0 {
		t.Errorf("round trip %q: %+v", ch.Auth().String(), back)
	}
}

func TestCredentialsValidate(t *testing.T) {
	base := `username="alice", realm="r", nonce="n", uri="sip:r", response="00112233445566778899aabbccddeeff", qop=auth, nc=00000001, cnonce="c"`
	tests := []struct {
		creds, param string
	}{
		{base, ""},
		{`realm="r", nonce="n", uri="sip:r", response="00112233445566778899aabbccddeeff"`, "username"},
		{`username="a", nonce="n", uri="sip:r", response="00112233445566778899aabbccddeeff"`, "realm"},
		{`username="a", realm="r", uri="sip:r", response="00112233445566778899aabbccddeeff"`, "nonce"},
		{`username="a", realm="r", nonce="n", response="00112233445566778899aabbccddeeff"`, "uri"},
		{`username="a", realm="r", nonce="n", uri="sip:r"`, "response"},
		{strings.Replace(base, "0011", "zz11", 1), "response"},
		{strings.Replace(base, `qop=auth`, `qop=auth, algorithm=SHA-256`, 1), "response"},
		{strings.Replace(base, `qop=auth`, `qop=auth, algorithm=SHA3-256`, 1), "algorithm"},
		{strings.Replace(base, `, cnonce="c"`, "", 1), "cnonce"},
		{strings.Replace(base, `nc=00000001, `, "", 1), "nc"},
		{strings.Replace(base, `nc=00000001`, "nc=1", 1), "nc"},
		{strings.Replace(base, `qop=auth`, "qop=auth-conf", 1), "qop"},
		{`username="a", realm="r", nonce="n", uri="sip:r", response="00112233445566778899aabbccddeeff"`, ""}, // RFC 2069 form
	}
	for _, tt := range tests {
		a, err := Parse("Digest " + tt.creds)
		if err != nil {
			t.Fatalf("%s: %v", tt.creds, err)
		}
		c, err := ParseCredentials(a[0])
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		var pe *ParamError
		switch {
		case tt.param == "" && err != nil:
			t.Errorf("%s: %v", tt.creds, err)
		case tt.param != "" && (!errors.As(err, &pe) || pe.Param != tt.param):
			t.Errorf("%s: %v, want an error about %s", tt.creds, err, tt.param)
		}
	}
}

func TestParseBasic(t *testing.T) {
	a, _ := Parse(`Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==`) // RFC 7617 2: Aladdin / open sesame
	u, p, err := ParseBasic(a[0])
	if err != nil || u != "Aladdin" || string(p) != "open sesame" {
		t.Errorf("ParseBasic = %q %q %v", u, p, err)
	}
	for _, bad := range []string{`Basic !!!`, `Basic bm9jb2xvbg==`, `Basic realm="x"`, `Digest realm="x"`} {
		a, err := Parse(bad)
		if err != nil {
			continue
		}
		if _, _, err := ParseBasic(a[0]); err == nil {
			t.Errorf("ParseBasic(%q) succeeded", bad)
		}
	}
}

// unquoted drops the Quoted flags: formatting quotes a value that is not
// a token even when it arrived bare.
func unquoted(as []Auth) []Auth {
	out := make([]Auth, len(as))
	for i, a := range as {
		out[i] = a
		out[i].Params = append([]Param(nil), a.Params...)
		for j := range out[i].Params {
			out[i].Params[j].Quoted = false
		}
	}
	return out
}

func TestRedaction(t *testing.T) {
	s := Secret{Password: []byte("hunter2"), HA1: map[Hash]string{HashMD5: "0123456789abcdef0123456789abcdef"}}
	ue := UE{Username: "alice", Secret: s}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", ue, ue, s, s)} {
		if strings.Contains(out, "hunter2") || strings.Contains(out, "0123456789abcdef") || strings.Contains(out, "104 117") {
			t.Errorf("secret printed: %s", out)
		}
	}
	if b, _ := json.Marshal(ue); strings.Contains(string(b), "aHVudGVyMg") || strings.Contains(string(b), "0123") {
		t.Errorf("secret in JSON: %s", b)
	}
	a, _ := Parse(`Digest realm="r", nonce="n", ck="00112233445566778899aabbccddeeff", IK="ffeeddccbbaa99887766554433221100"`)
	if out := a[0].Redacted().String(); strings.Contains(out, "0011") || strings.Contains(out, "ffee") || !strings.Contains(out, `nonce="n"`) {
		t.Errorf("Redacted: %s", out)
	}
	if !strings.Contains(a[0].String(), "0011") {
		t.Error("Redacted changed the original")
	}
}

func TestUsernameStarUndecodable(t *testing.T) {
	for _, v := range []string{`UTF-8''%E4`, `ISO-8859-1''J%E4son`, `garbage`} {
		a, _ := Parse(`Digest username*=` + v + `, realm="r", nonce="n", uri="sip:r", response="00112233445566778899aabbccddeeff"`)
		c, _ := ParseCredentials(a[0])
		var pe *ParamError
		if err := c.Validate(); !errors.As(err, &pe) || pe.Param != "username*" {
			t.Errorf("%s: %v", v, err)
		}
	}
}
