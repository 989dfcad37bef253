package analyzer

import (
	"net/netip"
	"unsafe"
)

// cloneTogether replaces each string with a copy, all the copies in one
// allocation: what outlives a message (an exchange's Call-ID, URIs and
// User-Agent) costs one object instead of one per field. The copies live
// and die together.
func cloneTogether(ps ...*string) {
	n := 0
	for _, p := range ps {
		n += len(*p)
	}
	if n == 0 {
		return
	}
	buf := make([]byte, 0, n)
	for _, p := range ps {
		buf = append(buf, *p...)
	}
	all := unsafe.String(unsafe.SliceData(buf), n)
	off := 0
	for _, p := range ps {
		l := len(*p)
		*p = all[off : off+l]
		off += l
	}
}

// addrStrings interns the text of addresses: a capture has far fewer
// endpoints than messages, and every exchange, dialog and finding names
// two of them.
type addrStrings struct {
	m map[netip.AddrPort]string
}

// maxAddrStrings bounds the table; when full it starts again. The
// busiest endpoints (proxies, registrars) are back in it at once; a
// capture of many UEs costs at most what it cost without the table.
const maxAddrStrings = 1 << 12

// text is a.String().
func (c *addrStrings) text(a netip.AddrPort) string {
	if s, ok := c.m[a]; ok {
		return s
	}
	s := a.String()
	if c.m == nil || len(c.m) >= maxAddrStrings {
		c.m = make(map[netip.AddrPort]string)
	}
	c.m[a] = s
	return s
}
