package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
)

func TestEmptyReportPrintsEmptyLists(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, &Report{Tool: Tool{"sipaudit", "dev"}, Stats: analyzer.NewStats()}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"inputs": []`, `"exchanges": []`, `"findings": []`, `"requests": {}`, `"responses": {}`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b.String())
		}
	}
}

func TestTextOrder(t *testing.T) {
	s := analyzer.NewStats()
	s.Requests = map[string]int{"REGISTER": 2, "ACK": 1, "INVITE": 3}
	s.Responses = map[string]int{"1000": 1, "200": 4, "100": 2, "99": 1}
	var b bytes.Buffer
	r := &Report{Stats: s, Inputs: []capture.Input{{Path: "a.pcap", Format: "pcap", LinkType: "ethernet", Packets: 9, Error: "file is truncated"}}}
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	order := []string{"a.pcap", "stopped: file is truncated", "ACK", "INVITE", "REGISTER", "99", "100", "200", "1000"}
	at := 0
	for _, w := range order {
		i := strings.Index(out[at:], w)
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", w, out)
		}
		at += i + len(w)
	}
}
