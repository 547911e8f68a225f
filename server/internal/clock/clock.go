// Package clock gives the server its time. Everything that reads or waits on time takes a Clock,
// so tests run on virtual time: a Fake moves only when told to.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// After sends the time on the channel once d has passed. The wait cannot be called off: a
	// loop that waits again and again, or may stop waiting, takes a Timer.
	After(d time.Duration) <-chan time.Time
	// NewTimer sends the time on the Timer's C once d has passed.
	NewTimer(d time.Duration) *Timer
	// AfterFunc calls f once d has passed, unless the Timer is stopped first. Its C is nil.
	AfterFunc(d time.Duration, f func()) *Timer
}

// Timer is a time.Timer on a Clock. Stop and Reset report whether the timer was armed, and after
// either returns no stale time is received from C (as with time.Timer since Go 1.23).
type Timer struct {
	C <-chan time.Time
	t interface {
		Stop() bool
		Reset(d time.Duration) bool
	}
}

// Stop disarms the timer. It reports false when the timer had already fired or been stopped;
// for an AfterFunc timer, false means f has been called (or will be, in a moment).
func (t *Timer) Stop() bool { return t.t.Stop() }

// Reset arms the timer again to fire d from now, whether it had fired, been stopped or was still
// armed (that last case is when it reports true).
func (t *Timer) Reset(d time.Duration) bool { return t.t.Reset(d) }

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time                         { return time.Now() }
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

func (Real) NewTimer(d time.Duration) *Timer {
	t := time.NewTimer(d)
	return &Timer{C: t.C, t: t}
}

// AfterFunc calls f in its own goroutine once d has passed: a timer with no goroutine waiting on
// it meanwhile.
func (Real) AfterFunc(d time.Duration, f func()) *Timer { return &Timer{t: time.AfterFunc(d, f)} }

// Fake is a clock that moves only when told to. It is safe for concurrent use.
//
// Its timers fire in Advance, earliest first (those due at the same instant in the order they
// were armed); a timer's channel receives the time Advance moved to. An AfterFunc's f runs on the
// goroutine that calls Advance, before Advance returns, so a test sees its effect at once. A
// timer armed for now or earlier fires at once, as on the wall clock: its channel already holds
// the time, and an AfterFunc's f runs in a goroutine of its own.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	armed  []*fakeTimer  // not sorted by time
	seq    uint64        // arming order, to break ties between timers due at once
	wakeup chan struct{} // closed when a timer is armed: wakes AwaitArmed
}

type fakeTimer struct {
	clock *Fake
	ch    chan time.Time // nil for an AfterFunc
	f     func()
	at    time.Time
	seq   uint64
	armed bool
}

// NewFake returns a Fake clock set to start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *Fake) After(d time.Duration) <-chan time.Time { return c.NewTimer(d).C }

func (c *Fake) NewTimer(d time.Duration) *Timer {
	t := &fakeTimer{clock: c, ch: make(chan time.Time, 1)}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.arm(t, d)
	return &Timer{C: t.ch, t: t}
}

func (c *Fake) AfterFunc(d time.Duration, f func()) *Timer {
	t := &fakeTimer{clock: c, f: f}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.arm(t, d)
	return &Timer{t: t}
}

// arm sets t to fire d from now. c.mu is held.
func (c *Fake) arm(t *fakeTimer, d time.Duration) {
	if d <= 0 {
		if t.ch != nil {
			t.ch <- c.now // empty: drained by Stop or Reset, or never filled
		} else {
			go t.f()
		}
		return
	}
	c.seq++
	t.at, t.seq, t.armed = c.now.Add(d), c.seq, true
	c.armed = append(c.armed, t)
	if c.wakeup != nil {
		close(c.wakeup)
		c.wakeup = nil
	}
}

// disarm takes t off the armed timers and drops a time it was sent and nobody received.
// c.mu is held.
func (c *Fake) disarm(t *fakeTimer) (wasArmed bool) {
	wasArmed = t.armed
	if wasArmed {
		for i, a := range c.armed {
			if a == t {
				c.armed = append(c.armed[:i], c.armed[i+1:]...)
				break
			}
		}
		t.armed = false
	}
	if t.ch != nil {
		select {
		case <-t.ch:
		default:
		}
	}
	return wasArmed
}

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	return t.clock.disarm(t)
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	wasArmed := t.clock.disarm(t)
	t.clock.arm(t, d)
	return wasArmed
}

// Advance moves the clock forward by d and fires every timer due by then, earliest first.
func (c *Fake) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	for {
		t := c.nextDue()
		if t == nil {
			c.mu.Unlock()
			return
		}
		if t.ch != nil {
			t.ch <- c.now // empty: a timer is sent one time per arming, and arming drains it
			continue
		}
		// f may use the clock (read it, arm or stop timers), so it runs without the lock.
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
}

// nextDue disarms and returns the earliest timer due by now, or nil. c.mu is held.
func (c *Fake) nextDue() *fakeTimer {
	var next *fakeTimer
	for _, t := range c.armed {
		if t.at.After(c.now) {
			continue
		}
		if next == nil || t.at.Before(next.at) || t.at.Equal(next.at) && t.seq < next.seq {
			next = t
		}
	}
	if next != nil {
		c.disarm(next)
	}
	return next
}

// AwaitArmed waits until at least n timers are armed (waits of After count until they fire), or
// ctx ends. A test that advances the clock past a wait the code under test starts in another
// goroutine awaits it first: a timer armed after the advance would be due only after the next.
func (c *Fake) AwaitArmed(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		if len(c.armed) >= n {
			c.mu.Unlock()
			return nil
		}
		if c.wakeup == nil {
			c.wakeup = make(chan struct{})
		}
		wakeup := c.wakeup
		c.mu.Unlock()
		select {
		case <-wakeup:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}
