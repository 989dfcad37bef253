package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Every string shown comes from the network. html/template escapes it for
// its context; the helpers here also make it readable and well formed:
// invalid UTF-8, control and format characters (bidirectional overrides,
// zero-width characters) become visible escapes, and long values are
// clipped where a page lists many of them. The output is valid XML
// character data, so it can go into SVG too.

// clean replaces invalid UTF-8 with \xNN, and control and format
// characters with \u{...} escapes; tab and newline are kept when keepNL.
func clean(s string, keepNL bool) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case keepNL && r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// CRLF, SIP's line end, shows as a line break.
		case keepNL && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case !keepNL && r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02X`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == 0xFFFD ||
			r == 0xFFFE || r == 0xFFFF || (r >= 0xFDD0 && r <= 0xFDEF) || unicode.Is(unicode.Co, r) ||
			r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u{%X}`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII, the common case.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// clip cleans s and cuts it to at most n runes, marking the cut.
func clip(s string, n int) string {
	if len(s) > 4*n+64 {
		s = s[:4*n+64] // bound the work on huge values
	}
	s = clean(s, false)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// text is a long value shown in full (a detail page), cleaned and bounded.
func text(s string) string { return clip(s, maxDetail) }

// maxDetail bounds one value on a detail page (a 64 KB header is cut).
const maxDetail = 1024

// maxRaw bounds one raw message shown below a ladder.
const maxRaw = 32 << 10

// rawText shows a raw SIP message: CRLF as line breaks, the rest of the
// control characters and invalid bytes as visible escapes.
func rawText(b []byte) string {
	if len(b) > maxRaw {
		return clean(string(b[:maxRaw]), true) + fmt.Sprintf("\n… %d more bytes not shown (download the pcap)", len(b)-maxRaw)
	}
	return clean(string(b), true)
}

// timeFormat shows capture times in UTC with milliseconds.
const timeFormat = "2006-01-02 15:04:05.000"

func ftime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(timeFormat)
}

// frameList writes frame numbers as Wireshark numbers them.
func frameList(frames []int) string {
	if len(frames) == 0 {
		return "—"
	}
	parts := make([]string, 0, min(len(frames), 20))
	for i, f := range frames {
		if i == 20 {
			parts = append(parts, fmt.Sprintf("… (%d in all)", len(frames)))
			break
		}
		parts = append(parts, strconv.Itoa(f))
	}
	return strings.Join(parts, ", ")
}

// wsFilter is the Wireshark display filter selecting the frames.
func wsFilter(frames []int) string {
	switch len(frames) {
	case 0:
		return ""
	case 1:
		return "frame.number == " + strconv.Itoa(frames[0])
	}
	n := min(len(frames), 50)
	parts := make([]string, n)
	for i := range n {
		parts[i] = strconv.Itoa(frames[i])
	}
	return "frame.number in {" + strings.Join(parts, " ") + "}"
}

// seg escapes one path segment. Colons are escaped too, so that no
// link ever looks like a scheme (javascript:) even to a naive reader.
func seg(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
}

// anchor makes a fragment identifier from any string: letters, digits,
// '-' and '_' stay, every other byte is written as .XX.
func anchor(prefix, s string) string {
	var b strings.Builder
	b.WriteString(prefix)
	if len(s) > 256 {
		// Long values: a prefix to read and a hash to stay unique.
		h := sha256.Sum256([]byte(s))
		b.WriteString(hex.EncodeToString(h[:8]) + "-")
		s = s[:256]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, ".%02X", c)
		}
	}
	return b.String()
}

// fileSafe keeps a filename to letters, digits, '-', '_' and '.'.
func fileSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 64; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

// classWord turns a verdict or state into a CSS class suffix.
func classWord(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for i := 0; i < len(s) && i < 32; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// maskA1 makes sure A1 never shows a password: the reference masks it
// already ("user:realm:<password>"); anything else is masked here.
func maskA1(a1 string) string {
	if a1 == "" || strings.Contains(a1, "<password>") || strings.Contains(a1, "<withheld>") {
		return a1
	}
	if i := strings.LastIndexByte(a1, ':'); i >= 0 {
		return a1[:i+1] + "<password>"
	}
	return "<withheld>"
}

// maskHA1 makes sure H(A1) is never shown in clear.
func maskHA1(h string) string {
	if h == "" || strings.HasPrefix(h, "<") {
		return h
	}
	return "<H(A1) withheld>"
}

// maskData masks an H(A1) at the start of the KD data if one shows.
func maskData(d string) string {
	if d == "" || strings.HasPrefix(d, "<") {
		return d
	}
	if i := strings.IndexByte(d, ':'); i >= 16 && isHex(d[:i]) {
		return "<H(A1) withheld>" + d[i:]
	}
	return d
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
