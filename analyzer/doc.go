// Package analyzer parses the SIP messages the capture layer found and
// rebuilds what they mean. For now it counts them the way Wireshark does:
// requests by method and responses by status code, and tells which are
// malformed. Transactions, dialogs and authentication exchanges come on
// top of the same Stats.
//
// The package is pure: it reads no files and no clock; time comes from
// the packets.
package analyzer
