package limits

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"connectrpc.com/connect"

	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
)

// Limiters holds every limit of one server.
type Limiters struct {
	cfg      Limits
	clock    clock.Clock
	requests *buckets // by caller identity, or "addr:" + address
	logins   *Logins
	streams  *streams
}

// New returns the limits cfg sets (zero fields: DefaultLimits), counted on c; warnings (many
// failed logins for one name) go to log.
func New(cfg Limits, c clock.Clock, log *slog.Logger) *Limiters {
	cfg = cfg.withDefaults()
	return &Limiters{
		cfg: cfg, clock: c,
		requests: newBuckets(c, cfg.MaxTracked),
		logins:   NewLogins(cfg.Logins, cfg.MaxTracked, c, log),
		streams:  &streams{open: map[string][]*openStream{}},
	}
}

// Logins are the failed-login limits.
func (l *Limiters) Logins() *Logins { return l.logins }

// Allow takes a request token for the caller (p nil: anonymous, by address).
func (l *Limiters) Allow(p *auth.Principal, addr string) error {
	role, key := auth.Public, "addr:"+addr
	if p != nil {
		role, key = p.Role, p.Identity()
	}
	r, ok := l.cfg.Rates[role]
	if !ok {
		return nil
	}
	if ok, wait := l.requests.take(key, r); !ok {
		return &Error{
			Err:    connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("rate limit for %s callers (%s per second, burst %d): retry in %s", role, strconv.FormatFloat(r.PerSecond, 'g', -1, 64), r.Burst, wait.Round(time.Millisecond))),
			Status: http.StatusTooManyRequests, RetryAfter: wait,
		}
	}
	return nil
}

// CapWrites gives every write of the response WriteTimeout to complete. The returned function
// lifts the deadline once the handler is done, so a kept-alive connection is not cut later.
func (l *Limiters) CapWrites(w http.ResponseWriter) (http.ResponseWriter, func()) {
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(time.Now().Add(l.cfg.WriteTimeout)); err != nil {
		return w, func() {} // a writer without deadlines (tests)
	}
	return &deadlineWriter{ResponseWriter: w, rc: rc, timeout: l.cfg.WriteTimeout}, func() { _ = rc.SetWriteDeadline(time.Time{}) }
}

// deadlineWriter moves the write deadline before each write and flush.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (w *deadlineWriter) extend() { _ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout)) }

func (w *deadlineWriter) WriteHeader(code int) {
	w.extend()
	w.ResponseWriter.WriteHeader(code)
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.extend()
	return w.ResponseWriter.Write(p)
}

func (w *deadlineWriter) Flush() { _ = w.FlushError() }

func (w *deadlineWriter) FlushError() error {
	w.extend()
	return w.rc.Flush()
}

func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
