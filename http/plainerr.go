package http

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"

	sb "github.com/switchboard/switchboard"
)

// Go's server answers a few malformed requests itself, before any handler:
// headers over MaxHeaderBytes (431), a bad request line or header (400),
// an unsupported transfer encoding (501) or protocol version (505). It
// writes them in one Write, in plain text with these headers.
const plainErrHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// jsonErrConn rewrites those answers into the JSON envelope of every
// other error; everything else passes as it is.
type jsonErrConn struct{ net.Conn }

func (c *jsonErrConn) Write(p []byte) (int, error) {
	if out, ok := jsonServerError(p); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// jsonServerError returns the JSON form of one of Go's own plain-text
// error answers; false for anything else.
func jsonServerError(p []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(p, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 3 || (rest[0] != '4' && rest[0] != '5') {
		return nil, false
	}
	statusLine, text, ok := bytes.Cut(rest[:min(len(rest), 512)], []byte(plainErrHeaders))
	if !ok || len(statusLine) < 4 || statusLine[3] != ' ' {
		return nil, false // Go writes "NNN Status text"
	}
	status, err := strconv.Atoi(string(statusLine[:3]))
	if err != nil {
		return nil, false
	}
	var body ErrorBody
	body.Error.Code, body.Error.Message = "bad_request", string(bytes.TrimPrefix(text, statusLine[:4]))
	if status == 431 {
		body.Error.Code = sb.ETOOLARGE
		body.Error.Message = "the request's headers are over " + strconv.Itoa(MaxHeaderBytes>>10) + " KiB"
	}
	js, _ := json.Marshal(body)
	js = append(js, '\n')
	out := append([]byte("HTTP/1.1 "), statusLine...)
	out = append(out, "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(js)), 10)
	out = append(out, "\r\n\r\n"...)
	return append(out, js...), true
}

// MaxHeaderBytes is the most a request's headers may hold
// (http.Server.MaxHeaderBytes).
const MaxHeaderBytes = 64 << 10
