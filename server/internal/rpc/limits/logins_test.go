package limits

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/tandemcc/tandem/server/internal/clock"
)

func newTestLogins(max int) (*Logins, *clock.Fake) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	return NewLogins(LoginLimits{}, max, clk, slog.New(slog.NewTextHandler(io.Discard, nil))), clk
}

// wrong gives n wrong passwords for name from addr, as LogIn does.
func wrong(t *testing.T, l *Logins, name, addr string, n int) {
	t.Helper()
	for i := range n {
		a, err := l.Begin(name, addr)
		if err != nil {
			t.Fatalf("wrong password %d for %s from %s refused: %v", i, name, addr, err)
		}
		a.Failed()
	}
}

// check says whether a try for name from addr would be let through now, and changes nothing.
func check(l *Logins, name, addr string) error {
	a, err := l.Begin(name, addr)
	if err == nil {
		a.Cancel()
	}
	return err
}

// right gives the right password for name from addr, as LogIn does.
func right(t *testing.T, l *Logins, name, addr string) FailedLogins {
	t.Helper()
	a, err := l.Begin(name, addr)
	if err != nil {
		t.Fatalf("the right password for %s from %s refused: %v", name, addr, err)
	}
	return a.Succeeded()
}

// retryAfter is the wait a refusal says, checked for its code, detail and header.
func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeResourceExhausted {
		t.Fatalf("want resource_exhausted, got %v", err)
	}
	var wait time.Duration
	for _, d := range ce.Details() {
		if v, derr := d.Value(); derr == nil {
			if ri, ok := v.(*errdetails.RetryInfo); ok {
				wait = ri.GetRetryDelay().AsDuration()
			}
		}
	}
	if wait <= 0 || ce.Meta().Get("Retry-After") != fmt.Sprint(int(wait/time.Second)) {
		t.Fatalf("refusal without its wait: detail %v, Retry-After %q", wait, ce.Meta().Get("Retry-After"))
	}
	return wait
}

// TestAStrangerCannotLockAnOperatorOut: wrong passwords for anna from one address back that
// address off for anna, never anna from another address.
func TestAStrangerCannotLockAnOperatorOut(t *testing.T) {
	l, _ := newTestLogins(100)
	wrong(t, l, "anna", "198.51.100.9", 5)
	if err := check(l, "anna", "198.51.100.9"); err == nil {
		t.Fatal("the stranger's sixth try at once was not refused")
	}
	if err := check(l, "ANNA", "203.0.113.7"); err != nil {
		t.Fatalf("anna from her own address refused: %v", err)
	}
	if err := check(l, "boris", "198.51.100.9"); err != nil {
		t.Fatalf("another name from the stranger's address refused after 5 failures: %v", err)
	}
}

// TestBackOffGrowsAndSuccessResets: 1 s, 2 s, 4 s … up to 15 min; the right password from
// the pair forgets it.
func TestBackOffGrowsAndSuccessResets(t *testing.T) {
	l, clk := newTestLogins(100)
	const addr = "198.51.100.9"
	wrong(t, l, "anna", addr, 5)
	var waits []time.Duration
	for range 13 {
		w := retryAfter(t, check(l, "anna", addr))
		waits = append(waits, w)
		clk.Advance(w - time.Millisecond)
		if check(l, "anna", addr) == nil {
			t.Fatalf("let in a millisecond before its back-off of %s ended", w)
		}
		clk.Advance(time.Millisecond)
		wrong(t, l, "anna", addr, 1)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900}
	for i, w := range want {
		if waits[i] != w*time.Second {
			t.Fatalf("back-offs %v, want %v seconds", waits, want)
		}
	}
	clk.Advance(15 * time.Minute) // the right password too waits out the back-off from there
	right(t, l, "anna", addr)
	wrong(t, l, "anna", addr, 5) // five free again
	if err := check(l, "anna", addr); retryAfter(t, err) != time.Second {
		t.Fatalf("after a success the back-off starts again at 1 s: %v", err)
	}
	// Forgotten half a day after the last wrong one.
	clk.Advance(12 * time.Hour)
	if err := check(l, "anna", addr); err != nil {
		t.Fatalf("half a day later: %v", err)
	}
}

// TestSprayingIsStoppedPerAddress: wrong passwords over many names from one address back that
// address off for every name, not another address.
func TestSprayingIsStoppedPerAddress(t *testing.T) {
	l, clk := newTestLogins(1000)
	for i := range 50 {
		wrong(t, l, fmt.Sprint("op", i), "198.51.100.9", 1)
	}
	err := check(l, "anna", "198.51.100.9")
	if retryAfter(t, err) != time.Second {
		t.Fatalf("the 51st name from the sprayer: %v", err)
	}
	if err := check(l, "anna", "203.0.113.7"); err != nil {
		t.Fatalf("another address refused: %v", err)
	}
	clk.Advance(time.Second)
	wrong(t, l, "op99", "198.51.100.9", 1)
	if w := retryAfter(t, check(l, "anna", "198.51.100.9")); w != 2*time.Second {
		t.Fatalf("the sprayer's back-off grows: %s", w)
	}
	// An IPv6 host counts by its /64: another address of the same /64 is the same sprayer.
	for i := range 50 {
		wrong(t, l, fmt.Sprint("op", i), fmt.Sprintf("2001:db8:1:2::%x", i+1), 1)
	}
	if check(l, "anna", "2001:db8:1:2:ffff::1") == nil {
		t.Fatal("the /64 was not backed off")
	}
	if err := check(l, "anna", "2001:db8:1:3::1"); err != nil {
		t.Fatalf("the next /64 refused: %v", err)
	}
}

