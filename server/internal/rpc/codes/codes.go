// Package codes is the one place where errors from below the API become Connect errors: domain
// error codes map to Connect codes, bad input names its proto field, and anything unexpected is
// logged and reported as internal without its text.
package codes

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// connectCodes is the one mapping from domain error codes to Connect codes.
var connectCodes = map[cc.Code]connect.Code{
	cc.CodeInvalid:            connect.CodeInvalidArgument,
	cc.CodeNotFound:           connect.CodeNotFound,
	cc.CodeAlreadyExists:      connect.CodeAlreadyExists,
	cc.CodeFailedPrecondition: connect.CodeFailedPrecondition,
	cc.CodeUnauthenticated:    connect.CodeUnauthenticated,
	cc.CodePermissionDenied:   connect.CodePermissionDenied,
	cc.CodeUnavailable:        connect.CodeUnavailable,
	cc.CodeInternal:           connect.CodeInternal,
}

// ToConnect turns any error from below the RPC layer into a Connect error. Domain errors keep
// their message and, for bad input, name the field in a google.rpc.BadRequest detail; anything
// else is logged and reported as internal without its text.
func ToConnect(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	if errors.Is(err, context.Canceled) {
		return connect.NewError(connect.CodeCanceled, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	}
	var de *cc.Error
	if !errors.As(err, &de) || de.Code == cc.CodeInternal {
		slog.ErrorContext(ctx, "internal error", "err", err)
		return connect.NewError(connect.CodeInternal, errors.New("internal error"))
	}
	out := connect.NewError(connectCodes[de.Code], errors.New(de.Error()))
	if de.Field != "" {
		if d, derr := connect.NewErrorDetail(&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: de.Field, Description: de.Message}}}); derr == nil {
			out.AddDetail(d)
		}
	}
	return out
}

// ShuttingDown is what an open stream ends with when the server closes: the client should
// reconnect (to this replica once it is back, or to another).
func ShuttingDown() error {
	return connect.NewError(connect.CodeUnavailable, errShuttingDown)
}

var errShuttingDown = errors.New("the server is shutting down; reconnect")
