package switchboard

import (
	"context"
	"sync"
	"time"

	"github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// floorWatchers are signalled after every stored change: the wallboards' streams.
type floorWatchers struct {
	mu  sync.Mutex
	all map[chan struct{}]bool
}

func (fw *floorWatchers) signal() {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	for ch := range fw.all {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// WatchFloor returns a channel signalled after each change the floor may show (several
// changes may make one signal), and a function to stop watching.
func (s *Switchboard) WatchFloor() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.floorWatch.mu.Lock()
	if s.floorWatch.all == nil {
		s.floorWatch.all = map[chan struct{}]bool{}
	}
	s.floorWatch.all[ch] = true
	s.floorWatch.mu.Unlock()
	return ch, func() {
		s.floorWatch.mu.Lock()
		delete(s.floorWatch.all, ch)
		s.floorWatch.mu.Unlock()
	}
}

// Floor returns the live floor: the engine's queues, calls and operators with today's figures.
// Readers asking while nothing changed share one copy.
func (s *Switchboard) Floor(ctx context.Context) (analytics.Floor, error) {
	var f analytics.Floor
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		if !s.floorCurrent(now) {
			fl := s.record.Floor(now, s.engine.Floor())
			fl.Version = s.version
			s.floor = &fl
		}
		f = *s.floor
		return cc.Changes{}, nil
	})
	return f, err
}

// AlertFloor is the floor the alert watch reads every second: the queues whole and, of the
// operators, only those with a miss in a row, the one alert of an operator's (another's
// reading is zero, which the watch takes as no reading). It is the shared floor when that is
// current, and otherwise is built without the other operators, whose views and figures of
// today are most of a big floor's cost: with 10 000 operators the whole floor took 16 ms of the
// loop and 18 MB every second while every operator changed state.
func (s *Switchboard) AlertFloor(ctx context.Context) (analytics.Floor, error) {
	var f analytics.Floor
	err := s.do(ctx, func(now time.Time) (cc.Changes, error) {
		if s.floorCurrent(now) {
			f = *s.floor
			return cc.Changes{}, nil
		}
		f = s.record.Floor(now, s.engine.FloorOf(func(st cc.OperatorStatus) bool { return st.Marks.ConsecutiveMisses > 0 }))
		f.Version = s.version
		return cc.Changes{}, nil
	})
	return f, err
}

// floorCurrent reports whether the shared floor shows the engine as it is at now: built since
// the last stored change, and not older than floorMaxAge (loop only).
func (s *Switchboard) floorCurrent(now time.Time) bool {
	return s.floor != nil && s.floor.Version == s.version && now.Sub(s.floor.At) <= floorMaxAge
}

// floorMaxAge is how old a shared floor may be when nothing changed: its time on the clock
// moves on even when the calls do not.
const floorMaxAge = time.Second

// SinceStart returns each queue's figures counted since the process started.
func (s *Switchboard) SinceStart(ctx context.Context) (map[cc.QueueID]cc.Figures, error) {
	var out map[cc.QueueID]cc.Figures
	err := s.do(ctx, func(time.Time) (cc.Changes, error) {
		out = s.record.SinceStart()
		return cc.Changes{}, nil
	})
	return out, err
}
