// Package limits holds the abuse limits: request rates per caller, failed logins per (name,
// address) and per address, open streams per caller, and request body size and read time.
// Every limit that counts over time runs on the injected clock and remembers a bounded number
// of callers.
package limits

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/tandemcc/tandem/server/internal/rpc/auth"
)

// Rate is a token bucket: PerSecond tokens come back each second, up to Burst.
type Rate struct {
	PerSecond float64
	Burst     int
}

func (r Rate) String() string {
	return strconv.FormatFloat(r.PerSecond, 'g', -1, 64) + "/" + strconv.Itoa(r.Burst)
}

// Limits are the abuse limits. Zero fields take the defaults (see DefaultLimits).
type Limits struct {
	// Requests per caller: per operator, per API key, for the cloud as one, and per address for
	// callers with no credentials (role "auth.Public").
	Rates map[auth.Role]Rate
	// Failed logins: per (name, address) and per address, with a growing back-off (logins.go).
	Logins LoginLimits
	// Presence streams open at once per operator, and per API key.
	StreamsPerOperator int
	StreamsPerKey      int
	// Request bodies: at most MaxBody bytes, read within BodyTimeout.
	MaxBody     int64
	BodyTimeout time.Duration
	// WriteTimeout bounds each write of a response: a client that stops reading (a stream's
	// keepalives fill its window) is cut instead of holding a handler. It must exceed the
	// presence keepalive (15 s): over HTTP/2 a stream with no write for that long is reset.
	WriteTimeout time.Duration
	// Callers remembered per limit; past it the idle ones are forgotten first.
	MaxTracked int
}

// DefaultLimits are the limits unless configured otherwise.
func DefaultLimits() Limits {
	return Limits{
		Rates: map[auth.Role]Rate{
			auth.Public:         {PerSecond: 20, Burst: 100},
			auth.RoleOperator:   {PerSecond: 10, Burst: 100},
			auth.RoleSupervisor: {PerSecond: 50, Burst: 500},
			auth.RoleReadonly:   {PerSecond: 20, Burst: 200},
			auth.RoleAdmin:      {PerSecond: 100, Burst: 1000},
			auth.RoleCloud:      {PerSecond: 5000, Burst: 10000},
		},
		Logins:             DefaultLoginLimits(),
		StreamsPerOperator: 4,
		StreamsPerKey:      500,
		MaxBody:            1 << 20,
		BodyTimeout:        30 * time.Second,
		WriteTimeout:       time.Minute,
		MaxTracked:         100_000,
	}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	rates := map[auth.Role]Rate{}
	for r, v := range d.Rates {
		rates[r] = v
	}
	for r, v := range l.Rates {
		rates[r] = v
	}
	l.Rates = rates
	l.Logins = l.Logins.withDefaults()
	if l.StreamsPerOperator == 0 {
		l.StreamsPerOperator = d.StreamsPerOperator
	}
	if l.StreamsPerKey == 0 {
		l.StreamsPerKey = d.StreamsPerKey
	}
	if l.MaxBody == 0 {
		l.MaxBody = d.MaxBody
	}
	if l.BodyTimeout == 0 {
		l.BodyTimeout = d.BodyTimeout
	}
	if l.WriteTimeout == 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	if l.MaxTracked == 0 {
		l.MaxTracked = d.MaxTracked
	}
	return l
}

// ParseRates reads per-role rates like "operator=10/100,cloud=5000/10000" (per second/burst),
// for a flag. Roles: auth.Public, operator, supervisor, readonly, admin, cloud.
func ParseRates(spec string) (map[auth.Role]Rate, error) {
	out := map[auth.Role]Rate{}
	for _, part := range strings.Split(spec, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		role := auth.Role(strings.TrimSpace(name))
		if _, known := DefaultLimits().Rates[role]; !ok || !known {
			return nil, fmt.Errorf("rate %q: want role=per-second/burst with a role among auth.Public, operator, supervisor, readonly, admin, cloud", part)
		}
		perSecond, burst, _ := strings.Cut(value, "/")
		ps, err := strconv.ParseFloat(strings.TrimSpace(perSecond), 64)
		if err != nil || ps <= 0 {
			return nil, fmt.Errorf("rate %q: per second must be a positive number", part)
		}
		b := int(ps)
		if burst != "" {
			if b, err = strconv.Atoi(strings.TrimSpace(burst)); err != nil || b <= 0 {
				return nil, fmt.Errorf("rate %q: burst must be a positive whole number", part)
			}
		}
		out[role] = Rate{PerSecond: ps, Burst: max(b, 1)}
	}
	return out, nil
}

// Error is an error with the HTTP status and Retry-After it should get on the REST paths.
type Error struct {
	Err        *connect.Error
	Status     int
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }
