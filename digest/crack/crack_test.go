package crack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// knownAnswers are published Digest computations.
var knownAnswers = []struct {
	name     string
	source   string
	target   Target
	password string
}{
	{
		name:   "RFC2617-3.5",
		source: "RFC 2617 section 3.5 (Mufasa, \"Circle Of Life\", qop auth)",
		target: Target{
			Username: "Mufasa", Realm: "testrealm@host.com",
			Method: "GET", URI: "/dir/index.html",
			Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", CNonce: "0a4f113b", NC: "00000001", QOP: "auth",
			Response: "6629fae49393a05397450978507c4ef1",
		},
		password: "Circle Of Life",
	},
	{
		name:   "RFC7616-3.9.1-MD5",
		source: "RFC 7616 section 3.9.1, MD5 response (password \"Circle of Life\", erratum 4495)",
		target: Target{
			Algorithm: "MD5", Username: "Mufasa", Realm: "http-auth@example.org",
			Method: "GET", URI: "/dir/index.html",
			Nonce:  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
			CNonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", NC: "00000001", QOP: "auth",
			Response: "8ca523f5e9506fed4657c9700eebdbec",
		},
		password: "Circle of Life",
	},
	{
		name:   "RFC7616-3.9.1-SHA-256",
		source: "RFC 7616 section 3.9.1, SHA-256 response",
		target: Target{
			Algorithm: "SHA-256", Username: "Mufasa", Realm: "http-auth@example.org",
			Method: "GET", URI: "/dir/index.html",
			Nonce:  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
			CNonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", NC: "00000001", QOP: "auth",
			Response: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
		},
		password: "Circle of Life",
	},
	// draft-smith-sipping-auth-examples-01 (Digest Authentication Examples
	// for SIP), sections 3.3-3.6, as carried by FreeRADIUS's
	// src/tests/digest-01/*.auto test files: user bob, realm biloxi.com,
	// password zanzibar, INVITE sip:bob@biloxi.com, nc 00000001, cnonce
	// 0a4f113b, body digest c1ed018b8ec4a3b170c0921f5b564e48.
	{
		name:     "sipping-3.3-MD5-auth",
		source:   "draft-smith-sipping-auth-examples-01 section 3.3",
		target:   bob("MD5", "auth", "", "89eb0059246c02b2f6ee02c7961d5ea3"),
		password: "zanzibar",
	},
	{
		name:     "sipping-3.4-MD5-sess-auth",
		source:   "draft-smith-sipping-auth-examples-01 section 3.4",
		target:   bob("MD5-sess", "auth", "", "e4e4ea61d186d07a92c9e1f6919902e9"),
		password: "zanzibar",
	},
	{
		name:     "sipping-3.5.2-MD5-auth-int",
		source:   "draft-smith-sipping-auth-examples-01 section 3.5.2",
		target:   bob("MD5", "auth-int", "c1ed018b8ec4a3b170c0921f5b564e48", "bdbeebb2da6adb6bca02599c2239e192"),
		password: "zanzibar",
	},
	{
		name:     "sipping-3.6-MD5-sess-auth-int",
		source:   "draft-smith-sipping-auth-examples-01 section 3.6",
		target:   bob("MD5-Sess", "auth-int", "c1ed018b8ec4a3b170c0921f5b564e48", "91984da2d8663716e91554859c22ca70"),
		password: "zanzibar",
	},
}

func bob(alg, qop, body, response string) Target {
	return Target{
		Algorithm: alg, Username: "bob", Realm: "biloxi.com",
		Method: "INVITE", URI: "sip:bob@biloxi.com",
		Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", CNonce: "0a4f113b", NC: "00000001",
		QOP: qop, BodyHash: body, Response: response,
	}
}

// decoys builds a word list of n distinct wrong words with pw at line at
// (0-based); at < 0 leaves pw out. eol separates lines; the last line has
// no terminator when noFinal.
func decoys(n, at int, pw, eol string, noFinal bool) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i == at {
			b.WriteString(pw)
		} else {
			fmt.Fprintf(&b, "decoy%03d", i)
		}
		if i < n-1 || !noFinal {
			b.WriteString(eol)
		}
	}
	return b.String()
}

