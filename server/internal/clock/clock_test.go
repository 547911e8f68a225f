package clock

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	_ Clock = Real{}
	_ Clock = (*Fake)(nil)
)

var start = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// received is what t's channel holds now, without waiting.
func received(t *Timer) (time.Time, bool) {
	select {
	case at := <-t.C:
		return at, true
	default:
		return time.Time{}, false
	}
}

// TestFakeFiresInOrder arms timers out of order: none fires before its time, and one Advance
// past them all fires them earliest first, ties in the order they were armed.
func TestFakeFiresInOrder(t *testing.T) {
	c := NewFake(start)
	var fired []string
	for _, a := range []struct {
		name string
		d    time.Duration
	}{{"3s", 3 * time.Second}, {"1s first", time.Second}, {"2s", 2 * time.Second}, {"1s second", time.Second}} {
		c.AfterFunc(a.d, func() { fired = append(fired, a.name) })
	}
	ch := c.NewTimer(2 * time.Second)
	c.Advance(999 * time.Millisecond)
	if _, ok := received(ch); ok || len(fired) > 0 {
		t.Fatalf("before any was due: fired %v, channel %v", fired, ok)
	}
	c.Advance(5 * time.Second)
	if want := []string{"1s first", "1s second", "2s", "3s"}; !slices.Equal(fired, want) {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	if at, ok := received(ch); !ok || !at.Equal(start.Add(5999*time.Millisecond)) {
		t.Fatalf("channel timer: %v %v, want the time Advance moved to", at, ok)
	}
	c.Advance(time.Hour)
	if len(fired) != 4 {
		t.Fatalf("fired again: %v", fired)
	}
	if _, ok := received(ch); ok {
		t.Fatal("channel timer sent twice")
	}
}

// TestFakeStopBeforeFire stops timers before they are due: nothing is sent, f never runs, and
// only the first Stop reports it disarmed the timer.
func TestFakeStopBeforeFire(t *testing.T) {
	c := NewFake(start)
	ran := 0
	fn := c.AfterFunc(time.Second, func() { ran++ })
	ch := c.NewTimer(time.Second)
	if !fn.Stop() || !ch.Stop() {
		t.Fatal("Stop of an armed timer reported false")
	}
	if fn.Stop() || ch.Stop() {
		t.Fatal("a second Stop reported true")
	}
	c.Advance(time.Minute)
	if _, ok := received(ch); ok || ran != 0 {
		t.Fatalf("stopped timers fired: channel %v, f ran %d times", ok, ran)
	}

	// Stopped by an earlier timer's f in the same Advance: the later one does not fire.
	var later *Timer
	c.AfterFunc(time.Second, func() {
		if !later.Stop() {
			t.Error("Stop from f: the later timer was not armed")
		}
	})
	later = c.AfterFunc(2*time.Second, func() { ran++ })
	c.Advance(time.Minute)
	if ran != 0 {
		t.Fatal("a timer stopped by an earlier one's f fired")
	}
}

// TestFakeStopAfterFire: once fired, Stop reports false and drops the time nobody received.
func TestFakeStopAfterFire(t *testing.T) {
	c := NewFake(start)
	ch := c.NewTimer(time.Second)
	ran := 0
	fn := c.AfterFunc(time.Second, func() { ran++ })
	c.Advance(time.Second)
	if ch.Stop() || fn.Stop() {
		t.Fatal("Stop after the timer fired reported true")
	}
	if _, ok := received(ch); ok {
		t.Fatal("a stale time received after Stop")
	}
	if ran != 1 {
		t.Fatalf("f ran %d times", ran)
	}
}

// TestFakeReset moves a timer's time, re-arms fired ones (a stale time is dropped), and runs
// an AfterFunc's f once per arming.
func TestFakeReset(t *testing.T) {
	c := NewFake(start)
	ch := c.NewTimer(5 * time.Second)
	c.Advance(3 * time.Second)
	if !ch.Reset(5 * time.Second) {
		t.Fatal("Reset of an armed timer reported false")
	}
	c.Advance(4 * time.Second) // past the first time, before the new one
	if _, ok := received(ch); ok {
		t.Fatal("fired at the time it had before Reset")
	}
	c.Advance(time.Second)
	if at, ok := received(ch); !ok || !at.Equal(start.Add(8*time.Second)) {
		t.Fatalf("after Reset: %v %v", at, ok)
	}

	c.Advance(time.Hour)           // nothing armed: nothing happens
	ch.Reset(time.Second)          // fired, received: armed again
	c.Advance(time.Second)         // fires, and nobody receives
	if ch.Reset(2 * time.Second) { // fired, not received
		t.Fatal("Reset of a fired timer reported true")
	}
	if _, ok := received(ch); ok {
		t.Fatal("a stale time received after Reset")
	}
	c.Advance(2 * time.Second)
	if _, ok := received(ch); !ok {
		t.Fatal("not fired after the second Reset")
	}

	ran := 0
	fn := c.AfterFunc(time.Second, func() { ran++ })
	fn.Reset(3 * time.Second)
	c.Advance(2 * time.Second)
	if ran != 0 {
		t.Fatal("f ran at its time before Reset")
	}
	c.Advance(time.Second)
	c.Advance(time.Hour)
	if ran != 1 {
		t.Fatalf("f ran %d times, want once", ran)
	}
	fn.Reset(time.Second)
	c.Advance(time.Hour)
	if ran != 2 {
		t.Fatalf("after a Reset of a fired AfterFunc: f ran %d times, want 2", ran)
	}
}

// TestFakeDueAtOnce: a timer armed for now or earlier fires at once, as on the wall clock.
func TestFakeDueAtOnce(t *testing.T) {
	c := NewFake(start)
	if at, ok := received(c.NewTimer(0)); !ok || !at.Equal(start) {
		t.Fatalf("NewTimer(0): %v %v", at, ok)
	}
	select {
	case <-c.After(-time.Second):
	default:
		t.Fatal("After(-1s) did not fire at once")
	}
	done := make(chan struct{})
	c.AfterFunc(0, func() { close(done) })
	<-done // f runs in a goroutine of its own; if it never does, the test times out
}

// TestFakeResetLeavesNoStaleTimers is the switchboard's loop: it waits for its next deadline,
// and waits anew when the deadline moves. With After each move left a wait armed behind; one
// Timer, Reset at each move, is one timer armed.
func TestFakeResetLeavesNoStaleTimers(t *testing.T) {
	c := NewFake(start)
	timer := c.NewTimer(time.Hour)
	for i := range 100 {
		timer.Reset(time.Duration(100-i) * time.Second)
	}
	if n := len(c.armed); n != 1 {
		t.Fatalf("%d timers armed after 100 Resets, want 1", n)
	}
	c.Advance(time.Second)
	if _, ok := received(timer); !ok {
		t.Fatal("not fired at its last time")
	}
	if n := len(c.armed); n != 0 {
		t.Fatalf("%d timers armed after it fired", n)
	}
}

// TestFakeConcurrentUse arms, stops and resets timers from many goroutines while the clock
// advances (run it with -race): every AfterFunc's f runs once per arming that no Stop or Reset
// disarmed before it fired.
func TestFakeConcurrentUse(t *testing.T) {
	c := NewFake(start)
	const workers, each = 8, 200
	var ran, want [workers * each]atomic.Int32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range each {
				k := w*each + i
				timer := c.AfterFunc(time.Duration(1+rng.IntN(1000))*time.Millisecond, func() { ran[k].Add(1) })
				want[k].Store(1)
				switch rng.IntN(3) {
				case 0:
					if timer.Stop() {
						want[k].Store(0)
					}
				case 1:
					if !timer.Reset(time.Duration(1+rng.IntN(1000)) * time.Millisecond) {
						want[k].Store(2) // it had fired already, and fires again
					}
				}
				ch := c.NewTimer(time.Duration(1+rng.IntN(1000)) * time.Millisecond)
				if rng.IntN(2) == 0 {
					ch.Stop()
				}
				_ = c.Now()
			}
		}()
	}
	advancing := make(chan struct{})
	go func() {
		defer close(advancing)
		for range 500 {
			c.Advance(time.Millisecond)
		}
	}()
	wg.Wait()
	<-advancing
	c.Advance(time.Hour) // past every timer still armed
	for k := range ran {
		if n, w := ran[k].Load(), want[k].Load(); n != w {
			t.Fatalf("f %d ran %d times, want %d", k, n, w)
		}
	}
	if n := len(c.armed); n != 0 {
		t.Fatalf("%d timers still armed", n)
	}
}

