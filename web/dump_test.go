package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"testing"
)

// TestDump writes the pages of the fake run and the single file to
// $WEB_DUMP (skipped without it), to look at them in a browser.
func TestDump(t *testing.T) {
	dir := os.Getenv("WEB_DUMP")
	if dir == "" {
		t.Skip()
	}
	h := NewHandler(newFake(), Options{})
	for name, p := range map[string]string{"index": "/", "overview": "/runs/1", "findings": "/runs/1/findings", "exchanges": "/runs/1/exchanges",
		"exchange": "/runs/1/exchanges/x2", "dialogs": "/runs/1/dialogs", "dialog": "/runs/1/dialogs/d1", "regs": "/runs/1/registrations", "search": "/runs/1/search?q=bob", "404": "/runs/9"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		t.Logf("%s %d", p, rec.Code)
		os.WriteFile(dir+"/"+name+".html", bytes.ReplaceAll(rec.Body.Bytes(), []byte(`href="/static/style.css"`), []byte(`href="style.css"`)), 0o644)
	}
	os.WriteFile(dir+"/style.css", styleCSS, 0o644)
	f, _ := os.Create(dir + "/single.html")
	defer f.Close()
	if err := WriteHTML(context.Background(), f, newFake(), 1); err != nil {
		t.Fatal(err)
	}
}

// TestDumpHostile writes the hostile dialog and exchange pages to
// $WEB_DUMP, to look at them.
func TestDumpHostile(t *testing.T) {
	dir := os.Getenv("WEB_DUMP")
	if dir == "" {
		t.Skip()
	}
	src := newHostile()
	h := NewHandler(src, Options{})
	for name, p := range map[string]string{"h-dialog": "/runs/1/dialogs/" + seg(src.dialogs[0].ID), "h-exchange": "/runs/1/exchanges/" + seg(src.exchanges[1].ID), "h-findings": "/runs/1/findings", "h-overview": "/runs/1"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		os.WriteFile(dir+"/"+name+".html", bytes.ReplaceAll(rec.Body.Bytes(), []byte(`href="/static/style.css"`), []byte(`href="style.css"`)), 0o644)
	}
}
