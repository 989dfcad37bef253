//go:build !amd64 || purego

package crack

// md5BlockN runs one MD5 block on all lanes: s[w][l] is state word w of
// lane l and m[k][l] message word k of lane l.
func md5BlockN(s *stateN, m *blockN) {
	for l := 0; l < lanes; l++ {
		md5BlockLane(s, m, l)
	}
}
