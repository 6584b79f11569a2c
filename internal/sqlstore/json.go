package sqlstore

import (
	"encoding/json"
	"unsafe"

	sb "github.com/switchboard/switchboard"
)

// Marshal is v as JSON text.
func (n Name) Marshal(v any, what string) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", n.Internal(err, "encode "+what)
	}
	return string(data), nil
}

// Unmarshal decodes stored JSON.
func (n Name) Unmarshal(data []byte, v any, what string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return n.Internal(err, "decode "+what)
	}
	return nil
}

// Appender is a vocabulary object that appends its own JSON, byte for byte
// what encoding/json writes (Message, Decision).
type Appender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// AppendJSON appends v's JSON to buf; what names v in the error.
func (n Name) AppendJSON(buf []byte, v Appender, what string) ([]byte, error) {
	buf, err := v.AppendJSON(buf)
	if err != nil {
		return buf, n.Internal(err, "encode "+what)
	}
	return buf, nil
}

// UTC is a pointer to a vocabulary object that can set its times in UTC.
type UTC[T any] interface {
	*T
	InUTC()
}

// Decode decodes stored JSON into a T, its times in UTC.
func Decode[T any, P UTC[T]](n Name, data []byte, what string) (T, error) {
	var v T
	if err := n.Unmarshal(data, &v, what); err != nil {
		var zero T
		return zero, err
	}
	P(&v).InUTC()
	return v, nil
}

// EventJSON is the event as JSON text, encoded once by the server. The
// text shares the encoding's bytes, which nothing changes once encoded (the
// driver copies them before Commit returns).
func (n Name) EventJSON(e *sb.Event) (string, error) {
	data, err := e.JSON()
	if err != nil {
		return "", n.Internal(err, "encode event")
	}
	return UnsafeString(data), nil
}

// UnsafeString is data as a string without a copy: data must not change
// afterwards.
func UnsafeString(data []byte) string { return unsafe.String(unsafe.SliceData(data), len(data)) }
