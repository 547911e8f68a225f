package bench

import (
	"slices"
	"sync"
	"time"
)

// maxSamples bounds the memory a latency recorder holds; past it, samples replace earlier ones
// at random positions (reservoir sampling), so percentiles stay fair over a long run.
const maxSamples = 1 << 20

// latencies collects durations for percentiles. Safe for concurrent use.
type latencies struct {
	mu   sync.Mutex
	d    []time.Duration
	seen uint64
	rng  uint64
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.seen++
	if len(l.d) < maxSamples {
		l.d = append(l.d, d)
	} else {
		// xorshift: cheap, good enough to pick a slot.
		l.rng ^= l.rng<<13 | 1
		l.rng ^= l.rng >> 7
		l.rng ^= l.rng << 17
		if i := l.rng % l.seen; i < maxSamples {
			l.d[i] = d
		}
	}
	l.mu.Unlock()
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int(l.seen)
}

// percentiles returns the given quantiles (0..1) of what was recorded; zeros when empty.
func (l *latencies) percentiles(qs ...float64) []time.Duration {
	l.mu.Lock()
	s := slices.Clone(l.d)
	l.mu.Unlock()
	out := make([]time.Duration, len(qs))
	if len(s) == 0 {
		return out
	}
	slices.Sort(s)
	for i, q := range qs {
		k := int(q*float64(len(s))+0.5) - 1
		out[i] = s[min(max(k, 0), len(s)-1)]
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
