// Package hep decodes and encodes HEPv3 packets, the Homer Encapsulation
// Protocol version 3 spoken by capture agents such as heplify, Kamailio
// (siptrace/sipcapture), OpenSIPS and FreeSWITCH.
//
// A HEPv3 packet is the ASCII magic "HEP3", a big-endian uint16 total length
// (covering the whole packet, header included) and a sequence of chunks. Each
// chunk is a big-endian uint16 vendor id, uint16 chunk type and uint16 chunk
// length (covering its own 6-byte header) followed by the value. Vendor 0
// carries the generic chunks this package understands: address family,
// transport protocol, IPv4/IPv6 addresses, ports, capture timestamp, payload
// protocol type, capture agent id and name, authentication key, correlation
// id, VLAN and the captured message itself, either raw (chunk 0x000f) or
// compressed (chunk 0x0010). Chunks of other vendors, and unknown generic
// chunk types, are skipped.
//
// Parse decodes one packet from the start of a buffer and reports how many
// bytes it occupies, so that a stream of HEP packets received over TCP can be
// walked packet by packet. Uncompressed payloads are returned as sub-slices
// of the input without copying; compressed payloads are inflated under a
// caller-supplied size bound so that decompression bombs cannot exhaust
// memory. Errors wrap the sentinels ErrNotHEP, ErrTruncated, ErrMalformed and
// ErrTooLarge, to be tested with errors.Is.
//
// Encode builds packets; it exists for tests and fixture builders.
package hep