func TestKnownAnswers(t *testing.T) {
	for _, ka := range knownAnswers {
		t.Run(ka.name, func(t *testing.T) {
			if got := refResponse(ka.target, ka.password); got != ka.target.Response {
				t.Fatalf("reference computation = %s, %s says %s", got, ka.source, ka.target.Response)
			}
			if err := ka.target.Validate(); err != nil {
				t.Fatal(err)
			}
			if !Check(ka.target, []byte(ka.password)) {
				t.Errorf("Check(%q) = false", ka.password)
			}
			if Check(ka.target, []byte(ka.password+" ")) {
				t.Errorf("Check(%q) = true", ka.password+" ")
			}
			upper := ka.target
			upper.Response = strings.ToUpper(upper.Response)
			if !Check(upper, []byte(ka.password)) {
				t.Errorf("Check with an upper-case response = false")
			}
			res, st, err := Run(context.Background(), []Target{ka.target}, strings.NewReader(decoys(50, 31, ka.password, "\n", false)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !res[0].Found || res[0].Password != ka.password || res[0].Index != 0 {
				t.Errorf("Run = %+v, want %q", res[0], ka.password)
			}
			if st.Candidates < 32 || st.Candidates > 50 {
				t.Errorf("Candidates = %d, want 32..50", st.Candidates)
			}
		})
	}
}

// johnVectors are published "$sip$*" lines with their passwords.
var johnVectors = []struct {
	line, password string
}{
	// openwall/john, src/sip_fmt_plug.c, sip_tests[] (bleeding-jumbo).
	{"$sip$*192.168.1.111*192.168.1.104*200*asterisk*REGISTER*sip*192.168.1.104**46cce857****MD5*4dfc7515936a667565228dbaa0293dfc", "123456"},
	{"$sip$*10.0.1.20*10.0.1.10*1001*asterisk*REGISTER*sips*10.0.1.20*5061*0ef95b07****MD5*576e39e9de6a9ed053eb218f65fe470e", "q1XCLF0KaBObo797"},
	{"$sip$*192.168.1.110*192.168.1.110*user151*Apple*REGISTER*sip*192.168.1.110*5060*b57aa7088ae5cac88d298d66f2c809cd****MD5*77795e92300dcc3c2fd974b2b47e5f0c", "pass151"},
	{"$sip$*192.168.163.238*192.168.163.239*50894*asterisk*REGISTER*sip*192.168.163.239**303535c9****MD5*e32c95d6ad0fecbc3967b7534d7b5b3b", "123456"},
	{"$sip$*192.168.196.105*192.168.196.192*81670*asterisk*REGISTER*sip*192.168.196.192**747f072a****MD5*d15c84b1bdc2155db12b721d7fb9445b", "password"},
	{"$sip$*192.168.119.6*192.168.119.154*65790*asterisk*REGISTER*sip*192.168.119.154**8d4e1a4b****MD5*dcc0d8a4c105dbf3ecf5b281f4c57356", "happy123"},
	{"$sip$*192.168.113.63*192.168.113.78*59810*asterisk*REGISTER*sip*192.168.113.78**b778256e****MD5*cb13933a5986df471265231d08206509", "aobdataeteag"},
	{"$sip$*192.168.44.162*192.168.44.11*12315*asterisk*REGISTER*sip*192.168.44.11**825f321ad9886ef434788ebfb8dbf150*b78b5a31*00000001*auth*MD5*23802bb930873797f0c7a1f0e595a94e", "abc"},
	// hashcat wiki, example_hashes page, mode 11400 "SIP digest
	// authentication (MD5)"; the page says "Unless otherwise noted, the
	// password for all example hashes is hashcat".
	{"$sip$*192.168.100.100*192.168.100.121*username*asterisk*REGISTER*sip*192.168.100.121**2b01df0b****MD5*ad0520061ca07c120d7e8ce696a6df2d", "hashcat"},
	// hashcat/hashcat, src/modules/module_11400.c, ST_HASH with ST_PASS.
	{"$sip$*72087*1215344588738747***342210558720*737232616*1215344588738747*8867133055*65600****MD5*e9980869221f9d1182c83b0d5e56a7db", "hashcat"},
}

func TestJohnVectors(t *testing.T) {
	var targets []Target
	var list strings.Builder
	for i, v := range johnVectors {
		tg, err := ParseJohn(v.line)
		if err != nil {
			t.Fatalf("ParseJohn(%q): %v", v.line, err)
		}
		if got := refResponse(tg, v.password); got != tg.Response {
			t.Errorf("vector %d: reference response %s, line says %s", i, got, tg.Response)
		}
		if line, ok := tg.John(); !ok || line != v.line {
			t.Errorf("vector %d: John() = %q, %v; want the input back", i, line, ok)
		}
		res, _, err := Run(context.Background(), []Target{tg}, strings.NewReader(decoys(40, 7+i, v.password, "\n", true)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res[0].Found || res[0].Password != v.password {
			t.Errorf("vector %d: Run = %+v, want %q", i, res[0], v.password)
		}
		targets = append(targets, tg)
		list.WriteString(v.password + "\n")
	}
	// All of them in one pass, the passwords among decoys. Duplicated
	// passwords ("hashcat", "123456") are listed twice: harmless.
	words := decoys(100, -1, "", "\n", false) + list.String() + decoys(100, -1, "", "\r\n", true)
	res, st, err := Run(context.Background(), targets, strings.NewReader(words), Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !r.Found || r.Password != johnVectors[i].password || r.Index != i {
			t.Errorf("target %d: %+v, want %q", i, r, johnVectors[i].password)
		}
	}
	if st.Candidates == 0 || st.Skipped != 0 || st.Bytes == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestParseJohnURI(t *testing.T) {
	for _, c := range []struct{ prefix, resource, suffix, uri string }{
		{"sip", "10.0.0.1", "", "sip:10.0.0.1"},
		{"sips", "10.0.1.20", "5061", "sips:10.0.1.20:5061"},
		{"", "/dir/index.html", "", "/dir/index.html"}, // hashcat's reading
		{"sip", "", "", "sip:"},
	} {
		line := fmt.Sprintf("$sip$*s*c*u*r*REGISTER*%s*%s*%s*n****MD5*%s", c.prefix, c.resource, c.suffix, strings.Repeat("0", 32))
		tg, err := ParseJohn(line)
		if err != nil {
			t.Fatalf("ParseJohn(%q): %v", line, err)
		}
		if tg.URI != c.uri {
			t.Errorf("ParseJohn(%q).URI = %q, want %q", line, tg.URI, c.uri)
		}
	}
}

func TestParseJohnErrors(t *testing.T) {
	ok := "$sip$*s*c*u*r*REGISTER*sip*h**n****MD5*" + strings.Repeat("a", 32)
	if _, err := ParseJohn(ok + "\r\n"); err != nil {
		t.Fatalf("ParseJohn(valid line + CRLF): %v", err)
	}
	for _, c := range []struct {
		line string
		want error
	}{
		{"", ErrJohnSyntax},
		{"$sip$", ErrJohnSyntax},
		{"sip$*" + ok[6:], ErrJohnSyntax},
		{ok + "*", ErrJohnSyntax},
		{strings.Replace(ok, "*MD5*", "*", 1), ErrJohnSyntax},
		{strings.Replace(ok, "*MD5*", "*SHA-256*", 1), ErrUnknownAlgorithm},
		{strings.Replace(ok, "*MD5*", "*MD5-sess*", 1), ErrUnknownAlgorithm},
		{ok[:len(ok)-1], ErrBadResponse},
		{ok[:len(ok)-1] + "g", ErrBadResponse},
		{strings.Replace(ok, "*n****", "*n***auth*", 1), ErrMissingField},
		{strings.Replace(ok, "*n****", "*n*cn*1*auth-int*", 1), ErrMissingField},
		{strings.Replace(ok, "*n****", "*n*cn*1*bogus*", 1), ErrUnknownQOP},
	} {
		_, err := ParseJohn(c.line)
		if !errors.Is(err, c.want) {
			t.Errorf("ParseJohn(%q) = %v, want %v", c.line, err, c.want)
		}
	}
}

func TestJohnUnsupported(t *testing.T) {
	base := knownAnswers[0].target
	base.URI = "sip:example.com"
	base.Response = refResponse(base, "pw")
	if _, ok := base.John(); !ok {
		t.Fatalf("John() refused %+v", base)
	}
	for name, mod := range map[string]func(*Target){
		"sha256":       func(t *Target) { t.Algorithm = "SHA-256"; t.Response = strings.Repeat("a", 64) },
		"md5-sess":     func(t *Target) { t.Algorithm = "MD5-sess" },
		"auth-int":     func(t *Target) { t.QOP = "auth-int"; t.BodyHash = strings.Repeat("b", 32) },
		"upper qop":    func(t *Target) { t.QOP = "AUTH" },
		"uri no colon": func(t *Target) { t.URI = "/dir/index.html" },
		"empty prefix": func(t *Target) { t.URI = ":x" },
		"empty suffix": func(t *Target) { t.URI = "sip:x:" },
		"empty res":    func(t *Target) { t.URI = "sip:" },
		"star":         func(t *Target) { t.Username = "a*b" },
		"newline":      func(t *Target) { t.Realm = "a\nb" },
		"long user":    func(t *Target) { t.Username = strings.Repeat("u", 117) },
		"long method":  func(t *Target) { t.Method = strings.Repeat("M", 16) },
		"empty nonce":  func(t *Target) { t.Nonce = "" },
		"invalid":      func(t *Target) { t.Response = "xyz" },
		"long uri":     func(t *Target) { t.URI = "sip:" + strings.Repeat("h", 252) },
		"long nonce":   func(t *Target) { t.Nonce = strings.Repeat("n", 128) },
		"long qop":     func(t *Target) { t.QOP = "auth" + strings.Repeat("x", 8) },
		"long nc":      func(t *Target) { t.NC = strings.Repeat("1", 128) },
		"long server":  func(t *Target) { t.Server = strings.Repeat("s", 256) },
		"static buffer": func(t *Target) {
			t.Nonce = strings.Repeat("n", 127)
			t.CNonce = strings.Repeat("c", 127)
			t.NC = strings.Repeat("1", 30)
		},
	} {
		tg := base
		mod(&tg)
		if line, ok := tg.John(); ok {
			t.Errorf("%s: John() = %q, true; want false", name, line)
		}
	}
}

// matrix covers every algorithm, qop and -sess combination.
func matrix() []Target {
	var out []Target
	for _, alg := range []string{"MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "sha-512-256-SESS", ""} {
		for _, qop := range []string{"auth", "auth-int", ""} {
			tg := Target{
				Algorithm: alg, Username: "alice", Realm: "sip.example.org",
				Method: "REGISTER", URI: "sip:sip.example.org;transport=tcp",
				Nonce: "5f1c9a3e0b7d" + alg, CNonce: "c0ffee" + qop, NC: "0000000a", QOP: qop,
			}
			if qop == "auth-int" {
				tg.BodyHash = strings.ToUpper(refHash(alg, "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"))
			}
			out = append(out, tg)
		}
	}
	return out
}

func TestMatrix(t *testing.T) {
	for i, tg := range matrix() {
		pw := fmt.Sprintf("pw-%d:%s", i, tg.Algorithm)
		tg.Response = refResponse(tg, pw)
		t.Run(fmt.Sprintf("%s/%s", tg.Algorithm, tg.QOP), func(t *testing.T) {
			if err := tg.Validate(); err != nil {
				t.Fatal(err)
			}
			if !Check(tg, []byte(pw)) || Check(tg, []byte(pw[:len(pw)-1])) {
				t.Fatal("Check disagrees with the reference computation")
			}
			bad := tg
			c := bad.Response[7]
			bad.Response = bad.Response[:7] + string("01"[boolInt(c == '0')]) + bad.Response[8:]
			lists := map[string]string{
				"first":         decoys(30, 0, pw, "\n", false),
				"middle":        decoys(30, 14, pw, "\n", false),
				"last-no-eol":   decoys(30, 29, pw, "\n", true),
				"last-eol":      decoys(30, 29, pw, "\n", false),
				"crlf":          decoys(30, 17, pw, "\r\n", false),
				"crlf-last":     decoys(30, 29, pw, "\r\n", true),
				"empty-lines":   "\n\n" + decoys(30, 5, pw, "\n\n", false),
				"only-password": pw,
			}
			for name, words := range lists {
				for _, opt := range []Options{{}, {Workers: 1}, {Workers: 3, chunkSize: 40, maxWord: 32}} {
					res, _, err := Run(context.Background(), []Target{tg, bad}, strings.NewReader(words), opt)
					if err != nil {
						t.Fatal(err)
					}
					if !res[0].Found || res[0].Password != pw {
						t.Errorf("%s %+v: %+v, want %q", name, opt, res[0], pw)
					}
					if res[1].Found {
						t.Errorf("%s %+v: target with a changed response digit cracked: %+v", name, opt, res[1])
					}
				}
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestMultiTarget(t *testing.T) {
	ts := matrix()
	var pws []string
	for i := range ts {
		ts[i].Username = fmt.Sprintf("user%d", i%4) // several targets per group
		pw := fmt.Sprintf("secret%02d", i)
		ts[i].Response = refResponse(ts[i], pw)
		pws = append(pws, pw)
	}
	// Same user, realm and password, other nonce: shares H(A1).
	twin := ts[0]
	twin.Nonce += "-2"
	twin.Response = refResponse(twin, pws[0])
	ts = append(ts, twin)
	pws = append(pws, pws[0])

	var b strings.Builder
	for i := 0; i < 2000; i++ {
		if i%97 == 3 && len(pws) > i/97 {
			b.WriteString(pws[len(pws)-1-i/97] + "\n")
		}
		fmt.Fprintf(&b, "noise%d\n", i)
	}
	res, st, err := Run(context.Background(), ts, strings.NewReader(b.String()), Options{Workers: 2, chunkSize: 300, maxWord: 64})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !r.Found || r.Password != pws[i] {
			t.Errorf("target %d (%s/%s): %+v, want %q", i, ts[i].Algorithm, ts[i].QOP, r, pws[i])
		}
	}
	if st.Candidates == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestStopsWhenAllFound(t *testing.T) {
	tg := knownAnswers[0].target
	words := decoys(200000, 10, knownAnswers[0].password, "\n", false)
	res, st, err := Run(context.Background(), []Target{tg}, strings.NewReader(words), Options{Workers: 2, chunkSize: 4096})
	if err != nil || !res[0].Found {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	// At most the chunks in flight when the password was found are tried.
	if st.Candidates > 20000 || st.Bytes > int64(len(words))/2 {
		t.Errorf("kept going after the only target was cracked: %+v", st)
	}
}

// cancelReader is an endless word list that cancels its context once it
// has delivered after bytes.
type cancelReader struct {
	after  int
	n      int
	cancel context.CancelFunc
}

func (r *cancelReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "abcdefgh\n"[(r.n+i)%9]
	}
	r.n += len(p)
	if r.n >= r.after {
		r.cancel()
	}
	return len(p), nil
}

func TestCancel(t *testing.T) {
	tg := knownAnswers[0].target
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, _, err := Run(ctx, []Target{tg}, strings.NewReader("x\n"), Options{})
	if !errors.Is(err, context.Canceled) || len(res) != 1 || res[0].Found {
		t.Fatalf("Run(cancelled) = %+v, %v", res, err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	r := &cancelReader{after: 1 << 20, cancel: cancel}
	res, st, err := Run(ctx, []Target{tg}, r, Options{Workers: 2, chunkSize: 1 << 16})
	if err != context.Canceled {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if len(res) != 1 || res[0].Found || st.Candidates == 0 {
		t.Errorf("Run = %+v, %+v", res, st)
	}
}

func TestWordSplitting(t *testing.T) {
	// Reference split: '\n' separated, one trailing '\r' removed, no
	// empty word after a final '\n', longer than max skipped.
	split := func(s string, max int) (words []string, skipped int) {
		if s == "" {
			return nil, 0
		}
		s = strings.TrimSuffix(s, "\n")
		for _, l := range strings.Split(s, "\n") {
			l = strings.TrimSuffix(l, "\r")
			if len(l) > max {
				skipped++
				continue
			}
			words = append(words, l)
		}
		return words, skipped
	}
	const max = 8
	// A deterministic pseudo-random mix of short, exact-length, CR-ended,
	// empty and overlong lines.
	seed := uint32(12345)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	for round := 0; round < 200; round++ {
		var b strings.Builder
		lines := 1 + next(40)
		for i := 0; i < lines; i++ {
			n := next(30)
			if next(3) == 0 {
				n = next(max + 2)
			}
			for j := 0; j < n; j++ {
				b.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789"[next(36)])
			}
			if next(5) == 0 {
				b.WriteByte('\r')
			}
			if i < lines-1 || next(2) == 0 {
				b.WriteByte('\n')
			}
		}
		list := b.String()
		words, skipped := split(list, max)
		// Crack a word from the list, if any; never crack the second
		// target, so that every line is read and accounted for.
		pw := "\x00never"
		if len(words) > 0 {
			pw = words[next(len(words))]
		}
		tg := knownAnswers[0].target
		tg.Response = refResponse(tg, pw)
		never := knownAnswers[0].target
		never.Response = refResponse(never, "\x00never")
		for _, chunk := range []int{10, 11, 17, 64, 0} {
			for _, rd := range []io.Reader{strings.NewReader(list), iotest.OneByteReader(strings.NewReader(list)), iotest.HalfReader(strings.NewReader(list))} {
				res, st, err := Run(context.Background(), []Target{tg, never}, rd, Options{Workers: 2, chunkSize: chunk, maxWord: max})
				if err != nil {
					t.Fatal(err)
				}
				if len(words) > 0 && (!res[0].Found || res[0].Password != pw) || res[1].Found {
					t.Fatalf("list %q chunk %d: %+v, want %q", list, chunk, res, pw)
				}
				if st.Candidates != int64(len(words)) || st.Skipped != int64(skipped) || st.Bytes != int64(len(list)) {
					t.Fatalf("list %q chunk %d: %+v, want %d candidates, %d skipped, %d bytes", list, chunk, st, len(words), skipped, len(list))
				}
			}
		}
	}
}

func TestWordListEdges(t *testing.T) {
	tg := knownAnswers[0].target
	emptyPW := tg
	emptyPW.Response = refResponse(tg, "")
	for _, c := range []struct {
		name           string
		list           string
		target         Target
		found          bool
		cands, skipped int64
	}{
		{"empty list", "", tg, false, 0, 0},
		{"one newline is the empty password", "\n", emptyPW, true, 1, 0},
		{"CRLF alone is the empty password", "\r\n", emptyPW, true, 1, 0},
		{"no empty word after the last newline", "a\n", emptyPW, false, 1, 0},
		{"overlong skipped", strings.Repeat("x", MaxWordLen+1) + "\n" + strings.Repeat("y", 3*defaultChunkSize) + "\nz", tg, false, 1, 2},
		{"longest kept", strings.Repeat("x", MaxWordLen) + "\r\n", tg, false, 1, 0},
		{"overlong last line", "a\n" + strings.Repeat("y", 2*defaultChunkSize+5), tg, false, 1, 1},
	} {
		res, st, err := Run(context.Background(), []Target{c.target}, strings.NewReader(c.list), Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res[0].Found != c.found || st.Candidates != c.cands || st.Skipped != c.skipped || st.Bytes != int64(len(c.list)) {
			t.Errorf("%s: %+v %+v, want found %v, %d candidates, %d skipped", c.name, res[0], st, c.found, c.cands, c.skipped)
		}
	}
}

func TestRunErrors(t *testing.T) {
	tg := knownAnswers[0].target
	res, st, err := Run(context.Background(), nil, nil, Options{})
	if err != nil || len(res) != 0 || st != (Stats{}) {
		t.Errorf("Run(no targets) = %v, %+v, %v", res, st, err)
	}
	if _, _, err := Run(context.Background(), []Target{tg}, nil, Options{}); err == nil {
		t.Error("Run(nil reader) succeeded")
	}
	// A nil context must not panic.
	if _, _, err := Run(nil, []Target{tg}, strings.NewReader("x"), Options{}); err != nil {
		t.Errorf("Run(nil ctx) = %v", err)
	}
	boom := errors.New("boom")
	_, _, err = Run(context.Background(), []Target{tg}, iotest.ErrReader(boom), Options{})
	if !errors.Is(err, boom) {
		t.Errorf("Run(failing reader) = %v, want %v", err, boom)
	}
	bad := tg
	bad.Response = "00"
	_, _, err = Run(context.Background(), []Target{tg, bad}, strings.NewReader("x"), Options{})
	var fe *FieldError
	if !errors.Is(err, ErrBadResponse) || !errors.As(err, &fe) || fe.Field != "Response" || !strings.Contains(err.Error(), "target 1") {
		t.Errorf("Run(bad target) = %v", err)
	}
	_, _, err = Run(context.Background(), []Target{tg}, badCountReader{}, Options{})
	if err == nil {
		t.Error("Run(reader returning an impossible count) succeeded")
	}
	_, _, err = Run(context.Background(), []Target{tg}, zeroReader{}, Options{})
	if !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("Run(reader making no progress) = %v", err)
	}
}

func TestManyWorkers(t *testing.T) {
	ka := knownAnswers[0]
	res, _, err := Run(context.Background(), []Target{ka.target}, strings.NewReader(decoys(100, 50, ka.password, "\n", false)), Options{Workers: 1 << 30})
	if err != nil || !res[0].Found {
		t.Fatalf("Run(Workers: 1<<30) = %+v, %v", res, err)
	}
}

type badCountReader struct{}

func (badCountReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestValidate(t *testing.T) {
	good := knownAnswers[0].target
	for _, c := range []struct {
		name  string
		mod   func(*Target)
		field string
		want  error
	}{
		{"ok", func(*Target) {}, "", nil},
		{"empty algorithm is MD5", func(t *Target) { t.Algorithm = "" }, "", nil},
		{"md5-SESS", func(t *Target) { t.Algorithm = "md5-SESS" }, "", nil},
		{"no qop", func(t *Target) { t.QOP = ""; t.CNonce = ""; t.NC = "" }, "", nil},
		{"unknown algorithm", func(t *Target) { t.Algorithm = "SHA-1" }, "Algorithm", ErrUnknownAlgorithm},
		{"bare -sess", func(t *Target) { t.Algorithm = "-sess" }, "Algorithm", ErrUnknownAlgorithm},
		{"SHA256 spelling", func(t *Target) { t.Algorithm = "SHA256" }, "Algorithm", ErrUnknownAlgorithm},
		{"short response", func(t *Target) { t.Response = t.Response[:31] }, "Response", ErrBadResponse},
		{"non-hex response", func(t *Target) { t.Response = "z" + t.Response[1:] }, "Response", ErrBadResponse},
		{"MD5-length response for SHA-256", func(t *Target) { t.Algorithm = "SHA-256" }, "Response", ErrBadResponse},
		{"SHA-length response for MD5", func(t *Target) { t.Response += t.Response }, "Response", ErrBadResponse},
		{"unknown qop", func(t *Target) { t.QOP = "auth,auth-int" }, "QOP", ErrUnknownQOP},
		{"qop without cnonce", func(t *Target) { t.CNonce = "" }, "CNonce", ErrMissingField},
		{"qop without nc", func(t *Target) { t.NC = "" }, "NC", ErrMissingField},
		{"auth-int without body hash", func(t *Target) { t.QOP = "auth-int" }, "BodyHash", ErrMissingField},
		{"auth-int with a bad body hash", func(t *Target) { t.QOP = "auth-int"; t.BodyHash = "abc" }, "BodyHash", ErrBadBodyHash},
		{"auth-int with a SHA-length body hash for MD5", func(t *Target) { t.QOP = "Auth-Int"; t.BodyHash = strings.Repeat("a", 64) }, "BodyHash", ErrBadBodyHash},
	} {
		tg := good
		c.mod(&tg)
		err := tg.Validate()
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.Is(err, c.want) || !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: Validate() = %v, want %v in field %s", c.name, err, c.want, c.field)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "crack: "+c.field+": ") {
			t.Errorf("%s: message %q does not name the field", c.name, msg)
		}
		if Check(tg, []byte(knownAnswers[0].password)) {
			t.Errorf("%s: Check succeeded on an invalid target", c.name)
		}
	}
}

// TestZeroAllocs proves the per-candidate path allocates nothing, for every
// algorithm, -sess and qop.
func TestZeroAllocs(t *testing.T) {
	ts := matrix()
	for i := range ts {
		ts[i].Response = refResponse(ts[i], "not in the list")
	}
	p, err := newPlan(ts)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(p, MaxWordLen)
	var words [][]byte
	for i := 0; i < lanes; i++ {
		words = append(words, []byte(fmt.Sprintf("candidate-%d", i)))
	}
	words[3] = []byte(strings.Repeat("long word past one MD5 block ", 3))
	for n := 1; n <= lanes; n++ {
		if a := testing.AllocsPerRun(50, func() { w.try(words[:n]) }); a != 0 {
			t.Errorf("try allocates %v times per batch of %d candidates", a, n)
		}
	}
	chunk := []byte(decoys(100, -1, "", "\r\n", false))
	ctx := context.Background()
	if n := testing.AllocsPerRun(20, func() { w.scan(ctx, chunk, MaxWordLen) }); n != 0 {
		t.Errorf("scan allocates %v times per 100-line chunk", n)
	}
}

// TestCheckFirst: the index of the first guess, in order, that produces
// the response, across batches of lanes guesses, with duplicates and
// empty guesses, for every known-answer target (MD5 on the multi-lane
// path, SHA-2 on the scalar one).
func TestCheckFirst(t *testing.T) {
	for _, ka := range knownAnswers {
		t.Run(ka.name, func(t *testing.T) {
			for _, at := range []int{0, 1, lanes - 1, lanes, 2*lanes + 3} {
				var pws [][]byte
				for i := 0; i < 3*lanes; i++ {
					switch {
					case i == at || i == at+2: // the second copy must not win
						pws = append(pws, []byte(ka.password))
					case i%5 == 4:
						pws = append(pws, nil)
					default:
						pws = append(pws, []byte(fmt.Sprintf("%s%d", ka.password, i)))
					}
				}
				if got := CheckFirst(ka.target, pws); got != at {
					t.Errorf("password at %d: CheckFirst = %d", at, got)
				}
				pws[at], pws[at+2] = []byte("wrong"), []byte("wrong")
				if got := CheckFirst(ka.target, pws); got != -1 {
					t.Errorf("without the password: CheckFirst = %d, want -1", got)
				}
			}
			if got := CheckFirst(ka.target, nil); got != -1 {
				t.Errorf("no guesses: CheckFirst = %d, want -1", got)
			}
			bad := ka.target
			bad.Response = "xyz"
			if got := CheckFirst(bad, [][]byte{[]byte(ka.password)}); got != -1 {
				t.Errorf("invalid target: CheckFirst = %d, want -1", got)
			}
		})
	}
}
