// Package aka is a reference implementation of IMS AKA as HTTP/SIP Digest
// uses it (RFC 3310 AKAv1-MD5 and RFC 4169 AKAv2-MD5), so that sipaudit can
// replay captured IMS registrations and tell which Digest responses were
// right.
//
// It has three layers:
//
//   - [Milenage]: the 3GPP example algorithm set of TS 35.206 (f1, f1*, f2,
//     f3, f4, f5, f5* over AES-128), keyed with K and OPc ([New]) or OP
//     ([NewWithOP], [OPc]).
//   - The AKA procedure of TS 33.102 6.3: the network builds an
//     authentication vector with AUTN = (SQN xor AK) || AMF || MAC-A
//     ([Milenage.GenerateVector]); the UE checks the AUTN and obtains RES,
//     CK and IK ([Milenage.CheckAUTN]) and judges the SQN ([CheckSQN]); on a
//     synchronisation failure the UE sends AUTS = (SQN_MS xor AK*) || MAC-S
//     ([Milenage.GenerateAUTS]) and the network verifies it
//     ([Milenage.CheckAUTS]). MAC-S uses the dummy AMF 0x0000 (TS 33.102
//     6.3.3).
//   - The Digest mapping: the nonce is base64(RAND || AUTN || server data)
//     ([EncodeNonce], [DecodeNonce]); the password is RES for AKAv1-MD5 and
//     base64(HMAC-MD5(RES || IK || CK, "http-digest-akav2-password")) for
//     AKAv2-MD5 ([Password], [ParseAlgorithm]); the "auts" directive is
//     base64(AUTS) ([EncodeAUTS], [DecodeAUTS]). [Subscriber] ties it
//     together for one user's K and OPc or OP.
//
// # What the client sends when AKA fails
//
// A Digest AKA client that receives a challenge has three outcomes:
//
//   - Success: the "response" directive is computed with the password of
//     [Password] (RES, or its RFC 4169 derivation).
//   - Synchronisation failure (SQN out of range, [ErrSyncFailure]): RFC 3310
//     3.4 has the client send an "auts" directive and compute the
//     "response" with an empty password, [ResyncPassword]: "the client
//     MUST calculate its credentials using an empty password (password of
//     "")". The network recovers SQN_MS from the AUTS
//     ([Subscriber.Resync]) and challenges again.
//   - MAC failure (the AUTN does not authenticate the network,
//     [ErrMACFailure]): TS 24.229 5.1.1.5.3 has the UE send "no "auts"
//     Authorization header field parameter and an empty "response"
//     Authorization header field parameter, i.e. no authentication
//     challenge response". The response is empty, not a digest computed
//     with an empty password.
//
// # Conventions
//
// Inputs and outputs are byte slices of the sizes given by the constants
// ([KeySize], [RANDSize], [AUTNSize], ...). Every function checks them and
// returns a *[LengthError] (matching [ErrInvalidLength]) for a wrong
// length; nothing in the package panics on any input. Other failures wrap
// the sentinels [ErrMACFailure], [ErrSyncFailure], [ErrInvalidNonce],
// [ErrInvalidAUTS], [ErrUnsupportedVersion] and [ErrInconsistentOPc], for
// use with [errors.Is]. The package does no I/O, reads no clock or random
// source (RAND and SQN are the caller's), and holds no mutable global
// state.
//
// The test vectors are those of 3GPP TS 35.208 section 4.3, test sets 1
// to 6.
package aka
