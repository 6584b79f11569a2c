package switchboard

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. Each maps to one HTTP status in the http package.
const (
	EINVALID      = "invalid"      // bad input; Field names the offending field
	ENOTFOUND     = "not_found"    // the entity does not exist (or the caller may not see it)
	ECONFLICT     = "conflict"     // the request contradicts the current state
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // the role may not do this
	EINTERNAL     = "internal"     // a fault; the message is not shown to users
	ETOOMANY      = "too_many_requests"
	ETOOLARGE     = "too_large"              // the body is over the limit
	EMEDIATYPE    = "unsupported_media_type" // the body is not JSON
	EMETHOD       = "method_not_allowed"     // the path exists, the method does not
	EUNAVAILABLE  = "unavailable"            // the server is at its limit of connections
)

// Error is the one error type of Switchboard: a machine Code, the Field it is
// about (may be empty), a user-safe Message and an optional wrapped cause.
type Error struct {
	Code    string
	Field   string
	Message string
	Err     error
	// RetryAfter, when set, says when to try again (ETOOMANY).
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string {
	s := e.Code
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code, field and a formatted message.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: its *Error's Code, or EINTERNAL for any
// other non-nil error, or "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorField returns the field an *Error names, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorMessage returns the user-safe message of err; uncoded errors become
// "internal error".
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}
