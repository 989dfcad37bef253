// Package digest is sipaudit's reference implementation of SIP Digest
// authentication as IMS uses it: RFC 7616 (with RFC 2617 and RFC 2069
// compatibility), RFC 3261 section 22, and 3GPP TS 33.203 Annex N.
// Captured exchanges are replayed through it, and a server that disagrees
// with it is reported.
//
// The package has four parts:
//
//   - Header grammar. Parse splits a WWW-Authenticate, Proxy-Authenticate,
//     Authorization or Proxy-Authorization field value into Auth values
//     (several challenges per value are allowed) and ParseParams reads
//     Authentication-Info. ParseChallenge, ParseCredentials and
//     ParseAuthInfo give typed views that keep duplicate and unknown
//     parameters and list what is wrong as Problems; Validate says whether
//     credentials can be verified at all, with a *ParamError naming the
//     parameter.
//   - Algorithms. MD5, SHA-256 and SHA-512-256 with their "-sess"
//     variants, qop auth, auth-int and absent, userhash, rspauth; H(A1)
//     from a password or as an SD-AV hands it; AKAv1-MD5 and AKAv2-MD5
//     through the AKAKey interface (implemented by digest/aka). Every
//     computation returns its Work, the steps shown with secrets masked.
//   - The S-CSCF verifier. Verifier learns the nonces the real server
//     issued, keeps separate engines for Authorization and
//     Proxy-Authorization, tracks nonce-counts, ends a REGISTER
//     authentication when a new one is challenged, holds at most two
//     secrets per user (N.2.5), and returns a Verdict with its reason.
//   - The UE side. UE selects the first supported algorithm in the
//     server's order, builds credentials and checks rspauth.
//
// The package uses the standard library only, does no I/O and never reads
// the clock: times are capture timestamps passed in. Passwords and H(A1)
// values are never part of a Result or Work.
package digest
