package callcenter

import (
	"math"
	"testing"
	"time"
)

// TestComputeScore checks the score and its parts: misses take 100 × (1 − answer rate), slow
// answers up to half of what is left (all of that half from a 20 s average ring time on), and the
// three always add up to 100.
func TestComputeScore(t *testing.T) {
	for _, tc := range []struct {
		name             string
		rate             float64
		ring             time.Duration
		points, miss, sl float64
	}{
		{"new operator", 1, 0, 100, 0, 0},
		{"misses only", 0.8, 0, 80, 20, 0},
		{"a 5 s ring time", 0.8, 5 * time.Second, 70, 20, 10},
		{"a 20 s ring time halves it", 1, 20 * time.Second, 50, 0, 50},
		{"slower than 20 s takes no more", 1, time.Minute, 50, 0, 50},
		{"never answers", 0, 10 * time.Second, 0, 100, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Marks{AnswerRate: tc.rate, RingTime: tc.ring}.ComputeScore()
			near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
			if !near(s.Points, tc.points) || !near(s.LostToMisses, tc.miss) || !near(s.LostToSlowAnswers, tc.sl) {
				t.Errorf("got %+v, want points %v, lost to misses %v, to slow answers %v", s, tc.points, tc.miss, tc.sl)
			}
			if !near(s.Points+s.LostToMisses+s.LostToSlowAnswers, 100) {
				t.Errorf("parts of %+v do not add up to 100", s)
			}
		})
	}
	if s := NewMarks(); s.ComputeScore().Points != s.Score {
		t.Errorf("a new operator's score %v is not what ComputeScore gives", s.Score)
	}
}
