package report

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/analyzer"
)

func exchanges(n int) []*analyzer.Exchange {
	var out []*analyzer.Exchange
	for i := range n {
		e := &analyzer.Exchange{ID: fmt.Sprint("e", i+1), Frame: i + 1, Method: "REGISTER", Scheme: "Digest",
			Username: fmt.Sprint("user", i%7), Realm: "example.com", Reference: "valid", ServerVerdict: "accepted", Problems: []string{}}
		if i%100 == 3 {
			e.Reference, e.Cause = "invalid", "wrong-digest"
		}
		out = append(out, e)
	}
	return out
}

// A spooled report is byte for byte the report written from slices.
func TestSpoolSameBytes(t *testing.T) {
	exs := exchanges(5)
	dls := []*analyzer.Dialog{{ID: "d1", State: analyzer.Completed, ToTags: []string{}}}
	var want bytes.Buffer
	if err := WriteJSON(&want, &Report{Exchanges: exs, Dialogs: dls, Stats: analyzer.NewStats()}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{5, 0} {
		f1, _ := os.CreateTemp(t.TempDir(), "x")
		f2, _ := os.CreateTemp(t.TempDir(), "y")
		defer f1.Close()
		defer f2.Close()
		r := &Report{Stats: analyzer.NewStats(), ExchangeSpool: NewSpool(f1), DialogSpool: NewSpool(f2)}
		for _, e := range exs[:n] {
			if err := r.ExchangeSpool.Add(e); err != nil {
				t.Fatal(err)
			}
		}
		if n > 0 {
			_ = r.DialogSpool.Add(dls[0])
		}
		var got bytes.Buffer
		if err := WriteJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if n > 0 && got.String() != want.String() {
			t.Errorf("spooled:\n%s\nslices:\n%s", got.String(), want.String())
		}
		if n == 0 && (!strings.Contains(got.String(), `"exchanges": []`) || !strings.Contains(got.String(), `"dialogs": []`)) {
			t.Errorf("empty spools:\n%s", got.String())
		}
	}
}

func TestSummaryAggregates(t *testing.T) {
	var s ExchangeSummary
	for _, e := range exchanges(5000) {
		s.Add(e)
	}
	var b bytes.Buffer
	s.write(&b)
	out := b.String()
	for _, want := range []string{"Auth exchanges\t5000", "user0 (example.com)\t715\tinvalid 7, valid 708\taccepted 715", "Notable exchanges", "\t50\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%.2000s", want, out)
		}
	}
	if strings.Count(out, "wrong-digest") != 50 {
		t.Errorf("%d notable lines", strings.Count(out, "wrong-digest"))
	}
	// Few exchanges: every one is listed.
	var few ExchangeSummary
	for _, e := range exchanges(12) {
		few.Add(e)
	}
	b.Reset()
	few.write(&b)
	if strings.Count(b.String(), "REGISTER") != 12 {
		t.Errorf("detail view:\n%s", b.String())
	}
}
