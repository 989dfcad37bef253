package capture

import (
	"reflect"
	"time"
)

// Limits bound what the decoder keeps in memory, so that hostile or
// broken input costs counted drops, never unbounded growth.
type Limits struct {
	// MaxMessage is the largest SIP message accepted, headers and body.
	MaxMessage int
	// MaxStreams is the number of TCP connections (and SCTP streams
	// being reassembled) tracked at once; packets of further new
	// connections are counted and dropped until older ones end or idle
	// out.
	MaxStreams int
	// MaxStreamBytes is the total of unframed stream bytes held by all
	// connections together.
	MaxStreamBytes int
	// MaxBufferedPages caps the TCP reassembler's out-of-order queue, in
	// pages of about 1.9 KB, in total and per connection.
	MaxBufferedPages, MaxBufferedPagesPerConn int
	// MaxFragmentDatagrams is the number of IP datagrams under
	// reassembly at once; MaxFragments the fragments one may have.
	MaxFragmentDatagrams, MaxFragments int
	// FragmentTimeout is how long, in capture time, an incomplete
	// datagram waits for its missing fragments (Linux: 30 s).
	FragmentTimeout time.Duration
	// StreamIdleTimeout is how long, in capture time, an idle TCP
	// connection is kept before its buffers are released.
	StreamIdleTimeout time.Duration
}

// DefaultLimits returns limits that keep peak memory well under 150 MB
// whatever the input.
func DefaultLimits() Limits {
	return Limits{
		MaxMessage:              256 << 10,
		MaxStreams:              16384,
		MaxStreamBytes:          48 << 20,
		MaxBufferedPages:        16384,
		MaxBufferedPagesPerConn: 256,
		MaxFragmentDatagrams:    2048,
		MaxFragments:            64,
		FragmentTimeout:         30 * time.Second,
		StreamIdleTimeout:       5 * time.Minute,
	}
}

// Stats counts what the decoder saw and what it dropped. Field names are
// the snake_case keys of the JSON report's "capture" section.
type Stats struct {
	Packets          int `json:"packets"`
	Bytes            int `json:"bytes"`
	SIPMessages      int `json:"sip_messages"`
	Undecodable      int `json:"undecodable_packets"`
	UnsupportedLink  int `json:"unsupported_link_packets"`
	NonIP            int `json:"non_ip_packets"`
	OtherIPProtocol  int `json:"other_ip_protocol_packets"`
	IPFragments      int `json:"ip_fragments"`
	IPReassembled    int `json:"ip_datagrams_reassembled"`
	IPFragmentsLost  int `json:"ip_fragments_dropped"`
	UDPDatagrams     int `json:"udp_datagrams"`
	UDPNotSIP        int `json:"udp_not_sip"`
	KeepAlives       int `json:"keep_alives"`
	TCPSegments      int `json:"tcp_segments"`
	TCPConnections   int `json:"tcp_connections"`
	TCPRefused       int `json:"tcp_segments_over_stream_cap"`
	TCPBytesMissing  int `json:"tcp_bytes_missing"`
	StreamBytesSkip  int `json:"stream_bytes_not_sip"`
	StreamOverflows  int `json:"stream_buffer_overflows"`
	OversizeMessages int `json:"oversize_messages"`
	BadContentLength int `json:"bad_content_length"`
	TLSConnections   int `json:"tls_connections"`
	TLSBytes         int `json:"tls_bytes"`
	WSConnections    int `json:"ws_connections"`
	WSMessages       int `json:"ws_messages"`
	WSErrors         int `json:"ws_errors"`
	SCTPChunks       int `json:"sctp_data_chunks"`
	HEPPackets       int `json:"hep_packets"`
	HEPErrors        int `json:"hep_errors"`
	HEPNotSIP        int `json:"hep_not_sip"`
	// HEPAuthFailed counts HEP packets a listener refused: their auth
	// key was missing or not the one expected.
	HEPAuthFailed int `json:"hep_auth_failed,omitempty"`
}

// Add adds o's counters to s (for a run over several inputs).
func (s *Stats) Add(o Stats) {
	sv, ov := reflect.ValueOf(s).Elem(), reflect.ValueOf(o)
	for i := range sv.NumField() {
		sv.Field(i).SetInt(sv.Field(i).Int() + ov.Field(i).Int())
	}
}
