package voximplant

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Management API error codes Tandem tells apart (https://voximplant.com/docs/references/httpapi/errors).
const (
	CodeFatal             = 1
	CodeInternal          = 2
	CodeDB                = 4
	CodeMediaServer       = 15
	CodeMediaBalancer     = 16
	CodeCallService       = 21
	CodeConferenceBalance = 22
	CodeConferenceServer  = 23
	CodeAuthorization     = 100
	CodeInvalidArguments  = 101
	CodeForbiddenCommand  = 104
)

// Error is a Management API call the API (or the HTTP layer in front of it) refused or failed.
type Error struct {
	Method  string // the API method, e.g. StartScenarios
	Status  int    // the HTTP status; 0 when the request was never sent
	Code    int    // Voximplant's error code; 0 when the reply had none
	Message string // Voximplant's msg, or the HTTP status text
	Field   string // the parameter at fault, when Voximplant names one
	// RetryAfter is the wait a 429 or 503 asked for (0: none given).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	s := "voximplant " + e.Method + ": "
	switch {
	case e.Code != 0:
		s += fmt.Sprintf("error %d: %s", e.Code, e.Message)
	case e.Status != 0:
		s += fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	default:
		s += e.Message
	}
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	return s
}

// Retryable says whether the same request may succeed later: the platform's own failures
// (internal, database, media servers and balancers, call service), HTTP 408, 429 and 5xx. Bad
// credentials, bad arguments and forbidden methods are not: they need a person.
func (e *Error) Retryable() bool {
	switch e.Code {
	case CodeFatal, CodeInternal, CodeDB, CodeMediaServer, CodeMediaBalancer, CodeCallService, CodeConferenceBalance, CodeConferenceServer:
		return true
	case 0:
		return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
	}
	return false
}

// TransportError is a request that got no answer: the network, TLS, or the context's deadline.
type TransportError struct {
	Method string
	Err    error
}

func (e *TransportError) Error() string { return "voximplant " + e.Method + ": " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// IsRetryable says whether err, from a Client method, is worth another try later: a transport
// failure (a timeout included, but not the caller's own cancellation) or a retryable *Error.
// A transport failure may mean the request did reach Voximplant: a retried StartScenarios may
// start a second session, which the callback token makes harmless (Tandem accepts one).
func IsRetryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable()
	}
	var t *TransportError
	if errors.As(err, &t) {
		return !errors.Is(err, context.Canceled)
	}
	return false
}
