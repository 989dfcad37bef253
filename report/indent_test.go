package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestEncodeIndent checks the one-pass indenter against encoding/json's
// Encoder with SetIndent, which it replaces.
func TestEncodeIndent(t *testing.T) {
	values := []any{
		nil, 1, "x", []int{}, map[string]any{},
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{1, "two", nil, true, 2.5e-9}},
		[]any{map[string]any{"k\"ey": "v\\\"al,{}[]:", "e": "\u2028<>&\x01\"\\"}, []any{[]any{}}},
		struct {
			A []string `json:"a"`
			B *int     `json:"b,omitempty"`
			C string   `json:"c"`
		}{A: []string{`"`, `\`, `\"`, "", "é"}, C: `end\`},
	}
	for _, prefix := range []string{"", "  ", "    "} {
		for _, v := range values {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent(prefix, "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			var tmp bytes.Buffer
			got, err := encodeIndent(&tmp, []byte("x"), v, prefix)
			if err != nil {
				t.Fatal(err)
			}
			if w := "x" + string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))); string(got) != w {
				t.Errorf("prefix %q, %#v:\ngot  %s\nwant %s", prefix, v, got, w)
			}
		}
	}
}
