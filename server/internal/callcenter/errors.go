package callcenter

import (
	"errors"
	"fmt"
)

// Code classifies an error the way a caller can act on it. The rpc package maps each code to
// one Connect code, in one place.
type Code string

const (
	CodeInvalid            Code = "invalid"             // bad input; Field names it
	CodeNotFound           Code = "not_found"           // the thing named does not exist
	CodeAlreadyExists      Code = "already_exists"      // a unique name or number is taken
	CodeFailedPrecondition Code = "failed_precondition" // not now: the state forbids it
	CodeUnauthenticated    Code = "unauthenticated"     // no or bad credentials
	CodePermissionDenied   Code = "permission_denied"   // credentials fine, action not allowed
	CodeUnavailable        Code = "unavailable"         // shutting down; retry elsewhere or later
	CodeInternal           Code = "internal"            // a bug or a broken dependency
)

// Error is an error a caller can act on: a code, the field at fault (if any) and a message
// that is safe to show.
type Error struct {
	Code    Code
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Errorf makes an *Error with no field.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid makes a CodeInvalid error for field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound makes a CodeNotFound error for field.
func NotFound(field, format string, args ...any) *Error {
	return &Error{Code: CodeNotFound, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, CodeInternal for any other
// error and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
