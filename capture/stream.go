package capture

import (
	"bytes"
	"errors"
	"net/netip"
	"time"

	"github.com/sipaudit/sipaudit/capture/internal/ws"
)

// span records which frame carried the stream bytes before end.
type span struct {
	end   int64
	frame int
	ts    time.Time
}

// streamMode is what one direction of a connection carries.
type streamMode uint8

const (
	modeDetect streamMode = iota // nothing seen yet
	modeSIP                      // SIP framed by Content-Length (RFC 3261 18.3)
	modeWS                       // WebSocket frames after an HTTP Upgrade (RFC 7118)
	modeTLS                      // encrypted: counted, not analysed
)

// stream reassembles SIP messages from one direction of a connection.
// Its bytes arrive in order (the TCP reassembler's job); it frames them
// and remembers which frame carried which byte.
type stream struct {
	d        *Decoder
	conn     *tcpConn
	src, dst netip.AddrPort
	mode     streamMode
	buf      []byte // unframed bytes, starting at stream offset base
	back     []byte // the array buf lives in; drop reslices buf forward
	base     int64
	spans    []span // frames of the bytes in buf, in order
	skip     int    // bytes of an oversized message still to discard
	insync   bool   // buf starts at a message boundary
	ws       *ws.Reader
	wsStart  int64 // stream offset where the current WebSocket message began
}

// write appends stream bytes carried by frame and emits every message
// they complete.
func (s *stream) write(p []byte, frame int, ts time.Time) {
	if len(p) == 0 {
		return
	}
	end := s.base + int64(len(s.buf)) + int64(len(p))
	if n := len(s.spans); n > 0 && s.spans[n-1].frame == frame {
		s.spans[n-1].end = end
	} else {
		s.spans = append(s.spans, span{end: end, frame: frame, ts: ts})
	}
	if s.skip > 0 {
		n := min(s.skip, len(p))
		s.skip -= n
		s.d.stats.StreamBytesSkip += n
		s.base += int64(n)
		p = p[n:]
	}
	if s.mode == modeTLS {
		s.d.stats.TLSBytes += len(p)
		s.base += int64(len(p))
		s.trimSpans()
		return
	}
	if len(s.buf)+len(p) > s.d.limits.MaxMessage+maxStartLine ||
		s.d.streamBytes+len(p) > s.d.limits.MaxStreamBytes {
		// more unframed bytes than any message may have: give them up
		// and look for the next start line.
		s.d.stats.StreamOverflows++
		s.drop(len(s.buf))
		s.d.stats.StreamBytesSkip += len(p)
		s.base += int64(len(p))
		s.insync = false
		s.trimSpans()
		return
	}
	s.appendBytes(p)
	s.d.streamBytes += len(p)
	s.frame()
	s.trimSpans()
	if len(s.buf) == 0 && cap(s.back) > 64<<10 {
		s.buf, s.back = nil, nil // do not keep a large buffer for an idle stream
	}
}

// appendBytes appends p to buf, first moving what buf holds to the front
// of its array so that dropping framed messages costs no copy.
func (s *stream) appendBytes(p []byte) {
	if len(s.buf) == 0 {
		s.buf = s.back[:0]
	} else if &s.buf[0] != &s.back[0] {
		n := copy(s.back[:cap(s.back)], s.buf)
		s.buf = s.back[:n]
	}
	s.buf = append(s.buf, p...)
	s.back = s.buf
}

// gap tells the stream that n bytes were lost before the next write.
func (s *stream) gap(n int) {
	s.d.stats.TCPBytesMissing += n
	s.drop(len(s.buf))
	s.skip = 0
	s.base += int64(n)
	s.insync = false
	if s.ws != nil {
		// a WebSocket frame boundary cannot be found again
		s.ws = nil
		s.mode = modeSIP
	}
	s.trimSpans()
}

// drop discards the first n bytes of buf.
func (s *stream) drop(n int) {
	if n <= 0 {
		return
	}
	s.buf = s.buf[n:]
	s.base += int64(n)
	s.d.streamBytes -= n
}

// release gives back the stream's buffer at the end of the connection.
func (s *stream) release() {
	s.d.streamBytes -= len(s.buf)
	s.buf, s.back, s.spans = nil, nil, nil
}

func (s *stream) trimSpans() {
	i := 0
	for i < len(s.spans) && s.spans[i].end <= s.base {
		i++
	}
	if i > 0 {
		s.spans = append(s.spans[:0], s.spans[i:]...)
	}
}

// frames returns the frames that carried stream bytes [from, to), and the
// capture time of the last one.
// The slice is the decoder's scratch space, valid until the next call.
func (s *stream) frames(from, to int64) ([]int, time.Time) {
	out := s.d.frameBuf[:0]
	defer func() { s.d.frameBuf = out[:0] }()
	var ts time.Time
	start := s.base
	for _, sp := range s.spans {
		if sp.end > from && start < to {
			out = append(out, sp.frame)
			ts = sp.ts
		}
		if sp.end >= to {
			break
		}
		start = sp.end
	}
	return out, ts
}

// frame emits every complete message at the head of buf.
func (s *stream) frame() {
	for len(s.buf) > 0 {
		var progress bool
		switch s.mode {
		case modeDetect:
			progress = s.detect()
		case modeSIP:
			progress = s.frameSIP()
		case modeWS:
			progress = s.frameWS()
		case modeTLS:
			s.d.stats.TLSBytes += len(s.buf)
			s.drop(len(s.buf))
			return
		}
		if !progress {
			return
		}
	}
}

