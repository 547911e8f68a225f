package limits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"

	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1/operatorpresencev1connect"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
)

// Logins is the interceptor that refuses logins for a name or address that failed too often,
// and counts the failures. It sits in front of LogIn, so a guessed password is never even
// checked.
func (l *Limiters) Logins() connect.Interceptor { return loginInterceptor{l} }

// LoginsRemembered is how many names and addresses the failed-login limits remember.
func (l *Limiters) LoginsRemembered() int { return l.names.size() + l.addrs.size() }

type loginInterceptor struct{ l *Limiters }

var errTooManyLogins = errors.New("too many failed logins for this name or address")

func (i loginInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().Procedure != operatorpresencev1connect.OperatorPresenceServiceLogInProcedure {
			return next(ctx, req)
		}
		name := "name:" + strings.ToLower(req.Any().(*presencev1.LogInRequest).GetName())
		if len(name) > 80 {
			name = name[:80]
		}
		addr := "addr:" + auth.Address(ctx)
		cfg := i.l.cfg
		for _, c := range []struct {
			b *buckets
			k string
			r Rate
		}{{i.l.names, name, cfg.LoginsPerName}, {i.l.addrs, addr, cfg.LoginsPerAddress}} {
			if spent, wait := c.b.empty(c.k, c.r); spent {
				return nil, connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("%w: try again in %s", errTooManyLogins, wait.Round(time.Second)))
			}
		}
		res, err := next(ctx, req)
		switch {
		case err == nil:
			i.l.names.reset(name)
		case connect.CodeOf(err) == connect.CodeUnauthenticated:
			i.l.names.take(name, cfg.LoginsPerName)
			i.l.addrs.take(addr, cfg.LoginsPerAddress)
		}
		return res, err
	}
}

func (loginInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (loginInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
