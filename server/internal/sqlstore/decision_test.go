package sqlstore

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// TestDecisionJSONIsEncodingJSON: the hand-written record reads back through encoding/json
// into what encoding/json would have written.
func TestDecisionJSONIsEncodingJSON(t *testing.T) {
	for _, d := range []callcenter.Decision{
		{},
		{Candidates: []callcenter.Candidate{}},
		{Candidates: []callcenter.Candidate{{Operator: "a\x00\x1f\"\\\xff\xfe", Spare: "sp", State: "ready", Eligible: true,
			ExcludedBecause: "x\t", Idle: -3, Level: 5, Score: 1e21, CallsToday: 7, Value: math.SmallestNonzeroFloat64, ValueString: "日本"}},
			EligibleCount: 1, ExcludedCount: 2, ExcludedByReason: map[string]int{"b": 1, "a\"": 1}},
		{Relax: &callcenter.RelaxPool{}},
		{EligibleCount: 3, Relax: &callcenter.RelaxPool{Step: 2, After: 90 * time.Second, MinLevel: 2, Also: []callcenter.QueueID{"sales", "b\"x"}},
			RelaxText: "relaxed at 1m30s: operators of sales too"},
	} {
		b := appendDecisionJSON(nil, d)
		var got decisionRecord
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		want := decisionRecord{Eligible: d.EligibleCount, Excluded: d.ExcludedCount, ByReason: d.ExcludedByReason}
		if r := d.Relax; r != nil {
			want.Relax = &relaxRow{Step: r.Step, AfterMS: r.After.Milliseconds(), MinLevel: r.MinLevel, Also: r.Also, Text: d.RelaxText}
		}
		if d.Candidates != nil {
			want.Candidates = make([]candidateRow, len(d.Candidates))
			for i, c := range d.Candidates {
				want.Candidates[i] = candidateRow(c)
			}
		}
		std, _ := json.Marshal(want)
		var viaStd decisionRecord
		if err := json.Unmarshal(std, &viaStd); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, viaStd) {
			t.Errorf("hand-written %s\nencoding/json %s", b, std)
		}
	}
}
