// Package analyzer turns the SIP messages the capture layer found into a
// model of who authenticated to whom, how, and what the server answered,
// next to what the reference says it should have answered.
//
// An Analyzer takes messages in capture order (Add) and:
//
//   - counts them as Wireshark does (requests by method, responses by
//     status) and tells which are malformed (sipgo's parser, on a second
//     goroutine);
//   - reads each message with a lenient scanner (ScanMsg), so that a
//     message sipgo rejects is still correlated;
//   - matches requests and responses into transactions (RFC 3261 17.1.3
//     and 17.2.3, with the RFC 2543 fallback), recognising
//     retransmissions;
//   - groups dialogs (INVITE calls with sngrep's states, SUBSCRIBE and
//     REFER subscriptions);
//   - rebuilds registrations per AOR from REGISTER answers and reg-event
//     NOTIFY bodies;
//   - makes every request carrying credentials an Exchange, replays it
//     through the digest package's reference S-CSCF (the credentials file
//     is read by ReadCredentials), feeds the reference every 401/407 it
//     sees, and completes the exchange with the server's final answer
//     and the check of its rspauth.
//
// Exchanges, dialogs and registrations are handed to callbacks when they
// are over, so memory stays bounded by the traffic in flight rather than
// by the size of the capture.
//
// The package is pure: it reads no files and no clock; time comes from
// the packets.
package analyzer
