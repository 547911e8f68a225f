package convert

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// TestMarksCarryTheScoreParts checks that the API sends the score and its parts from the
// domain's one computation: the client shows them and keeps no copy of the rule.
func TestMarksCarryTheScoreParts(t *testing.T) {
	m := cc.Marks{AnswerRate: 0.8, RingTime: 5 * time.Second, Score: 70}
	out := MarksOut(m)
	want := m.ComputeScore()
	if out.GetScore() != want.Points || out.GetScoreLostToMisses() != want.LostToMisses || out.GetScoreLostToSlowAnswers() != want.LostToSlowAnswers {
		t.Fatalf("marks out %v, computed %+v", out, want)
	}
	if d := out.GetScore() + out.GetScoreLostToMisses() + out.GetScoreLostToSlowAnswers() - 100; d > 1e-9 || d < -1e-9 {
		t.Errorf("score and parts add up to 100%+g", d)
	}
}
