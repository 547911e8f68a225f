package limits

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tandemcc/tandem/server/internal/clock"
)

// Failed logins are throttled the way the big identity providers do it (Azure AD's smart
// lockout, Okta's, Auth0's brute-force protection): a name itself is never locked, or anyone
// could lock any operator out by guessing from anywhere. Instead:
//   - each (name, address) pair gets PairFree wrong passwords, then its tries are refused for a
//     growing back-off (FirstBackOff, doubling with every further wrong one, at most MaxBackOff);
//     the right password from that pair forgets its count, and from another address it is
//     never refused on the pair's account;
//   - each address gets AddressFree wrong passwords over all names (password spraying), then the
//     same growing back-off; every right password from the address forgives AddressForgiven of
//     them, so an office behind one NAT, whose people mostly log in right, is not locked out;
//   - an IPv6 address counts by its /64 (a single host is commonly given a whole /64);
//   - per name there is only a soft ceiling: every NameAlert wrong passwords since the
//     operator's last login are logged as a warning, and the operator (at his next login) and
//     the supervisor (ListLoginFailures) see them. It refuses nothing.
// Back-off counts are forgotten ForgetAfter after their last wrong password; what a name's
// operator is shown is kept until his next login. All of it is in memory, bounded by
// Limits.MaxTracked records per kind: a restart forgets it.

// LoginLimits are the failed-login limits. Zero fields take DefaultLoginLimits.
type LoginLimits struct {
	PairFree        int           // wrong passwords per (name, address) before the back-off
	AddressFree     int           // wrong passwords per address, over all names, before the back-off
	AddressForgiven int           // wrong passwords of an address forgiven by each right one from it
	FirstBackOff    time.Duration // the first back-off; it doubles with each further wrong password
	MaxBackOff      time.Duration // the longest back-off
	ForgetAfter     time.Duration // a count is forgotten this long after its last wrong password
	NameAlert       int           // a warning is logged every this many wrong passwords for one name
}

// DefaultLoginLimits are the failed-login limits unless configured otherwise.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{
		PairFree: 5, AddressFree: 50, AddressForgiven: 5,
		FirstBackOff: time.Second, MaxBackOff: 15 * time.Minute, ForgetAfter: 12 * time.Hour,
		NameAlert: 20,
	}
}

func (l LoginLimits) withDefaults() LoginLimits {
	d := DefaultLoginLimits()
	fill := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	fillD := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	fill(&l.PairFree, d.PairFree)
	fill(&l.AddressFree, d.AddressFree)
	fill(&l.AddressForgiven, d.AddressForgiven)
	fill(&l.NameAlert, d.NameAlert)
	fillD(&l.FirstBackOff, d.FirstBackOff)
	fillD(&l.MaxBackOff, d.MaxBackOff)
	fillD(&l.ForgetAfter, d.ForgetAfter)
	return l
}

// FailedLogins are the wrong passwords given for one name since its operator's last login.
type FailedLogins struct {
	Count       int
	LastAt      time.Time
	LastAddress string
}

// BackOff is one address's (or /64's) unforgiven wrong passwords and, while they exceed what is
// free, until when its next try is refused (zero: not backed off now).
type BackOff struct {
	Address  string
	Failures int
	Until    time.Time
}

// NameFailures are the failed logins of one name: since its last login, and its back-offs.
type NameFailures struct {
	Name string
	FailedLogins
	BackedOff []BackOff
}

// strikes are the unforgiven wrong passwords of a pair or an address.
type strikes struct {
	count int
	last  time.Time
}

type pair struct{ name, network string }

// Logins keeps the failed logins and says when a login may be tried.
type Logins struct {
	mu    sync.Mutex
	cfg   LoginLimits
	max   int // records remembered per kind (pairs, addresses, names)
	clock clock.Clock
	log   *slog.Logger
	pairs map[pair]*strikes
	addrs map[string]*strikes
	names map[string]*FailedLogins
}

// NewLogins returns the failed-login limits cfg sets, remembering at most max records of each
// kind, on c; warnings go to log.
func NewLogins(cfg LoginLimits, max int, c clock.Clock, log *slog.Logger) *Logins {
	return &Logins{cfg: cfg.withDefaults(), max: max, clock: c, log: log,
		pairs: map[pair]*strikes{}, addrs: map[string]*strikes{}, names: map[string]*FailedLogins{}}
}

