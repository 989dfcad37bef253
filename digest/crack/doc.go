// Package crack runs offline dictionary attacks against captured SIP/HTTP
// Digest responses (RFC 2617, RFC 7616, RFC 8760). It backs rule SA106
// (weak-password): "the password behind a captured digest was recovered from
// the user's wordlist".
//
// # What it covers
//
// A [Target] is one captured Authorization (or Proxy-Authorization) header
// together with the request method. Every combination that RFC 7616 defines
// is supported, which is more than hashcat (mode 11400) and John the Ripper
// (format SIP) handle: they crack MD5 only, without -sess and without
// qop=auth-int.
//
//   - algorithms MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256 and
//     SHA-512-256-sess, compared case-insensitively; an empty algorithm
//     means MD5;
//   - qop auth, auth-int (the caller supplies H(entity-body) as hex in
//     [Target.BodyHash]) and absent (the RFC 2069 form).
//
// The response is computed as RFC 7616 section 3.4 says, with H the
// algorithm's hash written as lowercase hex:
//
//	A1       = username ":" realm ":" password
//	A1 -sess = H(username ":" realm ":" password) ":" nonce ":" cnonce
//	A2       = method ":" digest-uri                  (qop auth or absent)
//	A2       = method ":" digest-uri ":" H(body)      (qop auth-int)
//	response = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2))
//	response = H(H(A1) ":" nonce ":" H(A2))           (qop absent)
//
// # Entry points
//
// [Check] tries one password against one target; it is meant for cheap
// guesses such as "the password is the user name". [Run] reads a word list
// once and tries every word against every target, on all cores. [ParseJohn]
// and [Target.John] convert to and from the "$sip$*" line that John the
// Ripper's SIP format and hashcat's mode 11400 read, so an auditor can hand
// an MD5 target to those tools.
//
// # Word lists
//
// Words are separated by '\n'; one '\r' before the '\n' is removed, so
// CRLF lists work. Nothing else is stripped: leading and trailing blanks
// belong to the word. An empty line is the empty-password candidate and is
// tried, which is what John the Ripper 1.9 does in wordlist mode. The last
// line needs no terminating newline. Lines longer than [MaxWordLen] bytes
// are skipped, not truncated, and counted in [Stats.Skipped].
//
// # Speed and memory
//
// One goroutine reads the list in large chunks into a fixed pool of
// buffers; the workers scan the lines of each chunk. Memory is bounded by
// the pool (a few MiB) whatever the size of the list. Per target, the parts
// of the computation that do not depend on the password are computed once:
// the "username:realm:" prefix of A1, H(A2), and the whole
// ":nonce:nc:cnonce:qop:H(A2)" suffix of the final hash input. Targets that
// share hash function, user name and realm share one H(A1) per candidate.
// The per-candidate path writes into per-worker buffers and allocates
// nothing. Run stops reading as soon as every target is cracked, and checks
// its context between chunks and every few hundred candidates.
package crack
