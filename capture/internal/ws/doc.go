// Package ws decodes WebSocket (RFC 6455) traffic carrying SIP (RFC 7118)
// as seen by a passive observer of a packet capture.
//
// The input is the byte stream of one direction of a TCP connection,
// already reassembled in order. A connection normally starts with an HTTP/1.1
// upgrade handshake: [UpgradeRequest] recognises the client's request and
// [UpgradeResponse] the server's "101 Switching Protocols" answer. Both report
// the length of the handshake head so the caller can skip it, and whether more
// bytes are needed before a decision can be made. Handshake heads longer than
// [MaxHandshake] bytes are rejected.
//
// After the handshake each direction carries WebSocket frames. A [Reader]
// per direction parses frames, unmasks payloads (masking is accepted in both
// directions, since the observer does not know which side is which), skips
// control frames (ping, pong, close) and joins fragmented data messages. Each
// call to [Reader.Next] returns at most one complete message, as a freshly
// allocated slice, together with the number of input bytes consumed, so the
// caller can attribute messages to the packets that carried them.
//
// The decoder is designed for untrusted input: it never panics, never reads
// past the slice it is given, does work linear in the input size, and never
// allocates more than the configured maximum message size, checking declared
// lengths before allocating. Malformed frames are reported with errors that
// wrap [ErrProtocol] or [ErrTooLarge]; after an error the Reader is reset and
// the caller decides whether to resynchronise or give up on the stream.
//
// Compressed frames (permessage-deflate, RSV1) are not supported and are
// reported as protocol errors; SIP over WebSocket rarely negotiates them.
package ws
