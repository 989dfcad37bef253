package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest"
)

// wantJSON is encoding/json's output without HTML escaping, what the
// writer stored before it encoded by hand.
func wantJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	// json.Marshal escapes <, > and & for HTML; the writer never did.
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+5 < len(b) && b[i+1] == 'u' && b[i+2] == '0' && b[i+3] == '0' {
			switch string(b[i+4 : i+6]) {
			case "3c":
				out, i = append(out, '<'), i+5
				continue
			case "3e":
				out, i = append(out, '>'), i+5
				continue
			case "26":
				out, i = append(out, '&'), i+5
				continue
			}
		}
		if b[i] == '\\' && i+1 < len(b) {
			out = append(out, b[i], b[i+1])
			i++
			continue
		}
		out = append(out, b[i])
	}
	return string(out)
}

// fill sets every exported field of the struct v points to (recursively)
// to a value derived from seed: a field the hand encoder misses shows.
func fill(v reflect.Value, seed int) {
	strs := []string{"", "plain", "quote\" back\\slash <a&b> \n\r\t\b\f\x01\x1f\x7f", "utf8 é ✓ \u2028\u2029 bad\xff\xfe"}
	t := v.Type()
	for i := range t.NumField() {
		if !t.Field(i).IsExported() {
			continue
		}
		f := v.Field(i)
		k := seed + i
		switch f.Kind() {
		case reflect.String:
			f.SetString(strs[k%len(strs)])
		case reflect.Int:
			f.SetInt(int64([]int{0, 1, -7, 1 << 40}[k%4]))
		case reflect.Bool:
			f.SetBool(k%2 == 1)
		case reflect.Slice:
			switch k % 3 {
			case 0: // nil
			case 1:
				f.Set(reflect.MakeSlice(f.Type(), 0, 0))
			case 2:
				s := reflect.MakeSlice(f.Type(), 2, 2)
				for j := range 2 {
					switch e := s.Index(j); e.Kind() {
					case reflect.String:
						e.SetString(strs[(k+j)%len(strs)])
					case reflect.Int:
						e.SetInt(int64(k*1000 + j))
					case reflect.Pointer:
						if j == 1 {
							e.Set(reflect.New(e.Type().Elem()))
							fill(e.Elem(), k+j)
						}
					case reflect.Struct:
						fill(e, k+j)
					}
				}
				f.Set(s)
			}
		case reflect.Pointer:
			if k%2 == 1 {
				f.Set(reflect.New(f.Type().Elem()))
				fill(f.Elem(), k)
			}
		case reflect.Struct:
			if f.Type() == reflect.TypeFor[time.Time]() {
				if k%3 != 0 {
					f.Set(reflect.ValueOf(time.Unix(1700000000+int64(k), int64(k%3)*123456789)))
				}
			} else if t.Field(i).Tag.Get("json") != "-" {
				fill(f, k)
			}
		}
	}
}

// TestExchangeJSON checks the hand-written encoders against
// encoding/json: on every field filled in several ways, and on the
// exchanges and registrations of the example and auth captures.
func TestExchangeJSON(t *testing.T) {
	check := func(name string, got []byte, v any) {
		t.Helper()
		if want := wantJSON(t, v); string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	for seed := range 12 {
		var e analyzer.Exchange
		fill(reflect.ValueOf(&e).Elem(), seed)
		if seed%4 == 0 {
			e.Work = &digest.Work{Algorithm: "MD5", Expected: "x", Received: []string{"", "r"}[seed%8/4]}
		}
		check("exchange", appendExchangeJSON(nil, &e), &e)
		var g analyzer.Registration
		fill(reflect.ValueOf(&g).Elem(), seed)
		check("bindings", appendBindingsJSON(nil, g.Bindings), nonNil(g.Bindings))
		check("events", appendEventsJSON(nil, g.Events), nonNil(g.Events))
		check("strings", appendJSONStrings(nil, g.Implicit), g.Implicit)
	}
	db, _ := openTemp(t)
	a := analyze(t, db, "../testdata/auth/creds.csv", true, mustGlob(t, "../testdata/auth/*.pcap")...)
	b := analyze(t, db, exampleCreds, true, examplePcap)
	n := 0
	for _, res := range []*analysis{a, b} {
		for _, e := range res.exchanges {
			c := *e
			var zero analyzer.Exchange
			c.Result, c.Credentials = zero.Result, zero.Credentials
			check("exchange "+e.ID, appendExchangeJSON(nil, &c), &c)
			n++
		}
		for _, g := range res.regs {
			check("bindings "+g.AOR, appendBindingsJSON(nil, g.Bindings), nonNil(g.Bindings))
			check("events "+g.AOR, appendEventsJSON(nil, g.Events), nonNil(g.Events))
		}
	}
	if n < 10 {
		t.Errorf("only %d exchanges", n)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
