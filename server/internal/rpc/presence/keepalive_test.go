package presence

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestBeatsTakeTurns: streams are spread over the slots, each slot's turn comes once every
// keepaliveEvery with one slot at a time, and the timer stops with the last stream.
func TestBeatsTakeTurns(t *testing.T) {
	defer goleak.VerifyNone(t)
	clk := clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	b := newBeats(clk)
	streams := map[int]int{}
	for range keepaliveSlots {
		streams[b.join()]++
	}
	if len(streams) != keepaliveSlots {
		t.Fatalf("%d streams in %d slots, want one in each of %d", keepaliveSlots, len(streams), keepaliveSlots)
	}
	for turn := range 2 * keepaliveSlots {
		var chans [keepaliveSlots]<-chan struct{}
		for s := range chans {
			chans[s] = b.next(s)
		}
		if err := clk.AwaitArmed(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(keepaliveEvery / keepaliveSlots)
		<-chans[turn%keepaliveSlots]
		for s, ch := range chans {
			select {
			case <-ch:
				if s != turn%keepaliveSlots {
					t.Fatalf("turn %d: slot %d beat too", turn, s)
				}
			default:
			}
		}
	}
	for range keepaliveSlots {
		b.leave()
	}
}
