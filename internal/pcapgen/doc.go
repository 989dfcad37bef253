// Package pcapgen builds small, byte-exact SIP capture fixtures for tests.
//
// Everything it produces is deterministic: timestamps come from a fixed
// base time (BaseTime) plus fixed increments, addresses come from the
// documentation ranges (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32 and
// the 00:00:5e:00:53:xx MAC block of RFC 7042), and SIP branches, tags and
// digest responses are derived from the message contents, so the same
// program always yields the same bytes.
//
// The package has four layers:
//
//   - SIP message rendering (Message, UA and the Register, Invite,
//     Response, ... helpers) with a correct Content-Length;
//   - IP packet builders on top of gopacket's layers package (BuildUDP,
//     BuildTCP, FragmentUDP4, FragmentUDP6, BuildSCTPData) and link-layer
//     framing (Link.Frame) for Ethernet with optional 802.1Q / QinQ tags,
//     Linux SLL and SLL2, BSD NULL/loopback and the raw IP link types;
//     payload encoders for WebSocket (WSFrame), HEPv3 (HEP3) and TLS
//     records (TLSRecord);
//   - a Capture that collects framed, timestamped packets on one or more
//     interfaces, with a Flow helper for TCP connections, and remembers
//     which SIP messages it carried (Capture.Want);
//   - file writers: classic pcap in either byte order and micro- or
//     nanosecond resolution (WritePcap), pcapng with several interfaces
//     (WritePcapNG) and gzip (Gzip).
//
// Fixtures returns the fixture set stored in testdata/capture; the files
// there are (re)written by
//
//	go test ./internal/pcapgen -run TestWriteFixtures -update
//
// AuthFixtures returns the authentication captures of testdata/auth
// (digest, Basic and IMS AKA flows whose responses are computed with the
// digest packages), AuthCredsCSV their credentials file; both, with
// testdata/auth/expected.json, are (re)written by
//
//	go test ./internal/pcapgen -run TestWriteAuthFixtures -update
package pcapgen
