package crack

import (
	"fmt"
	"strings"
)

// johnTag starts the lines of John the Ripper's SIP format and hashcat's
// mode 11400.
const johnTag = "$sip$*"

// johnFields is the number of '*'-separated fields after johnTag.
const johnFields = 14

// ParseJohn parses the "$sip$*" line that John the Ripper's SIP format
// (src/sip_fmt_plug.c) and hashcat's mode 11400 (src/modules/module_11400.c)
// read:
//
//	$sip$*SERVER*CLIENT*USER*REALM*METHOD*URI_PREFIX*URI_RESOURCE*URI_SUFFIX*NONCE*CNONCE*NC*QOP*MD5*RESPONSE
//
// The digest-uri is rebuilt as both tools do: URI_PREFIX ":" URI_RESOURCE,
// then ":" URI_SUFFIX when the suffix is not empty. With an empty prefix the
// tools disagree (John hashes ":" URI_RESOURCE, hashcat URI_RESOURCE alone);
// ParseJohn follows hashcat, since a digest-uri never starts with ':'.
// As in both tools, NC and CNonce take part only when QOP is not empty.
//
// A trailing "\r\n" is ignored. The algorithm field must be MD5 (the only
// one either tool knows); the line must give a Target that Validates, so
// QOP auth-int, which the line cannot carry a body hash for, is refused.
// The error wraps ErrJohnSyntax, or is the *FieldError from Validate.
// Response is returned in lowercase.
func ParseJohn(s string) (Target, error) {
	s = strings.TrimRight(s, "\r\n")
	if !strings.HasPrefix(s, johnTag) {
		return Target{}, fmt.Errorf("crack: %w: no %q prefix", ErrJohnSyntax, johnTag)
	}
	f := strings.Split(s[len(johnTag):], "*")
	if len(f) != johnFields {
		return Target{}, fmt.Errorf("crack: %w: want %d '*'-separated fields after %q, got %d", ErrJohnSyntax, johnFields, johnTag, len(f))
	}
	if !strings.EqualFold(f[12], "MD5") {
		return Target{}, fieldErr("Algorithm", ErrUnknownAlgorithm, "%q ($sip$ lines carry MD5 only)", clip(f[12]))
	}
	uri := f[6]
	if f[5] != "" {
		uri = f[5] + ":" + uri
	}
	if f[7] != "" {
		uri += ":" + f[7]
	}
	t := Target{
		Server:    f[0],
		Client:    f[1],
		Username:  f[2],
		Realm:     f[3],
		Method:    f[4],
		URI:       uri,
		Nonce:     f[8],
		CNonce:    f[9],
		NC:        f[10],
		QOP:       f[11],
		Algorithm: "MD5",
		Response:  strings.ToLower(f[13]),
	}
	if err := t.Validate(); err != nil {
		return Target{}, err
	}
	return t, nil
}

// John returns t as a "$sip$*" line for John the Ripper's SIP format and
// hashcat's mode 11400 (see ParseJohn), and whether t can be written so
// that both tools compute its response. It cannot when t does not
// Validate, when the algorithm is not plain MD5, when QOP is neither empty
// nor exactly "auth", when the URI is not PREFIX ":" RESOURCE [":" SUFFIX]
// with non-empty parts, when a field holds '*', CR, LF or NUL, or when a
// field exceeds the buffers of either tool.
func (t Target) John() (string, bool) {
	v, err := t.parse()
	if err != nil || v.kind != kindMD5 || v.sess {
		return "", false
	}
	if t.QOP != "" && t.QOP != "auth" {
		// hashcat recognises only lowercase auth; auth-int would need the
		// body hash, which neither tool takes.
		return "", false
	}
	prefix, rest, ok := strings.Cut(t.URI, ":")
	if !ok || prefix == "" {
		return "", false
	}
	resource, suffix, hasSuffix := strings.Cut(rest, ":")
	if resource == "" || hasSuffix && suffix == "" {
		return "", false
	}
	fields := []string{
		t.Server, t.Client, t.Username, t.Realm, t.Method,
		prefix, resource, suffix,
		t.Nonce, t.CNonce, t.NC, t.QOP, "MD5", strings.ToLower(t.Response),
	}
	for _, s := range fields {
		if strings.ContainsAny(s, "*\r\n\x00") {
			return "", false
		}
	}
	if !johnFits(t, prefix, resource, suffix) {
		return "", false
	}
	line := johnTag + strings.Join(fields, "*")
	if len(line) > 2048 { // John: valid() and the salt buffer in get_salt
		return "", false
	}
	return line, true
}

// johnFits reports whether every field fits the fixed buffers of John's
// sip_fmt_plug.c (sip_fmt_plug.h: strncpy into N-byte arrays keeps N-1
// bytes) and the token limits of hashcat's module_11400.c.
func johnFits(t Target, prefix, resource, suffix string) bool {
	static := 5 + len(t.Nonce) + len(t.NC) + len(t.CNonce) + len(t.QOP) + 32
	return len(t.Server) <= 255 && len(t.Client) <= 255 && // John HOST_MAXLEN 256
		len(t.Username) <= 116 && len(t.Realm) <= 116 && // hashcat token limits
		len(t.Username)+len(t.Realm)+2 <= 119 && // hashcat salt
		len(t.Method) <= 15 && // John METHOD_MAXLEN 16
		len(t.URI) <= 255 && len(t.Method)+1+len(t.URI) < 256 && // John uri[256], hashcat HA2 buffer
		len(prefix) <= 245 && len(resource) <= 246 && len(suffix) <= 245 && // hashcat
		t.Nonce != "" && len(t.Nonce) <= 127 && len(t.CNonce) <= 127 && // hashcat nonce >= 1, John NONCE_MAXLEN 128
		len(t.NC) <= 127 && len(t.QOP) <= 11 && // John CNONCE_MAXLEN, QOP_MAXLEN
		static <= 313 // John STATIC_HASH_SIZE 314 with its NUL
}
