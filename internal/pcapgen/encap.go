package pcapgen

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"
)

// WebSocket opcodes (RFC 6455 5.2).
const (
	WSContinuation byte = 0x0
	WSText         byte = 0x1
	WSBinary       byte = 0x2
	WSClose        byte = 0x8
	WSPing         byte = 0x9
	WSPong         byte = 0xA
)

// WSFrame encodes one RFC 6455 frame: FIN bit and opcode, the payload
// length in 7, 16 or 64 bits, and, when mask is non-nil (it must then be
// 4 bytes, as a client must send), the mask bit, masking key and the
// XOR-masked payload.
func WSFrame(fin bool, opcode byte, mask []byte, payload []byte) []byte {
	b0 := opcode & 0x0f
	if fin {
		b0 |= 0x80
	}
	out := []byte{b0}
	var mbit byte
	if mask != nil {
		mbit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		out = append(out, mbit|byte(n))
	case n <= 0xffff:
		out = append(out, mbit|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, mbit|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	if mask == nil {
		return append(out, payload...)
	}
	out = append(out, mask[:4]...)
	for i, c := range payload {
		out = append(out, c^mask[i%4])
	}
	return out
}

// wsGUID is the RFC 6455 handshake GUID.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// WSAccept returns the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.
func WSAccept(key string) string {
	h := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// WSUpgradeRequest returns an RFC 7118 opening handshake request (HTTP/1.1
// GET with Upgrade: websocket and Sec-WebSocket-Protocol: sip).
func WSUpgradeRequest(host, path, key string) []byte {
	return []byte("GET " + path + " HTTP/1.1\r\n" +
		"Host: " + host + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\n" +
		"Origin: http://" + host + "\r\n" +
		"Sec-WebSocket-Protocol: sip\r\n" +
		"Sec-WebSocket-Version: 13\r\n\r\n")
}

// WSUpgradeResponse returns the 101 Switching Protocols answer to
// WSUpgradeRequest for key, selecting the sip subprotocol.
func WSUpgradeResponse(key string) []byte {
	return []byte("HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + WSAccept(key) + "\r\n" +
		"Sec-WebSocket-Protocol: sip\r\n\r\n")
}

// HEP3 describes one HEPv3 (HOMER encapsulation protocol) packet.
type HEP3 struct {
	// Src and Dst are the original packet's endpoints (IPv4 or IPv6).
	Src, Dst netip.AddrPort
	// Time is the original capture time (seconds and microseconds).
	Time time.Time
	// Proto is the original IP protocol; 0 means UDP (17).
	Proto uint8
	// Type is the payload type; 0 means SIP (1).
	Type uint8
	// CaptureID is the capture agent ID.
	CaptureID uint32
	// Payload is the encapsulated payload, sent uncompressed (chunk 0x000f).
	Payload []byte
}

// Bytes encodes h: "HEP3", the total length, then chunks (vendor 0, type,
// length including the 6-byte chunk header, value): IP family, IP
// protocol, source and destination address (IPv4 chunks 3/4 or IPv6
// chunks 5/6), ports, timestamp seconds and microseconds, payload type,
// capture ID and payload.
func (h HEP3) Bytes() []byte {
	var chunks []byte
	add := func(typ uint16, v []byte) {
		chunks = binary.BigEndian.AppendUint16(chunks, 0)
		chunks = binary.BigEndian.AppendUint16(chunks, typ)
		chunks = binary.BigEndian.AppendUint16(chunks, uint16(6+len(v)))
		chunks = append(chunks, v...)
	}
	u16 := func(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
	u32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	proto, typ := h.Proto, h.Type
	if proto == 0 {
		proto = ProtoUDP
	}
	if typ == 0 {
		typ = 1
	}
	src, dst := h.Src.Addr().Unmap(), h.Dst.Addr().Unmap()
	if src.Is4() {
		add(0x0001, []byte{2})
	} else {
		add(0x0001, []byte{10})
	}
	add(0x0002, []byte{proto})
	if src.Is4() {
		add(0x0003, src.AsSlice())
		add(0x0004, dst.AsSlice())
	} else {
		add(0x0005, src.AsSlice())
		add(0x0006, dst.AsSlice())
	}
	add(0x0007, u16(h.Src.Port()))
	add(0x0008, u16(h.Dst.Port()))
	add(0x0009, u32(uint32(h.Time.Unix())))
	add(0x000a, u32(uint32(h.Time.Nanosecond()/1000)))
	add(0x000b, []byte{typ})
	add(0x000c, u32(h.CaptureID))
	add(0x000f, h.Payload)
	out := []byte("HEP3")
	out = binary.BigEndian.AppendUint16(out, uint16(6+len(chunks)))
	return append(out, chunks...)
}

// TLS record content types.
const (
	TLSChangeCipherSpec byte = 20
	TLSAlert            byte = 21
	TLSHandshake        byte = 22
	TLSApplicationData  byte = 23
)

// TLSRecord encodes one TLS record: content type, protocol version (for
// example 0x0301 or 0x0303), 16-bit length and body.
func TLSRecord(contentType byte, version uint16, body []byte) []byte {
	out := []byte{contentType}
	out = binary.BigEndian.AppendUint16(out, version)
	out = binary.BigEndian.AppendUint16(out, uint16(len(body)))
	return append(out, body...)
}

// tlsHandshakeMsg wraps body in a handshake message header (type, 24-bit
// length).
func tlsHandshakeMsg(typ byte, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// tlsRandom returns 32 deterministic bytes derived from seed.
func tlsRandom(seed string) []byte {
	a := sha1.Sum([]byte(seed + "/1"))
	b := sha1.Sum([]byte(seed + "/2"))
	return append(a[:], b[:12]...)
}

// TLSClientHello returns a TLS 1.2 ClientHello handshake record (record
// version 0x0301) with a deterministic random, a few cipher suites and a
// server_name extension for serverName.
func TLSClientHello(serverName string) []byte {
	b := []byte{0x03, 0x03}
	b = append(b, tlsRandom("client"+serverName)...)
	b = append(b, 0)                                              // session id length
	b = append(b, 0x00, 0x06, 0xc0, 0x2f, 0xc0, 0x2b, 0x00, 0x9c) // cipher suites
	b = append(b, 1, 0)                                           // null compression
	sni := []byte{0}                                              // host_name
	sni = binary.BigEndian.AppendUint16(sni, uint16(len(serverName)))
	sni = append(sni, serverName...)
	list := binary.BigEndian.AppendUint16(nil, uint16(len(sni)))
	list = append(list, sni...)
	ext := binary.BigEndian.AppendUint16(nil, 0) // server_name
	ext = binary.BigEndian.AppendUint16(ext, uint16(len(list)))
	ext = append(ext, list...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(ext)))
	b = append(b, ext...)
	return TLSRecord(TLSHandshake, 0x0301, tlsHandshakeMsg(1, b))
}

// TLSServerHello returns a TLS 1.2 ServerHello record (version 0x0303)
// choosing TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, followed in the same
// record by a ServerHelloDone.
func TLSServerHello(seed string) []byte {
	b := []byte{0x03, 0x03}
	b = append(b, tlsRandom("server"+seed)...)
	b = append(b, 0, 0xc0, 0x2f, 0) // empty session id, cipher suite, null compression
	msgs := append(tlsHandshakeMsg(2, b), tlsHandshakeMsg(14, nil)...)
	return TLSRecord(TLSHandshake, 0x0303, msgs)
}

// TLSOpaque returns an application-data record of n deterministic
// pseudo-random bytes, as encrypted traffic looks on the wire.
func TLSOpaque(seed string, n int) []byte {
	var body []byte
	for i := 0; len(body) < n; i++ {
		h := sha1.Sum([]byte(fmt.Sprintf("%s/%d", seed, i)))
		body = append(body, h[:]...)
	}
	return TLSRecord(TLSApplicationData, 0x0303, body[:n])
}
