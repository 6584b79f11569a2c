package http

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	sb "github.com/switchboard/switchboard"
)

// statusOf maps error codes to HTTP statuses.
var statusOf = map[string]int{
	sb.EINVALID:      http.StatusUnprocessableEntity,
	sb.ENOTFOUND:     http.StatusNotFound,
	sb.ECONFLICT:     http.StatusConflict,
	sb.EUNAUTHORIZED: http.StatusUnauthorized,
	sb.EFORBIDDEN:    http.StatusForbidden,
	sb.EINTERNAL:     http.StatusInternalServerError,
	sb.ETOOMANY:      http.StatusTooManyRequests,
	sb.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	sb.EMEDIATYPE:    http.StatusUnsupportedMediaType,
	sb.EMETHOD:       http.StatusMethodNotAllowed,
	sb.EUNAVAILABLE:  http.StatusServiceUnavailable,
	"bad_json":       http.StatusBadRequest,
}

// ErrorBody is the JSON of an error answer.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with err's code, message and field; uncoded errors are
// logged and shown as "internal error".
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	code := sb.ErrorCode(err)
	if code == sb.EINTERNAL {
		log.Error("internal error", "err", err)
	}
	var body ErrorBody
	body.Error.Code, body.Error.Message, body.Error.Field = code, sb.ErrorMessage(err), sb.ErrorField(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	var e *sb.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	writeJSON(w, status, body)
}

// decode reads a JSON body into v, rejecting unknown fields and trailing
// data. Syntax errors are bad_json (400); type errors name the field (422).
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err != nil {
		if err = decodeError(err, v); sb.ErrorCode(err) != sb.EINVALID {
			return err
		}
	}
	// Trailing data makes the body malformed, even when the value had a
	// field error. (dec.More would let a stray '}' or ']' through.)
	if _, terr := dec.Token(); terr != io.EOF {
		return &sb.Error{Code: "bad_json", Message: "trailing data after the JSON body"}
	}
	return err
}

// decodeFast decodes as decode does, with json v2 (about half the CPU)
// for a body v2 takes whole: well-formed, every member known by its exact
// name, no duplicates, valid UTF-8, nothing after it. Whatever v2 refuses
// is decoded again by decode, whose answers (and errors) are the API's:
// FuzzConnect checks that both decoders agree.
func decodeFast(r *http.Request, v any) error {
	buf := bodies.Get().(*bytes.Buffer)
	defer putBody(buf)
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	data := buf.Bytes() // both decoders copy what they keep
	if err == nil && jsonv2.Unmarshal(data, v, jsonv2.RejectUnknownMembers(true)) == nil {
		return nil
	}
	reflect.ValueOf(v).Elem().SetZero()
	rest := io.Reader(r.Body)
	if err != nil {
		rest = errReader{err}
	}
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), rest))
	return decode(r, v)
}

// bodies holds the buffers decodeFast reads bodies into; one is kept only
// up to maxBody.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxBody = 64 << 10

func putBody(b *bytes.Buffer) {
	if b.Cap() <= maxBody {
		b.Reset()
		bodies.Put(b)
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// MaxBodyBytes bounds a request body: 1 MiB (413 beyond).
const MaxBodyBytes = 1 << 20

func decodeError(err error, v any) error {
	var (
		typ  *json.UnmarshalTypeError
		terr *time.ParseError
		big  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &big):
		return sb.Errorf(sb.ETOOLARGE, "", "the body is over %d bytes", big.Limit)
	case errors.As(err, &typ) && typ.Field == "":
		return &sb.Error{Code: "bad_json", Message: "the body must be a JSON object"}
	case errors.As(err, &typ):
		return sb.Errorf(sb.EINVALID, typ.Field, "%s must be %s", typ.Field, jsonKind(typ.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		q := strings.TrimPrefix(err.Error(), "json: unknown field ")
		f, uerr := strconv.Unquote(q)
		if uerr != nil {
			f = strings.Trim(q, `"`)
		}
		return sb.Errorf(sb.EINVALID, f, "unknown field %q", f)
	case errors.Is(err, io.EOF):
		return &sb.Error{Code: "bad_json", Message: "the body is empty"}
	case errors.As(err, &terr) || strings.HasPrefix(err.Error(), "Time.UnmarshalJSON: "):
		// The JSON parsed (Decode checks the syntax first); a time field
		// rejected its value.
		f := timeField(v)
		return sb.Errorf(sb.EINVALID, f, "%s must be %s", f, jsonKind(reflect.TypeFor[time.Time]()))
	}
	return &sb.Error{Code: "bad_json", Message: "malformed JSON: " + err.Error()}
}

// jsonKind names the JSON value a Go type decodes from, for messages.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[time.Time]():
		return "an RFC 3339 time"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "an integer"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return "an array"
	}
	return "an object"
}

// timeField returns the JSON name of the time field of the struct v points
// to (the bodies have at most one).
func timeField(v any) string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			if f := t.Field(i); f.Type == reflect.TypeFor[time.Time]() {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				return cmp.Or(name, f.Name)
			}
		}
	}
	return "body"
}
