package capture

import (
	"net/netip"
	"sort"
	"time"
)

// IP fragment reassembly for IPv4 (RFC 791 3.2) and IPv6 (RFC 8200 4.5),
// driven by capture time. Like Linux it drops a whole datagram when
// fragments overlap (RFC 5722), ignores exact repeats, and gives up on a
// datagram FragmentTimeout after its first fragment.
//
// gopacket's ip6defrag stamps datagrams with the wall clock, and both of
// its defragmenters keep the caller's packet buffer, so neither fits a
// zero-copy reader whose clock is the capture.

// fragKey identifies the datagram a fragment belongs to.
type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8 // IPv4 only: part of the key (RFC 791)
}

type fragPart struct {
	off  int
	data []byte
}

type fragDatagram struct {
	key    fragKey
	first  time.Time
	frames []int
	parts  []fragPart // sorted by offset, never overlapping
	end    int        // total length once the last fragment is in, else -1
	proto  uint8      // upper-layer protocol (IPv6: from the first fragment)
	dead   bool
}

// defragmenter holds the datagrams under reassembly.
type defragmenter struct {
	limits *Limits
	stats  *Stats
	m      map[fragKey]*fragDatagram
	fifo   []*fragDatagram // in order of first fragment, for expiry
	head   int             // fifo[:head] are gone
}

func newDefragmenter(l *Limits, s *Stats) *defragmenter {
	return &defragmenter{limits: l, stats: s, m: make(map[fragKey]*fragDatagram)}
}

// maxDatagram is the largest IP payload a datagram may reassemble to.
const maxDatagram = 65535

// add files one fragment: payload (copied) at byte offset off; more is
// the More Fragments flag; proto is the upper-layer protocol. When the
// datagram is complete it returns the whole payload, its protocol and
// every frame that carried a fragment.
func (f *defragmenter) add(k fragKey, off int, more bool, proto uint8, payload []byte, frame int, ts time.Time) (data []byte, p uint8, frames []int, ok bool) {
	f.stats.IPFragments++
	f.expire(ts)
	end := off + len(payload)
	// RFC 8200 4.5: a non-final fragment is a multiple of 8 bytes long;
	// nothing may reach past 65535.
	if end > maxDatagram || (more && len(payload)%8 != 0) || len(payload) == 0 {
		f.stats.IPFragmentsLost++
		return nil, 0, nil, false
	}
	dg := f.m[k]
	if dg == nil {
		if len(f.m) >= f.limits.MaxFragmentDatagrams {
			f.stats.IPFragmentsLost++
			return nil, 0, nil, false
		}
		dg = &fragDatagram{key: k, first: ts, end: -1}
		f.m[k] = dg
		f.fifo = append(f.fifo, dg)
	}
	if off == 0 || k.proto != 0 {
		dg.proto = proto
	}
	// place the fragment
	i := sort.Search(len(dg.parts), func(i int) bool { return dg.parts[i].off >= off })
	if i < len(dg.parts) && dg.parts[i].off == off && len(dg.parts[i].data) == len(payload) {
		dg.frames = append(dg.frames, frame) // a repeat: the bytes are already held
		return nil, 0, nil, false
	}
	overlap := (i > 0 && dg.parts[i-1].off+len(dg.parts[i-1].data) > off) ||
		(i < len(dg.parts) && dg.parts[i].off < end) ||
		(dg.end >= 0 && (end > dg.end || (!more && end != dg.end))) ||
		(!more && len(dg.parts) > 0 && dg.parts[len(dg.parts)-1].off+len(dg.parts[len(dg.parts)-1].data) > end)
	if overlap || len(dg.parts) >= f.limits.MaxFragments {
		f.stats.IPFragmentsLost += len(dg.parts) + 1
		f.remove(dg)
		return nil, 0, nil, false
	}
	dg.parts = append(dg.parts, fragPart{})
	copy(dg.parts[i+1:], dg.parts[i:])
	dg.parts[i] = fragPart{off: off, data: append([]byte(nil), payload...)}
	dg.frames = append(dg.frames, frame)
	if !more {
		dg.end = end
	}
	if dg.end < 0 {
		return nil, 0, nil, false
	}
	// complete when the parts tile [0, end)
	at := 0
	for _, p := range dg.parts {
		if p.off != at {
			return nil, 0, nil, false
		}
		at += len(p.data)
	}
	if at != dg.end {
		return nil, 0, nil, false
	}
	data = make([]byte, 0, dg.end)
	for _, p := range dg.parts {
		data = append(data, p.data...)
	}
	f.remove(dg)
	f.stats.IPReassembled++
	return data, dg.proto, dg.frames, true
}

func (f *defragmenter) remove(dg *fragDatagram) {
	if f.m[dg.key] == dg {
		delete(f.m, dg.key)
	}
	dg.dead = true
	dg.parts = nil
}

// expire forgets datagrams whose first fragment is older than the
// timeout at capture time now.
func (f *defragmenter) expire(now time.Time) {
	limit := now.Add(-f.limits.FragmentTimeout)
	for ; f.head < len(f.fifo); f.head++ {
		dg := f.fifo[f.head]
		if !dg.dead {
			if !dg.first.Before(limit) {
				break
			}
			f.stats.IPFragmentsLost += len(dg.parts)
			f.remove(dg)
		}
		f.fifo[f.head] = nil
	}
	if f.head > 1024 && f.head > len(f.fifo)/2 {
		n := copy(f.fifo, f.fifo[f.head:])
		clear(f.fifo[n:])
		f.fifo, f.head = f.fifo[:n], 0
	}
}
