package http

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// TestJSONServerError: Go's own plain-text error answers become the JSON
// envelope with their status; a handler's answers, whatever their status,
// pass as they are.
func TestJSONServerError(t *testing.T) {
	for _, c := range []struct {
		in     string
		status int
		code   string
	}{
		{"HTTP/1.1 431 Request Header Fields Too Large" + plainErrHeaders + "431 Request Header Fields Too Large", 431, "too_large"},
		{"HTTP/1.1 400 Bad Request: missing required Host header" + plainErrHeaders + "400 Bad Request: missing required Host header", 400, "bad_request"},
		{"HTTP/1.1 501 Not Implemented" + plainErrHeaders + "Unsupported transfer encoding", 501, "bad_request"},
	} {
		out, ok := jsonServerError([]byte(c.in))
		if !ok {
			t.Errorf("%q: not rewritten", c.in)
			continue
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
		if err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		var eb ErrorBody
		if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil || resp.StatusCode != c.status || eb.Error.Code != c.code ||
			eb.Error.Message == "" || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%q: %d %+v %v, want %d %s", out, resp.StatusCode, eb, err, c.status, c.code)
		}
	}
	for _, in := range []string{
		"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nok",
		"data: {}\n\n",
		"",
	} {
		if _, ok := jsonServerError([]byte(in)); ok {
			t.Errorf("%q was rewritten", in)
		}
	}
}

// FuzzJSONServerError: whatever is written, the rewrite never panics, and
// what it writes is a response whose body is the JSON envelope.
func FuzzJSONServerError(f *testing.F) {
	f.Add([]byte("HTTP/1.1 431 Request Header Fields Too Large" + plainErrHeaders + "431 Request Header Fields Too Large"))
	f.Add([]byte("HTTP/1.1 4" + plainErrHeaders))
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		out, ok := jsonServerError(p)
		if !ok {
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
		if err != nil {
			t.Fatalf("%q became %q: %v", p, out, err)
		}
		var eb ErrorBody
		if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil || eb.Error.Code == "" {
			t.Fatalf("%q became %q: %v", p, out, err)
		}
	})
}