// TestAnOfficeBehindOneAddressIsNotLockedOut: a hundred operators behind one NAT log in over a
// morning, a third of them after a typo or two: nobody is refused.
func TestAnOfficeBehindOneAddressIsNotLockedOut(t *testing.T) {
	l, clk := newTestLogins(1000)
	const office = "192.0.2.1"
	for i := range 100 {
		name := fmt.Sprint("op", i)
		wrong(t, l, name, office, i%3)
		if err := check(l, name, office); err != nil {
			t.Fatalf("%s after %d typos refused: %v", name, i%3, err)
		}
		right(t, l, name, office)
		clk.Advance(30 * time.Second)
	}
	if a := l.Addresses(); len(a) > 0 && a[0].Failures >= 50 {
		t.Fatalf("the office is near its back-off: %+v", a)
	}
}

// TestFailuresAreSeenAndUnlocked: the operator's failures since his last login, the
// supervisor's list, and unlocking a name or an address.
func TestFailuresAreSeenAndUnlocked(t *testing.T) {
	l, clk := newTestLogins(100)
	wrong(t, l, "anna", "198.51.100.9", 5)
	clk.Advance(time.Second)
	wrong(t, l, "anna", "198.51.100.9", 1)
	clk.Advance(time.Second)
	wrong(t, l, "anna", "2001:db8::5", 1)
	for i := range 50 {
		wrong(t, l, fmt.Sprint("x", i), "192.0.2.66", 1)
	}
	names := l.Names()
	var anna NameFailures
	for _, n := range names {
		if n.Name == "anna" {
			anna = n
		}
	}
	if anna.Count != 7 || anna.LastAddress != "2001:db8::5" || !anna.LastAt.Equal(clk.Now()) ||
		len(anna.BackedOff) != 1 || anna.BackedOff[0].Address != "198.51.100.9" || anna.BackedOff[0].Failures != 6 {
		t.Fatalf("anna's failures: %+v", anna)
	}
	if a := l.Addresses(); len(a) != 3 || a[0].Address != "192.0.2.66" || a[0].Until.IsZero() || !a[1].Until.IsZero() {
		t.Fatalf("addresses: %+v", a)
	}
	if n := l.UnlockName("Anna"); n != 2 {
		t.Fatalf("unlocked %d records of anna, want her 2 pairs", n)
	}
	if err := check(l, "anna", "198.51.100.9"); err != nil {
		t.Fatalf("after unlocking: %v", err)
	}
	if n := l.UnlockAddress("192.0.2.66"); n != 51 {
		t.Fatalf("unlocked %d records of the sprayer, want its address and 50 pairs", n)
	}
	if err := check(l, "y", "192.0.2.66"); err != nil {
		t.Fatalf("after unlocking the address: %v", err)
	}
	// Anna still sees what happened, once, at her next login.
	if f := right(t, l, "anna", "203.0.113.7"); f.Count != 7 || f.LastAddress != "2001:db8::5" {
		t.Fatalf("anna's login: %+v", f)
	}
	if f := right(t, l, "anna", "203.0.113.7"); f.Count != 0 {
		t.Fatalf("the next login: %+v", f)
	}
}

// TestLoginRecordsStayBounded: many addresses and names do not grow memory past the bound.
func TestLoginRecordsStayBounded(t *testing.T) {
	l, _ := newTestLogins(10)
	for i := range 1000 {
		wrong(t, l, fmt.Sprint("n", i), fmt.Sprint("10.0.", i/250, ".", i%250), 1)
	}
	if n := l.remembered(); n > 30 {
		t.Fatalf("%d records, at most 3×10 wanted", n)
	}
}

// TestTriesAtOnceCannotSlipPastTheBackOff: tries whose passwords are still being checked count
// already, so a burst sent at once gets no more guesses than tries sent one after another;
// one that proves nothing is taken back.
func TestTriesAtOnceCannotSlipPastTheBackOff(t *testing.T) {
	l, _ := newTestLogins(100)
	var open []*LoginAttempt
	for i := range 5 {
		a, err := l.Begin("anna", "198.51.100.9")
		if err != nil {
			t.Fatalf("try %d: %v", i, err)
		}
		open = append(open, a)
	}
	if _, err := l.Begin("anna", "198.51.100.9"); err == nil {
		t.Fatal("a sixth try while five are being checked was let through")
	}
	open[0].Cancel()
	open[0].Failed() // ended already: nothing
	if err := check(l, "anna", "198.51.100.9"); err != nil {
		t.Fatalf("after one try was taken back: %v", err)
	}
	for _, a := range open[1:] {
		a.Failed()
	}
	if f := right(t, l, "anna", "203.0.113.7"); f.Count != 4 {
		t.Fatalf("anna sees %d failures, want the 4 that failed", f.Count)
	}
}

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{"192.0.2.1": "192.0.2.1", "::ffff:192.0.2.1": "192.0.2.1", "2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64", "": ""} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}
