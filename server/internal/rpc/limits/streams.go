package limits

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"connectrpc.com/connect"

	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
)

// streams counts the open streams of each caller and can end them all, for a revoked key.
type streams struct {
	mu   sync.Mutex
	open map[string][]*openStream // a slice rather than a set: most callers hold one or two
	// released is closed, and forgotten, when a stream is released: it wakes waitFewer.
	released chan struct{}
}

// openStream is one stream held open: its caller, how to end it, and the timer that ends it
// when the caller's session expires (nil: it does not).
type openStream struct {
	identity string
	cancel   context.CancelCauseFunc
	expiry   *clock.Timer
}

func (s *streams) acquire(identity string, max int, cancel context.CancelCauseFunc) (*openStream, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.open[identity]) >= max {
		return nil, false
	}
	o := &openStream{identity: identity, cancel: cancel}
	s.open[identity] = append(s.open[identity], o)
	return o, true
}

func (s *streams) release(o *openStream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if left := slices.DeleteFunc(s.open[o.identity], func(x *openStream) bool { return x == o }); len(left) > 0 {
		s.open[o.identity] = left
	} else {
		delete(s.open, o.identity)
	}
	if s.released != nil {
		close(s.released)
		s.released = nil
	}
}

// end ends every open stream of a caller with cause.
func (s *streams) end(identity string, cause error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.open[identity] {
		o.cancel(cause)
	}
}

// waitFewer waits until a caller has fewer than n streams open, or ctx ends. A stream the client
// closed is released only once its handler has returned, a moment later.
func (s *streams) waitFewer(ctx context.Context, identity string, n int) error {
	for {
		s.mu.Lock()
		if len(s.open[identity]) < n {
			s.mu.Unlock()
			return nil
		}
		if s.released == nil {
			s.released = make(chan struct{})
		}
		released := s.released
		s.mu.Unlock()
		select {
		case <-released:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// Streams is the interceptor that bounds the streams each caller holds open, ends an
// operator's stream when his session expires, and lets a revoked API key's streams be ended.
func (l *Limiters) Streams() connect.Interceptor { return streamInterceptor{l} }

// EndStreams ends every open stream of the caller with identity (auth.Principal.Identity),
// with cause: a revoked key's watchers are cut at once.
func (l *Limiters) EndStreams(identity string, cause error) { l.streams.end(identity, cause) }

// WaitFewerStreams waits until a caller has fewer than n streams open, or ctx ends: a test's
// way to know a closed stream was released.
func (l *Limiters) WaitFewerStreams(ctx context.Context, identity string, n int) error {
	return l.streams.waitFewer(ctx, identity, n)
}

type streamInterceptor struct{ l *Limiters }

var errSessionExpired = connect.NewError(connect.CodeUnauthenticated, errors.New("session expired: log in again"))

func (streamInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc { return next }

func (streamInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler wraps every stream, so its closure stays in the stack of each one open
// while it waits: the work before and after next is in functions of their own, which keeps the
// closure's frame small (see presence's WatchOperator).
func (i streamInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, o, err := i.open(ctx)
		if err != nil {
			return err
		}
		if o == nil {
			return next(ctx, conn) // the policy refuses it
		}
		defer i.l.close(o)
		return ended(ctx, next(ctx, conn))
	}
}

// open counts the stream against its caller and arms its session's expiry; o is nil for a
// caller without credentials.
//
//go:noinline
func (i streamInterceptor) open(ctx context.Context) (_ context.Context, o *openStream, _ error) {
	p, ok := auth.From(ctx)
	if !ok {
		return ctx, nil, nil
	}
	limit := i.l.cfg.StreamsPerKey
	if p.Role == auth.RoleOperator {
		limit = i.l.cfg.StreamsPerOperator
	}
	ctx, cancel := context.WithCancelCause(ctx)
	o, ok = i.l.streams.acquire(p.Identity(), limit, cancel)
	if !ok {
		cancel(nil)
		return ctx, nil, connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("at most %d streams open at once for one %s", limit, p.Role))
	}
	if !p.ExpiresAt.IsZero() {
		// A timer rather than a goroutine waiting for it: one goroutine fewer, and its
		// stack, for each of thousands of open streams.
		o.expiry = i.l.clock.AfterFunc(p.ExpiresAt.Sub(i.l.clock.Now()), func() { cancel(errSessionExpired) })
	}
	return ctx, o, nil
}

//go:noinline
func (l *Limiters) close(o *openStream) {
	if o.expiry != nil {
		o.expiry.Stop()
	}
	l.streams.release(o)
	o.cancel(nil)
}

// ended is the stream's error: the cause when we ended it, rather than "canceled" or nothing.
//
//go:noinline
func ended(ctx context.Context, err error) error {
	var ce *connect.Error
	if cause := context.Cause(ctx); errors.As(cause, &ce) {
		return ce
	}
	return err
}
