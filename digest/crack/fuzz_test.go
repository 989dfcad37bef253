package crack

import (
	"context"
	"strings"
	"testing"
)

// FuzzParseJohn feeds hostile "$sip$*" lines to ParseJohn. It must never
// panic; whatever it accepts must Validate, be usable by Check and Run, and
// survive a round trip through John when John accepts it.
func FuzzParseJohn(f *testing.F) {
	for _, v := range johnVectors {
		f.Add(v.line)
	}
	f.Add("")
	f.Add("$sip$*")
	f.Add("$sip$**************")
	f.Add("$sip$*a*b*c*d*e*f*g*h*i*j*k*auth-int*MD5*00000000000000000000000000000000")
	f.Add("$sip$*a*b*c*d*e***h*i*j*k*l*MD5*0123456789ABCDEF0123456789abcdef\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseJohn(s)
		if err != nil {
			if tg != (Target{}) {
				t.Fatalf("ParseJohn(%q) returned %+v with error %v", s, tg, err)
			}
			return
		}
		if err := tg.Validate(); err != nil {
			t.Fatalf("ParseJohn(%q) = %+v that does not Validate: %v", s, tg, err)
		}
		if got, want := Check(tg, []byte("hashcat")), refResponse(tg, "hashcat") == tg.Response; got != want {
			t.Fatalf("Check = %v, reference says %v", got, want)
		}
		if _, _, err := Run(context.Background(), []Target{tg}, strings.NewReader("a\nhashcat\n"), Options{Workers: 1, chunkSize: 8192}); err != nil {
			t.Fatalf("Run: %v", err)
		}
		line, ok := tg.John()
		if !ok {
			return
		}
		back, err := ParseJohn(line)
		if err != nil {
			t.Fatalf("ParseJohn(John() = %q): %v", line, err)
		}
		if back != tg {
			t.Fatalf("round trip of %q:\n got %+v\nwant %+v", s, back, tg)
		}
		if again, _ := back.John(); again != line {
			t.Fatalf("John() not stable: %q then %q", line, again)
		}
	})
}
