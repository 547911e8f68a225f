package rpc

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"

	"github.com/tandemcc/tandem/server/internal/rpc/auth"
)

// logInterceptor writes one line per RPC: procedure, caller's role, outcome and duration, and
// the call id when the request names a call, so every line about a call can be found by it.
type logInterceptor struct{ log *slog.Logger }

type namesCall interface{ GetCallId() string }

func (l logInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		start := time.Now()
		res, err := next(ctx, req)
		attrs := []any{"procedure", req.Spec().Procedure, "protocol", req.Peer().Protocol, "ms", time.Since(start).Milliseconds()}
		if p, ok := auth.From(ctx); ok {
			attrs = append(attrs, "role", p.Role)
			if p.Operator != "" {
				attrs = append(attrs, "operator_id", p.Operator)
			}
		}
		if m, ok := req.Any().(namesCall); ok && m.GetCallId() != "" {
			attrs = append(attrs, "call_id", m.GetCallId())
		}
		if err != nil {
			attrs = append(attrs, "code", connect.CodeOf(err), "err", err)
			l.log.WarnContext(ctx, "rpc failed", attrs...)
		} else {
			l.log.DebugContext(ctx, "rpc", attrs...)
		}
		return res, err
	}
}

func (logInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (l logInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		err := next(ctx, conn)
		if err != nil {
			l.streamEnded(ctx, conn, start, err)
		}
		return err
	}
}

// streamEnded logs a stream that ended with an error. It is a function of its own so that the
// frame the interceptor keeps under every open stream is small (see presence's WatchOperator).
//
//go:noinline
func (l logInterceptor) streamEnded(ctx context.Context, conn connect.StreamingHandlerConn, start time.Time, err error) {
	l.log.InfoContext(ctx, "stream ended", "procedure", conn.Spec().Procedure, "protocol", conn.Peer().Protocol, "ms", time.Since(start).Milliseconds(), "code", connect.CodeOf(err), "err", err)
}
