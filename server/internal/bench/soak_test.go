package bench

import (
	"strings"
	"testing"
)

func TestSoakVerdict(t *testing.T) {
	window := func(rss, heap int64, g int, p99 float64) SoakWindow {
		return SoakWindow{RSS: rss << 20, Heap: heap << 20, Goroutines: g, P99: p99}
	}
	steady := []SoakWindow{window(90, 30, 400, 5), window(80, 20, 430, 4), window(80, 20, 430, 4), window(81, 20, 431, 4.2), window(82, 21, 432, 4.4), window(82, 21, 430, 4.1)}
	if v := soakVerdict(steady); !strings.HasPrefix(v, "flat: ") {
		t.Errorf("steady windows: %s", v)
	}
	for name, last := range map[string][]SoakWindow{
		"heap grows":      {window(82, 30, 430, 4), window(82, 32, 430, 4)},
		"RSS grows":       {window(95, 20, 430, 4), window(96, 20, 430, 4)},
		"goroutines grow": {window(82, 20, 500, 4), window(82, 20, 520, 4)},
		"p99 drifts":      {window(82, 20, 430, 8), window(82, 20, 430, 9)},
	} {
		ws := append(append([]SoakWindow{}, steady[:4]...), last...)
		if v := soakVerdict(ws); !strings.HasPrefix(v, "NOT flat: ") {
			t.Errorf("%s: %s", name, v)
		}
	}
	if v := soakVerdict(steady[:2]); v != "too short to judge" {
		t.Errorf("two windows: %s", v)
	}
}
