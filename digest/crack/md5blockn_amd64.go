//go:build amd64 && !purego

package crack

// md5BlockN runs one MD5 block on all lanes at once: s[w][l] is state word
// w of lane l and m[k][l] message word k of lane l. It is written in SSE2
// assembly by gen_md5blockn.go.
//
//go:noescape
func md5BlockN(s *stateN, m *blockN)
