package pcapgen

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Packet is one captured frame.
type Packet struct {
	// Time is the capture timestamp.
	Time time.Time
	// Iface is the index of the capturing interface (pcapng only; classic
	// pcap files have a single link type).
	Iface int
	// Data is the captured frame, link-layer header included.
	Data []byte
	// OrigLen is the frame's length on the wire; 0 means len(Data).
	OrigLen int
}

func (p Packet) origLen() int {
	if p.OrigLen == 0 {
		return len(p.Data)
	}
	return p.OrigLen
}

// PcapOptions selects the flavour of a classic pcap file.
type PcapOptions struct {
	// BigEndian writes every header field big-endian; the default is
	// little-endian.
	BigEndian bool
	// Nanosecond writes nanosecond timestamps (magic 0xa1b23c4d); the
	// default is microseconds (magic 0xa1b2c3d4).
	Nanosecond bool
	// Snaplen is the snapshot length in the file header; 0 means 262144.
	Snaplen uint32
}

// Pcap magic numbers, as written in the file's byte order.
const (
	MagicMicro uint32 = 0xa1b2c3d4
	MagicNano  uint32 = 0xa1b23c4d
)

// WritePcap writes a classic pcap file (24-byte file header, 16-byte
// record headers) with link type link, containing pkts in order. Packet
// times are truncated to the chosen resolution; Packet.Iface is ignored.
func WritePcap(w io.Writer, link LinkType, pkts []Packet, opt PcapOptions) error {
	var bo binary.ByteOrder = binary.LittleEndian
	if opt.BigEndian {
		bo = binary.BigEndian
	}
	snap := opt.Snaplen
	if snap == 0 {
		snap = 262144
	}
	magic := MagicMicro
	if opt.Nanosecond {
		magic = MagicNano
	}
	h := make([]byte, 24)
	bo.PutUint32(h[0:], magic)
	bo.PutUint16(h[4:], 2)
	bo.PutUint16(h[6:], 4)
	// thiszone and sigfigs stay 0
	bo.PutUint32(h[16:], snap)
	bo.PutUint32(h[20:], uint32(link))
	if _, err := w.Write(h); err != nil {
		return err
	}
	for _, p := range pkts {
		r := make([]byte, 16, 16+len(p.Data))
		bo.PutUint32(r[0:], uint32(p.Time.Unix()))
		frac := uint32(p.Time.Nanosecond())
		if !opt.Nanosecond {
			frac /= 1000
		}
		bo.PutUint32(r[4:], frac)
		bo.PutUint32(r[8:], uint32(len(p.Data)))
		bo.PutUint32(r[12:], uint32(p.origLen()))
		if _, err := w.Write(append(r, p.Data...)); err != nil {
			return err
		}
	}
	return nil
}

// pcapng block types and option codes.
const (
	ngSHB         = 0x0A0D0D0A
	ngIDB         = 0x00000001
	ngEPB         = 0x00000006
	ngOptEnd      = 0
	ngOptUserAppl = 4
	ngOptIfName   = 2
	ngOptTSResol  = 9
)

// ngOption appends one little-endian pcapng option, padded to 4 bytes.
func ngOption(b []byte, code uint16, val []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// ngBlock wraps body in a little-endian pcapng block of type typ.
func ngBlock(typ uint32, body []byte) []byte {
	n := uint32(12 + len(body))
	b := binary.LittleEndian.AppendUint32(nil, typ)
	b = binary.LittleEndian.AppendUint32(b, n)
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, n)
}

// WritePcapNG writes a little-endian pcapng file: one Section Header Block
// (with a shb_userappl option naming pcapgen), one Interface Description
// Block per link (link type, snaplen 262144, if_name when Link.Name is
// set, if_tsresol 6 = microseconds) and one Enhanced Packet Block per
// packet, on interface Packet.Iface.
func WritePcapNG(w io.Writer, links []Link, pkts []Packet) error {
	shb := binary.LittleEndian.AppendUint32(nil, 0x1A2B3C4D)
	shb = binary.LittleEndian.AppendUint16(shb, 1)
	shb = binary.LittleEndian.AppendUint16(shb, 0)
	shb = binary.LittleEndian.AppendUint64(shb, 0xFFFFFFFFFFFFFFFF) // section length unknown
	shb = ngOption(shb, ngOptUserAppl, []byte("sipaudit pcapgen"))
	shb = ngOption(shb, ngOptEnd, nil)
	out := ngBlock(ngSHB, shb)
	for _, l := range links {
		idb := binary.LittleEndian.AppendUint16(nil, uint16(l.Type))
		idb = binary.LittleEndian.AppendUint16(idb, 0)
		idb = binary.LittleEndian.AppendUint32(idb, 262144)
		if l.Name != "" {
			idb = ngOption(idb, ngOptIfName, []byte(l.Name))
		}
		idb = ngOption(idb, ngOptTSResol, []byte{6})
		idb = ngOption(idb, ngOptEnd, nil)
		out = append(out, ngBlock(ngIDB, idb)...)
	}
	for i, p := range pkts {
		if p.Iface < 0 || p.Iface >= len(links) {
			return fmt.Errorf("pcapgen: packet %d on unknown interface %d", i, p.Iface)
		}
		ts := uint64(p.Time.UnixMicro())
		epb := binary.LittleEndian.AppendUint32(nil, uint32(p.Iface))
		epb = binary.LittleEndian.AppendUint32(epb, uint32(ts>>32))
		epb = binary.LittleEndian.AppendUint32(epb, uint32(ts))
		epb = binary.LittleEndian.AppendUint32(epb, uint32(len(p.Data)))
		epb = binary.LittleEndian.AppendUint32(epb, uint32(p.origLen()))
		epb = append(epb, p.Data...)
		for len(epb)%4 != 0 {
			epb = append(epb, 0)
		}
		out = append(out, ngBlock(ngEPB, epb)...)
	}
	_, err := w.Write(out)
	return err
}

// Gzip returns b compressed as a gzip member with no name and a zero
// modification time, so the output depends only on b (and on the Go
// release's compress/flate).
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
