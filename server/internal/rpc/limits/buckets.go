package limits

import (
	"sync"
	"time"

	"github.com/tandemcc/tandem/server/internal/clock"
)

// bucket is one caller's token bucket.
type bucket struct {
	tokens float64
	at     time.Time
}

// buckets is a set of token buckets by key, at most max of them.
type buckets struct {
	mu    sync.Mutex
	clock clock.Clock
	max   int
	all   map[string]*bucket
}

func newBuckets(c clock.Clock, max int) *buckets {
	return &buckets{clock: c, max: max, all: map[string]*bucket{}}
}

// refill brings b up to now under rate r.
func (b *bucket) refill(r Rate, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(float64(r.Burst), b.tokens+d.Seconds()*r.PerSecond)
	}
	b.at = now
}

func (bs *buckets) get(key string, r Rate, now time.Time) *bucket {
	b := bs.all[key]
	if b != nil {
		b.refill(r, now)
		return b
	}
	if len(bs.all) >= bs.max {
		bs.forget(r, now)
	}
	b = &bucket{tokens: float64(r.Burst), at: now}
	bs.all[key] = b
	return b
}

// forget makes room: first every full bucket (a caller with nothing to remember), then, if
// none was full, a tenth of them (arbitrary ones, which get a fresh burst).
func (bs *buckets) forget(r Rate, now time.Time) {
	for k, b := range bs.all {
		if b.refill(r, now); b.tokens >= float64(r.Burst) {
			delete(bs.all, k)
		}
	}
	drop := bs.max / 10
	for k := range bs.all {
		if len(bs.all) < bs.max || drop <= 0 {
			break
		}
		delete(bs.all, k)
		drop--
	}
}

// take takes a token for key; when there is none it says how long until there is.
func (bs *buckets) take(key string, r Rate) (ok bool, wait time.Duration) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	now := bs.clock.Now()
	b := bs.get(key, r, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / r.PerSecond * float64(time.Second))
}