// TestFakeAwaitArmed waits for another goroutine to arm its timer before advancing past it.
func TestFakeAwaitArmed(t *testing.T) {
	c := NewFake(start)
	got := make(chan time.Time)
	go func() { got <- <-c.After(time.Minute) }()
	if err := c.AwaitArmed(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	if at := <-got; !at.Equal(start.Add(time.Minute)) {
		t.Fatalf("woke at %v", at)
	}
	ctx, cancel := context.WithCancelCause(t.Context())
	cause := errors.New("gave up")
	cancel(cause)
	if err := c.AwaitArmed(ctx, 1); !errors.Is(err, cause) {
		t.Fatalf("AwaitArmed with nothing armed and ctx ended: %v", err)
	}
}

// TestRealTimers: the wall clock's timers are time's own.
func TestRealTimers(t *testing.T) {
	var c Clock = Real{}
	long := c.NewTimer(time.Hour)
	if !long.Stop() || long.Stop() {
		t.Fatal("Stop of an armed wall-clock timer")
	}
	if long.Reset(0) {
		t.Fatal("Reset of a stopped wall-clock timer reported true")
	}
	<-long.C
	done := make(chan struct{})
	fn := c.AfterFunc(0, func() { close(done) })
	<-done
	if fn.C != nil || fn.Stop() {
		t.Fatal("an AfterFunc timer has a channel, or stopped after it ran")
	}
}