// detect decides from the first bytes of a direction what it carries.
func (s *stream) detect() bool {
	b := s.buf
	switch {
	case isTLSRecord(b):
		s.mode = modeTLS
		if !s.conn.tls {
			s.conn.tls = true
			s.d.stats.TLSConnections++
		}
		return true
	case bytes.HasPrefix(b, []byte("GET ")):
		n, ok, need := ws.UpgradeRequest(b)
		return s.handshake(n, ok, need)
	case bytes.HasPrefix(b, []byte("HTTP/1.")):
		n, ok, need := ws.UpgradeResponse(b)
		return s.handshake(n, ok, need)
	case len(b) < 7 && (bytes.HasPrefix([]byte("GET "), b) || bytes.HasPrefix([]byte("HTTP/1."), b)):
		return false // too short to tell
	}
	s.mode = modeSIP
	s.insync = true
	return true
}

func (s *stream) handshake(n int, ok, need bool) bool {
	switch {
	case ok:
		s.drop(n)
		s.mode = modeWS
		s.ws = ws.NewReader(s.d.limits.MaxMessage)
		if !s.conn.ws {
			s.conn.ws = true
			s.d.stats.WSConnections++
		}
		return true
	case need:
		return false
	}
	s.mode = modeSIP // plain HTTP or something else: looked through for SIP
	return true
}

// isTLSRecord reports whether b starts with a TLS record header
// (RFC 8446 5.1): content type 20..23, legacy version 3.x.
func isTLSRecord(b []byte) bool {
	return len(b) >= 3 && b[0] >= 20 && b[0] <= 23 && b[1] == 3 && b[2] <= 4
}

// frameSIP cuts one SIP message off the head of buf (RFC 3261 18.3: the
// header section ends at the first empty line; Content-Length gives the
// body's length). It reports whether it made progress.
func (s *stream) frameSIP() bool {
	// CRLFs between messages, as keep-alives or padding (RFC 5626 4.4.1)
	if i := len(s.buf) - len(skipCRLF(s.buf)); i > 0 {
		if s.insync {
			s.d.stats.KeepAlives++
		}
		s.drop(i)
		return true
	}
	nl := bytes.IndexByte(s.buf, '\n')
	if nl < 0 {
		if len(s.buf) > maxStartLine {
			s.resync()
			return true
		}
		return false
	}
	if _, _, ok := classifyLine(firstLine(s.buf[:nl+1])); !ok {
		s.resync()
		return len(s.buf) > 0 && s.insync
	}
	s.insync = true
	he := headerEnd(s.buf)
	if he < 0 {
		if len(s.buf) > s.d.limits.MaxMessage {
			s.d.stats.OversizeMessages++
			s.d.stats.StreamBytesSkip += len(s.buf)
			s.drop(len(s.buf))
			s.insync = false
			return false
		}
		return false
	}
	cl, _, valid := contentLength(s.buf[:he])
	if !valid {
		s.d.stats.BadContentLength++
		cl = 0
	}
	total := he + cl
	if total > s.d.limits.MaxMessage {
		s.d.stats.OversizeMessages++
		n := min(total, len(s.buf))
		s.d.stats.StreamBytesSkip += n
		s.drop(n)
		s.skip = total - n
		return true
	}
	if len(s.buf) < total {
		return false
	}
	frames, ts := s.frames(s.base, s.base+int64(total))
	s.conn.emit(s, s.buf[:total], frames, ts, TCP)
	s.drop(total)
	return true
}

// resync discards bytes up to the next line that is a SIP start line:
// after a gap, at the start of a connection caught mid-stream, or after
// bytes that are not SIP.
func (s *stream) resync() {
	at, keep := findStartLine(s.buf)
	if at < 0 {
		at = keep
		if len(s.buf)-keep > maxStartLine {
			at = len(s.buf)
		}
		s.insync = false
	} else {
		s.insync = true
	}
	s.d.stats.StreamBytesSkip += at
	s.drop(at)
}

// frameWS takes one WebSocket message off the head of buf; each carries
// one SIP message (RFC 7118 5.2).
func (s *stream) frameWS() bool {
	if !s.ws.InMessage() {
		s.wsStart = s.base
	}
	n, msg, err := s.ws.Next(s.buf)
	if err != nil {
		s.d.stats.WSErrors++
		s.d.stats.StreamBytesSkip += len(s.buf)
		s.drop(len(s.buf))
		if errors.Is(err, ws.ErrTooLarge) {
			s.d.stats.OversizeMessages++
		}
		// frame boundaries are lost: look for plain SIP from here on
		s.ws = nil
		s.mode = modeSIP
		s.insync = false
		return false
	}
	if n == 0 {
		return false
	}
	end := s.base + int64(n)
	if msg != nil {
		s.d.stats.WSMessages++
		frames, ts := s.frames(s.wsStart, end)
		raw := skipCRLF(msg)
		if _, _, ok := classifyLine(firstLine(raw)); ok {
			s.conn.emit(s, raw, frames, ts, WS)
		} else {
			s.d.stats.StreamBytesSkip += len(msg)
		}
	}
	s.drop(n)
	return true
}
