// Package capture turns captured bytes into SIP messages.
//
// It reads classic pcap (either byte order, micro- or nanosecond
// timestamps) and pcapng (several interfaces with different link types),
// optionally gzip-compressed, and decodes every packet down to SIP:
// Ethernet, 802.1Q and QinQ, PPPoE, GRE (including transparent Ethernet
// bridging), Linux cooked capture v1 and v2, raw IP, BSD loopback, IPv4
// and IPv6 with extension headers, IP-in-IP, IPv4 and IPv6 fragment
// reassembly, UDP, TCP with stream reassembly and SIP stream framing
// (RFC 3261 18.3), SIP over WebSocket (RFC 7118), SCTP DATA chunks and
// HEPv3 encapsulation.
//
// The result is an ordered stream of Message values: the SIP bytes plus
// the 1-based frame numbers they came from (as Wireshark numbers them),
// the capture time, the source and destination addresses and the
// transport. Everything hostile input could grow is capped (see Limits);
// what exceeds a cap is counted in Stats, never a crash.
//
// The package does no analysis: it does not parse SIP beyond finding
// where a message starts and ends.
package capture
