package rules

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	w := newWindow[int](10 * time.Second)
	w.put("a", at(0), 1)
	w.put("b", at(2), 2)
	w.put("a", at(5), 3) // keeps its place and its time
	if v, ok := w.get("a"); !ok || v != 3 {
		t.Fatalf("get a = %d, %v; want 3, true", v, ok)
	}
	if got := w.expire(at(10)); len(got) != 0 {
		t.Fatalf("expire at 10 s = %v; want nothing (a put at 0 s is 10 s old)", got)
	}
	if got := w.expire(at(11)); !slices.Equal(got, []int{3}) {
		t.Fatalf("expire at 11 s = %v; want [3]", got)
	}
	if _, ok := w.get("a"); ok {
		t.Fatal("a still held after expiring")
	}
	// Deleted, then put again: the new entry has its own time; the old
	// place in the queue neither expires it nor counts.
	w.delete("b")
	if _, ok := w.get("b"); ok {
		t.Fatal("b still held after delete")
	}
	w.put("b", at(11), 4)
	if got := w.expire(at(13)); len(got) != 0 {
		t.Fatalf("expire at 13 s = %v; want nothing (b was put again at 11 s)", got)
	}
	w.put("c", at(12), 5)
	if got := w.expire(at(30)); !slices.Equal(got, []int{4, 5}) {
		t.Fatalf("expire at 30 s = %v; want [4 5] in first-put order", got)
	}
	if len(w.items) != 0 || len(w.order) != 0 {
		t.Fatalf("%d items, %d queued after everything expired", len(w.items), len(w.order))
	}
}

func TestWindowCap(t *testing.T) {
	w := newWindow[int](time.Hour)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	w.put("gone", t0, -1)
	w.delete("gone") // a stale queue entry ahead of the rest
	for i := range maxTracked + 2 {
		w.put(strconv.Itoa(i), t0, i)
	}
	if len(w.items) != maxTracked {
		t.Fatalf("%d items; want the cap, %d", len(w.items), maxTracked)
	}
	for _, k := range []string{"0", "1"} {
		if _, ok := w.get(k); ok {
			t.Fatalf("%s, among the oldest, still held past the cap", k)
		}
	}
	if v, ok := w.get("2"); !ok || v != 2 {
		t.Fatalf("get 2 = %d, %v; want 2, true", v, ok)
	}
}

func TestWindowHash2(t *testing.T) {
	w := newWindow[int](time.Hour)
	if w.hash2("a", "bc") == w.hash2("ab", "c") {
		t.Error("hash2 does not separate its parts")
	}
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	w.putH(w.hash2("proxy", "n1"), t0, 7)
	if v, ok := w.getH(w.hash2("proxy", "n1")); !ok || v != 7 {
		t.Errorf("getH = %d, %v; want 7, true", v, ok)
	}
	if _, ok := w.getH(w.hash2("www", "n1")); ok {
		t.Error("another pair found")
	}
	w.deleteH(w.hash2("proxy", "n1"))
	if _, ok := w.getH(w.hash2("proxy", "n1")); ok {
		t.Error("found after deleteH")
	}
}
