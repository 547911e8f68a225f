package limits

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"connectrpc.com/connect"

	"github.com/tandemcc/tandem/server/internal/rpc/auth"
)

// streams counts the open streams of each caller and can end them all, for a revoked key.
type streams struct {
	mu   sync.Mutex
	open map[string]map[*openStream]bool
	// released is closed, and forgotten, when a stream is released: it wakes waitFewer.
	released chan struct{}
}

type openStream struct{ cancel context.CancelCauseFunc }

func (s *streams) acquire(identity string, max int, cancel context.CancelCauseFunc) (*openStream, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.open[identity]) >= max {
		return nil, false
	}
	o := &openStream{cancel: cancel}
	if s.open[identity] == nil {
		s.open[identity] = map[*openStream]bool{}
	}
	s.open[identity][o] = true
	return o, true
}

func (s *streams) release(identity string, o *openStream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open[identity], o)
	if len(s.open[identity]) == 0 {
		delete(s.open, identity)
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
	for o := range s.open[identity] {
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

func (i streamInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		p, ok := auth.From(ctx)
		if !ok {
			return next(ctx, conn) // the policy refuses it
		}
		limit := i.l.cfg.StreamsPerKey
		if p.Role == auth.RoleOperator {
			limit = i.l.cfg.StreamsPerOperator
		}
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		id := p.Identity()
		o, ok := i.l.streams.acquire(id, limit, cancel)
		if !ok {
			return connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("at most %d streams open at once for one %s", limit, p.Role))
		}
		defer i.l.streams.release(id, o)
		if !p.ExpiresAt.IsZero() {
			// A timer rather than a goroutine waiting for it: one goroutine fewer, and its
			// stack, for each of thousands of open streams.
			expiry := i.l.clock.AfterFunc(p.ExpiresAt.Sub(i.l.clock.Now()), func() { cancel(errSessionExpired) })
			defer expiry.Stop()
		}
		err := next(ctx, conn)
		var ce *connect.Error
		if cause := context.Cause(ctx); errors.As(cause, &ce) {
			return ce // ended by us: say why rather than "canceled" or nothing
		}
		return err
	}
}