// loginName is the key of a login name: names are lowercase, and no name is longer than 63.
func loginName(name string) string {
	name = strings.ToLower(name)
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// addressKey is what an address is counted by: an IPv4 address itself, an IPv6 address's /64.
// Anything else (no address known) is kept as it is.
func addressKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil {
		return addr
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// until is when s's back-off ends, given free wrong passwords before it (zero: none).
func (l *Logins) until(s *strikes, free int) time.Time {
	if s == nil || s.count < free {
		return time.Time{}
	}
	d := l.cfg.FirstBackOff
	for i := free; i < s.count && d < l.cfg.MaxBackOff; i++ {
		d *= 2
	}
	return s.last.Add(min(d, l.cfg.MaxBackOff))
}

// fresh reports whether s still counts: struck less than ForgetAfter ago.
func (l *Logins) fresh(s *strikes, now time.Time) bool {
	return s != nil && now.Sub(s.last) < l.cfg.ForgetAfter
}

// Begin lets a login for name from addr be tried now, or refuses it with RESOURCE_EXHAUSTED
// saying how long to wait (in words, in a RetryInfo detail and a Retry-After header). A try
// let through counts as a wrong password at once, until it ends otherwise: tries sent at the
// same moment cannot all slip past the back-off while their passwords are being checked.
func (l *Logins) Begin(name, addr string) (*LoginAttempt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	a := &LoginAttempt{l: l, name: loginName(name), network: addressKey(addr), addr: addr}
	var wait time.Duration
	var why string
	if s := l.pairs[pair{a.name, a.network}]; l.fresh(s, now) {
		if w := l.until(s, l.cfg.PairFree).Sub(now); w > wait {
			wait, why = w, "too many wrong passwords for this name from your address"
		}
	}
	if s := l.addrs[a.network]; l.fresh(s, now) {
		if w := l.until(s, l.cfg.AddressFree).Sub(now); w > wait {
			wait, why = w, "too many wrong passwords from your address"
		}
	}
	if wait > 0 {
		return nil, retryError(fmt.Sprintf("%s: try again in %s", why, roundUp(wait)), wait)
	}
	// Past the bound, room is made before a new record: an attacker with many addresses or
	// names must not grow the server's memory.
	if max := l.max; len(l.pairs) >= max || len(l.addrs) >= max || len(l.names) >= max {
		l.forget(now)
	}
	strike := func(s *strikes) *strikes {
		if !l.fresh(s, now) {
			s = &strikes{}
		}
		s.count++
		s.last = now
		return s
	}
	p := pair{a.name, a.network}
	l.pairs[p] = strike(l.pairs[p])
	l.addrs[a.network] = strike(l.addrs[a.network])
	return a, nil
}

// roundUp is wait in whole seconds, never less than one.
func roundUp(wait time.Duration) time.Duration {
	return max(time.Second, (wait + time.Second - 1).Truncate(time.Second))
}

// retryError is RESOURCE_EXHAUSTED with the wait as a google.rpc.RetryInfo detail and a
// Retry-After header (Connect writes an error's metadata as the response's headers).
func retryError(msg string, wait time.Duration) error {
	wait = roundUp(wait)
	err := connect.NewError(connect.CodeResourceExhausted, errors.New(msg))
	if d, derr := connect.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(wait)}); derr == nil {
		err.AddDetail(d)
	}
	err.Meta().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
	return err
}

// LoginAttempt is one try Begin let through. It ends once: Failed, Succeeded or Cancel (the
// later calls do nothing).
type LoginAttempt struct {
	l                   *Logins
	name, network, addr string
	ended               bool
}

// Failed ends the try as a wrong password (already counted by Begin), and records it for the
// operator and the supervisor to see.
func (a *LoginAttempt) Failed() {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.ended {
		return
	}
	a.ended = true
	f := l.names[a.name]
	if f == nil {
		f = &FailedLogins{}
		l.names[a.name] = f
	}
	f.Count++
	f.LastAt, f.LastAddress = l.clock.Now(), a.addr
	if f.Count%l.cfg.NameAlert == 0 {
		l.log.Warn("many wrong passwords for one login name since its last login", "name", a.name, "failures", f.Count, "last_address", a.addr)
	}
}

