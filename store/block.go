package store

import (
	"encoding/binary"
	"errors"
	"github.com/klauspost/compress/s2"
	"net/netip"
	"strings"
	"time"
)

// Messages are stored in blocks (table msg_blocks): consecutive messages
// of one input, their raw bytes end to end in one BLOB and their other
// fields packed in another, meta. meta is metaFormat, then per message:
//
//	uvarint  length of the raw bytes (the message's bytes follow the
//	         previous message's in raw)
//	uvarint  length of the start line
//	byte     flags (flagAuth, flagRetrans)
//	uvarint  number of frames, then the frames: the first as uvarint,
//	         the others as varint differences to the previous one
//	varint   time (Unix ns) minus the previous message's (0 for the first)
//	string   src, then dst: netip.AddrPort binary form ("" when invalid)
//	string   transport, Call-ID, method (the CSeq method of a response)
//	uvarint  status (0 for a request)
//	string   exchange ID ("" when none)
//
// where a string is a uvarint length and the bytes. In format
// metaFormatS2 (what the writer writes), the per-message part of meta and
// the whole of raw are compressed with S2 (github.com/klauspost/compress,
// a faster Snappy: SIP repeats its header names and, within a call, most
// values, so a block shrinks about four times, and every byte not written
// is one that SQLite, the WAL and the checkpoint do not copy); format
// metaFormat, plain, is still read.
const (
	metaFormat   = 1
	metaFormatS2 = 2
)

// maxBlockBytes bounds what a compressed block may claim to decompress
// to: a block is at most blockBytes plus one message.
const maxBlockBytes = 8 << 20

// Block limits: a block is written once it holds blockMsgs messages or
// blockBytes of raw bytes.
const (
	blockMsgs  = 256
	blockBytes = 256 << 10
)

const (
	flagAuth = 1 << iota
	flagRetrans
)

// appendStr appends a length-prefixed string.
func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendAddrPort appends ap in its binary form, length-prefixed.
func appendAddrPort(b []byte, ap netip.AddrPort) []byte {
	if !ap.IsValid() {
		return append(b, 0)
	}
	n := len(b)
	b = append(b, 0)
	b, _ = ap.AppendBinary(b) // never fails
	b[n] = byte(len(b) - n - 1)
	return b
}

var errBadBlock = errors.New("corrupt message block")

// blockMsg is one decoded message of a block; its strings and Raw alias
// the block's buffers.
type blockMsg struct {
	Frames    []int // reused from message to message
	Time      int64
	Src, Dst  netip.AddrPort
	Transport string
	CallID    string
	Method    string
	Status    int
	StartLine int
	Auth      bool
	Retrans   bool
	Exchange  string
	Raw       []byte
}

// blockReader decodes a block's messages in order.
type blockReader struct {
	meta, raw []byte
	off       int // in raw
	time      int64
	err       error
	m         blockMsg
}

func newBlockReader(meta, raw []byte) *blockReader {
	br := &blockReader{raw: raw}
	switch {
	case len(meta) > 0 && meta[0] == metaFormat:
		br.meta = meta[1:]
	case len(meta) > 0 && meta[0] == metaFormatS2:
		m, err := s2Decode(meta[1:])
		if err != nil {
			br.err = errBadBlock
			return br
		}
		if br.raw, err = s2Decode(raw); err != nil {
			br.err = errBadBlock
			return br
		}
		br.meta = m
	default:
		br.err = errBadBlock
	}
	return br
}

func (br *blockReader) uvarint() uint64 {
	v, n := binary.Uvarint(br.meta)
	if n <= 0 {
		br.err = errBadBlock
		br.meta = nil
		return 0
	}
	br.meta = br.meta[n:]
	return v
}

func (br *blockReader) varint() int64 {
	v, n := binary.Varint(br.meta)
	if n <= 0 {
		br.err = errBadBlock
		br.meta = nil
		return 0
	}
	br.meta = br.meta[n:]
	return v
}

func (br *blockReader) bytes() []byte {
	n := br.uvarint()
	if n > uint64(len(br.meta)) {
		br.err = errBadBlock
		br.meta = nil
		return nil
	}
	b := br.meta[:n]
	br.meta = br.meta[n:]
	return b
}

func (br *blockReader) str() string { return str(br.bytes()) }

func (br *blockReader) addrPort() netip.AddrPort {
	b := br.bytes()
	var ap netip.AddrPort
	if len(b) > 0 && ap.UnmarshalBinary(b) != nil {
		br.err = errBadBlock
	}
	return ap
}

// next decodes the next message into br.m; false at the end of the block
// or on an error (br.err).
func (br *blockReader) next() bool {
	if br.err != nil || len(br.meta) == 0 {
		return false
	}
	m := &br.m
	rawLen := br.uvarint()
	sl := br.uvarint()
	flags := br.byte()
	nf := br.uvarint()
	if nf > uint64(len(br.meta)) {
		br.err = errBadBlock
		return false
	}
	m.Frames = m.Frames[:0]
	if nf > 0 {
		f := int64(br.uvarint())
		m.Frames = append(m.Frames, int(f))
		for range nf - 1 {
			f += br.varint()
			m.Frames = append(m.Frames, int(f))
		}
	}
	br.time += br.varint()
	m.Time = br.time
	m.Src, m.Dst = br.addrPort(), br.addrPort()
	m.Transport, m.CallID, m.Method = br.str(), br.str(), br.str()
	m.Status = int(br.uvarint())
	m.Exchange = br.str()
	m.Auth, m.Retrans = flags&flagAuth != 0, flags&flagRetrans != 0
	if br.err != nil || rawLen > uint64(len(br.raw)-br.off) || sl > rawLen {
		br.err = errBadBlock
		return false
	}
	m.Raw = br.raw[br.off : br.off+int(rawLen) : br.off+int(rawLen)]
	m.StartLine = int(sl)
	br.off += int(rawLen)
	return true
}

func (br *blockReader) byte() byte {
	if len(br.meta) == 0 {
		br.err = errBadBlock
		return 0
	}
	b := br.meta[0]
	br.meta = br.meta[1:]
	return b
}

// toMessage copies the decoded message into a Message of input.
func (m *blockMsg) toMessage(input string) *Message {
	raw := append([]byte(nil), m.Raw...)
	out := &Message{
		Input: input, Frames: append([]int(nil), m.Frames...), Time: time.Unix(0, m.Time),
		Src: addrPort(m.Src), Dst: addrPort(m.Dst), Transport: strings.Clone(m.Transport), CallID: strings.Clone(m.CallID),
		Method: strings.Clone(m.Method), Status: m.Status, StartLine: string(raw[:m.StartLine]), Auth: m.Auth,
		Retransmission: m.Retrans, Exchange: strings.Clone(m.Exchange), Raw: raw,
	}
	return out
}

// s2Decode decompresses a block part, refusing one that claims to be
// larger than any block can be (a corrupt or hostile database).
func s2Decode(src []byte) ([]byte, error) {
	n, err := s2.DecodedLen(src)
	if err != nil {
		return nil, err
	}
	if n > maxBlockBytes {
		return nil, errBadBlock
	}
	return s2.Decode(make([]byte, n), src)
}
