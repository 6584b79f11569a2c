package http

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

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
	writeJSON(w, status, body)
}

// decode reads a JSON body into v, rejecting unknown fields and trailing
// data. Syntax errors are bad_json (400); type errors name the field (422).
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return &sb.Error{Code: "bad_json", Message: "trailing data after the JSON body"}
	}
	return nil
}

func decodeError(err error) error {
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		return sb.Errorf(sb.EINVALID, typ.Field, "%s must be %s", typ.Field, typ.Type.String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return sb.Errorf(sb.EINVALID, f, "unknown field %q", f)
	case errors.Is(err, io.EOF):
		return &sb.Error{Code: "bad_json", Message: "the body is empty"}
	}
	return &sb.Error{Code: "bad_json", Message: "malformed JSON: " + err.Error()}
}
