package analyzer

import (
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/digest/aka"
)

// Credential is one row of a credentials file (interface.md "Credentials
// file"): what the reference knows about one user. Several rows for one
// username and realm are successive passwords, the later the newer (TS
// 33.203 N.2.5).
type Credential struct {
	Username string
	Realm    string // "" matches any realm
	Secret   digest.Secret
	Line     int // 1-based line of the row, for messages
}

// credColumns are the columns a credentials file may have.
var credColumns = map[string]bool{
	"username": true, "realm": true, "password": true,
	"ha1_md5": true, "ha1_sha256": true, "ha1_sha512_256": true,
	"k": true, "opc": true, "op": true, "amf": true,
}

// CredentialsError is a credentials file that cannot be used: the line
// and column at fault, and why. It never quotes a secret.
type CredentialsError struct {
	Line   int
	Column string
	Reason string
}

func (e *CredentialsError) Error() string {
	switch {
	case e.Line > 0 && e.Column != "":
		return fmt.Sprintf("line %d: column %s: %s", e.Line, e.Column, e.Reason)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}

// ReadCredentials reads a credentials file: CSV with a header row naming
// its columns in any order (username required; realm, password, ha1_md5,
// ha1_sha256, ha1_sha512_256, k, opc, op, amf optional; any other column
// is an error). Each row must give a username and at least one secret: a
// password, an H(A1), or AKA keys (k with opc or op). An empty cell is
// absent. Errors are *CredentialsError and never contain a secret.
func ReadCredentials(r io.Reader) ([]Credential, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &CredentialsError{Reason: "empty file: a header row is required"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		if !credColumns[name] {
			return nil, &CredentialsError{Line: 1, Column: clipName(name), Reason: "unknown column (known: username, realm, password, ha1_md5, ha1_sha256, ha1_sha512_256, k, opc, op, amf)"}
		}
		if _, dup := cols[name]; dup {
			return nil, &CredentialsError{Line: 1, Column: name, Reason: "column appears twice"}
		}
		cols[name] = i
	}
	if _, ok := cols["username"]; !ok {
		return nil, &CredentialsError{Line: 1, Reason: "no username column"}
	}
	var out []Credential
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		c, err := credentialRow(rec, cols, line)
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
}

func credentialRow(rec []string, cols map[string]int, line int) (Credential, error) {
	get := func(name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	c := Credential{Username: get("username"), Realm: get("realm"), Line: line}
	if c.Username == "" {
		return c, &CredentialsError{Line: line, Column: "username", Reason: "empty"}
	}
	if pw := get("password"); pw != "" {
		c.Secret.Password = []byte(pw)
	}
	for col, h := range map[string]digest.Hash{"ha1_md5": digest.HashMD5, "ha1_sha256": digest.HashSHA256, "ha1_sha512_256": digest.HashSHA512_256} {
		v := strings.TrimSpace(get(col))
		if v == "" {
			continue
		}
		if b, err := hex.DecodeString(v); err != nil || len(b) != h.Size() {
			return c, &CredentialsError{Line: line, Column: col, Reason: fmt.Sprintf("not %d hex digits", 2*h.Size())}
		}
		if c.Secret.HA1 == nil {
			c.Secret.HA1 = map[digest.Hash]string{}
		}
		c.Secret.HA1[h] = strings.ToLower(v)
	}
	keys := map[string][]byte{}
	for _, col := range []string{"k", "opc", "op", "amf"} {
		v := strings.TrimSpace(get(col))
		if v == "" {
			continue
		}
		b, err := hex.DecodeString(v)
		if err != nil {
			return c, &CredentialsError{Line: line, Column: col, Reason: "not hex"}
		}
		keys[col] = b
	}
	if len(keys) > 0 {
		sub := aka.Subscriber{K: keys["k"], OPc: keys["opc"], OP: keys["op"], AMF: keys["amf"]}
		if _, err := sub.Milenage(); err != nil {
			col, why := akaReason(err)
			return c, &CredentialsError{Line: line, Column: col, Reason: "AKA keys unusable: " + why}
		}
		c.Secret.AKA = sub
	}
	if c.Secret.IsZero() {
		return c, &CredentialsError{Line: line, Reason: "no secret: give a password, an H(A1) or AKA keys"}
	}
	return c, nil
}

// akaReason names the column of an AKA key error and says what is wrong,
// without the key material.
func akaReason(err error) (column, reason string) {
	var le *aka.LengthError
	switch {
	case errors.As(err, &le) && le.Got == 0 && le.Field != "K":
		return "opc", "k needs opc or op"
	case errors.As(err, &le):
		return strings.ToLower(le.Field), fmt.Sprintf("%d bytes, want %d", le.Got, le.Want)
	case errors.Is(err, aka.ErrInconsistentOPc):
		return "opc", "op and opc disagree"
	}
	return "k", "k with opc or op (16 bytes each) are required"
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CredentialsError{Line: pe.Line, Reason: pe.Err.Error()}
	}
	return &CredentialsError{Reason: err.Error()}
}

func clipName(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// NewVerifier returns a reference verifier holding the credentials, in
// file order (so a later row for a user is the newer secret).
func NewVerifier(creds []Credential, cfg digest.Config) *digest.Verifier {
	v := digest.NewVerifier(cfg)
	for _, c := range creds {
		v.AddSecret(c.Username, c.Realm, c.Secret)
	}
	return v
}
