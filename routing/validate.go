package routing

import (
	"strings"
	"unicode"
	"unicode/utf8"

	sb "github.com/switchboard/switchboard"
)

// Bounds of what commands may carry; beyond them a command is invalid,
// naming the field.
const (
	// MaxIDLen bounds ids: of operators, statuses, skill groups, topics,
	// bans, clients, channels and tags.
	MaxIDLen = 128
	// MaxNameLen bounds names, emails and reasons.
	MaxNameLen = 256
	// MaxTimerS bounds every timer setting: one year.
	MaxTimerS = 365 * 24 * 3600
	// MaxURLLen bounds a chat's event_webhook_url.
	MaxURLLen = 2048
	// MaxTags bounds the tags of a chat.
	MaxTags = 50
	// MaxMessageBytesLimit is the highest max_message_bytes may be set to.
	MaxMessageBytesLimit = 1 << 20
)

// checkID checks an id: 1 to MaxIDLen bytes of printable UTF-8 (spaces
// only inside), no "/", not "." or "..".
func checkID(field, s string) error {
	switch {
	case s == "":
		return sb.Errorf(sb.EINVALID, field, "%s is required", field)
	case len(s) > MaxIDLen:
		return sb.Errorf(sb.EINVALID, field, "%s must have at most %d bytes", field, MaxIDLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == '/' }):
		return sb.Errorf(sb.EINVALID, field, "%s must be printable characters without \"/\"", field)
	case strings.TrimSpace(s) != s || s == "." || s == "..":
		return sb.Errorf(sb.EINVALID, field, "%s must not start or end with spaces, nor be \".\" or \"..\"", field)
	}
	return nil
}

// checkName checks a name or another short text: at most MaxNameLen bytes
// of UTF-8 without control characters (may be empty).
func checkName(field, s string) error {
	switch {
	case len(s) > MaxNameLen:
		return sb.Errorf(sb.EINVALID, field, "%s must have at most %d bytes", field, MaxNameLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return sb.Errorf(sb.EINVALID, field, "%s must be text without control characters", field)
	}
	return nil
}

// checkText checks a message or comment: valid UTF-8 of at most the
// setting max_message_bytes.
func (e *Engine) checkText(field, s string) error {
	if n := e.maxMessageBytes(); len(s) > n {
		return sb.Errorf(sb.EINVALID, field, "%s must have at most %d bytes (the setting max_message_bytes)", field, n)
	}
	if !utf8.ValidString(s) {
		return sb.Errorf(sb.EINVALID, field, "%s must be UTF-8 text", field)
	}
	return nil
}

// maxMessageBytes is the setting, 64 KiB when 0.
func (e *Engine) maxMessageBytes() int {
	if n := e.settings.MaxMessageBytes; n > 0 {
		return n
	}
	return sb.DefaultMaxMessageBytes
}

// checkTimer checks a timer setting in seconds: 0 (off) to MaxTimerS.
func checkTimer(field string, v int) error {
	if v < 0 || v > MaxTimerS {
		return sb.Errorf(sb.EINVALID, field, "%s must be 0 (off) to %d seconds (a year)", field, MaxTimerS)
	}
	return nil
}

// MaxCount bounds counts such as max_queue_length.
const MaxCount = 100_000_000

// checkCount checks a count setting: 0 (off) to MaxCount.
func checkCount(field string, v int) error {
	if v < 0 || v > MaxCount {
		return sb.Errorf(sb.EINVALID, field, "%s must be 0 (off) to %d", field, MaxCount)
	}
	return nil
}

// firstError returns the first error of the checks.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
