package presence

import (
	"sync"
	"time"

	"github.com/tandemcc/tandem/server/internal/clock"
)

// keepaliveEvery is how often a presence stream gets a keepalive.
const keepaliveEvery = 15 * time.Second

// keepaliveSlots is how many groups the streams' keepalives are spread over: one group's turn
// comes every keepaliveEvery/keepaliveSlots, so ten thousand streams do not all write at once.
const keepaliveSlots = 15

// beats is the one timer behind every presence stream's keepalive, instead of a timer per
// stream. Each stream joins a slot; a slot's channel is closed at its turn, once every
// keepaliveEvery, and replaced by a fresh one. The timer runs while a stream is open.
type beats struct {
	clock   clock.Clock
	mu      sync.Mutex
	slots   [keepaliveSlots]chan struct{}
	joined  int           // streams ever joined: the next one's slot
	streams int           // open now
	stop    chan struct{} // closed when the last stream leaves
}

func newBeats(c clock.Clock) *beats {
	b := &beats{clock: c}
	for i := range b.slots {
		b.slots[i] = make(chan struct{})
	}
	return b
}

// join returns a new stream's slot, starting the timer with the first stream open.
func (b *beats) join() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.streams == 0 {
		b.stop = make(chan struct{})
		go b.run(b.stop)
	}
	b.streams++
	b.joined++
	return b.joined % keepaliveSlots
}

// leave is a stream's end; the timer stops with the last one.
func (b *beats) leave() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.streams--; b.streams == 0 {
		close(b.stop)
	}
}

// next is closed at the slot's next turn.
func (b *beats) next(slot int) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.slots[slot]
}

// run takes the slots in turn until stop is closed.
func (b *beats) run(stop <-chan struct{}) {
	t := b.clock.NewTimer(keepaliveEvery / keepaliveSlots)
	defer t.Stop()
	for turn := 0; ; turn = (turn + 1) % keepaliveSlots {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		b.mu.Lock()
		close(b.slots[turn])
		b.slots[turn] = make(chan struct{})
		b.mu.Unlock()
		t.Reset(keepaliveEvery / keepaliveSlots)
	}
}