// Succeeded ends the try as the right password: the pair's count is forgotten, the address's
// relaxed. It returns the wrong passwords given for the name since its last login, and forgets
// them.
func (a *LoginAttempt) Succeeded() FailedLogins {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.ended {
		return FailedLogins{}
	}
	a.ended = true
	delete(l.pairs, pair{a.name, a.network})
	if s := l.addrs[a.network]; s != nil {
		if s.count -= 1 + l.cfg.AddressForgiven; s.count <= 0 { // its own strike, and the forgiven
			delete(l.addrs, a.network)
		}
	}
	var out FailedLogins
	if f := l.names[a.name]; f != nil {
		out = *f
		delete(l.names, a.name)
	}
	return out
}

// Cancel ends a try that proved nothing either way (the store failed, the operator is
// disabled): the strike Begin counted is taken back.
func (a *LoginAttempt) Cancel() {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.ended {
		return
	}
	a.ended = true
	if s := l.pairs[pair{a.name, a.network}]; s != nil {
		if s.count--; s.count <= 0 {
			delete(l.pairs, pair{a.name, a.network})
		}
	}
	if s := l.addrs[a.network]; s != nil {
		if s.count--; s.count <= 0 {
			delete(l.addrs, a.network)
		}
	}
}

// forget drops every stale record (a name's failures too, though they are otherwise kept for
// its operator until his next login), then, in each map still full, an arbitrary tenth.
func (l *Logins) forget(now time.Time) {
	for k, s := range l.pairs {
		if !l.fresh(s, now) {
			delete(l.pairs, k)
		}
	}
	for k, s := range l.addrs {
		if !l.fresh(s, now) {
			delete(l.addrs, k)
		}
	}
	for k, f := range l.names {
		if now.Sub(f.LastAt) >= l.cfg.ForgetAfter {
			delete(l.names, k)
		}
	}
	max := l.max
	dropTenth(l.pairs, max)
	dropTenth(l.addrs, max)
	dropTenth(l.names, max)
}

func dropTenth[K comparable, V any](m map[K]V, max int) {
	if len(m) < max {
		return
	}
	drop := max/10 + 1
	for k := range m {
		if drop == 0 {
			return
		}
		delete(m, k)
		drop--
	}
}

// Names lists the failed logins of every name with wrong passwords since its last login or a
// back-off in force, by name.
func (l *Logins) Names() []NameFailures {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	by := map[string]*NameFailures{}
	get := func(name string) *NameFailures {
		if by[name] == nil {
			by[name] = &NameFailures{Name: name}
		}
		return by[name]
	}
	for name, f := range l.names {
		get(name).FailedLogins = *f
	}
	for p, s := range l.pairs {
		if until := l.until(s, l.cfg.PairFree); l.fresh(s, now) && until.After(now) {
			n := get(p.name)
			n.BackedOff = append(n.BackedOff, BackOff{Address: p.network, Failures: s.count, Until: until})
		}
	}
	out := make([]NameFailures, 0, len(by))
	for _, n := range by {
		sort.Slice(n.BackedOff, func(i, j int) bool { return n.BackedOff[i].Address < n.BackedOff[j].Address })
		out = append(out, *n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Addresses lists the addresses with unforgiven wrong passwords over all names, most first.
func (l *Logins) Addresses() []BackOff {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	var out []BackOff
	for network, s := range l.addrs {
		if !l.fresh(s, now) {
			continue
		}
		b := BackOff{Address: network, Failures: s.count}
		if until := l.until(s, l.cfg.AddressFree); until.After(now) {
			b.Until = until
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Failures != out[j].Failures {
			return out[i].Failures > out[j].Failures
		}
		return out[i].Address < out[j].Address
	})
	return out
}

// UnlockName clears the back-off of name from every address; the operator's failed logins
// stay for him to see. It says how many records were cleared.
func (l *Logins) UnlockName(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	name = loginName(name)
	n := 0
	for p := range l.pairs {
		if p.name == name {
			delete(l.pairs, p)
			n++
		}
	}
	return n
}

// UnlockAddress clears the back-off of addr (its network) over all names, and of every pair
// from it. It says how many records were cleared.
func (l *Logins) UnlockAddress(addr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	network := addressKey(addr)
	n := 0
	if _, ok := l.addrs[network]; ok {
		delete(l.addrs, network)
		n++
	}
	for p := range l.pairs {
		if p.network == network {
			delete(l.pairs, p)
			n++
		}
	}
	return n
}

// remembered is how many records the failed-login limits hold.
func (l *Logins) remembered() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pairs) + len(l.addrs) + len(l.names)
}
