package sqlite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// TestSearchCallsUsesAnIndex keeps the call search on an index that gives ended calls newest
// first, so a page stops after its rows instead of sorting every call of the year. One
// operator's calls (those he had a leg of) are read through his indexes and sorted: his year,
// not everyone's.
func TestSearchCallsUsesAnIndex(t *testing.T) {
	db := openTest(t)
	for _, tc := range []struct {
		name    string
		q       callcenter.CallQuery
		indexes []string
		sort    bool
	}{
		{"every call", callcenter.CallQuery{}, []string{"calls_ended"}, false},
		{"a time range", callcenter.CallQuery{From: time.Unix(0, 0), To: time.Unix(1, 0)}, []string{"calls_ended"}, false},
		{"a number", callcenter.CallQuery{Number: "+49", NumberContains: true}, []string{"calls_ended"}, false},
		{"an operator", callcenter.CallQuery{Operator: "op-ann"}, []string{"calls_operator_ended", "offers_operator_offered"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Limit = 50
			query, args := sqlstore.SearchCallsQuery(tc.q)
			rows, err := db.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
			must(t, err)
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				must(t, rows.Scan(&id, &parent, &unused, &detail))
				plan = append(plan, detail)
			}
			must(t, rows.Err())
			p := strings.Join(plan, "; ")
			for _, index := range tc.indexes {
				if !strings.Contains(p, index) {
					t.Errorf("query plan %q: want %s", p, index)
				}
			}
			if sorts := strings.Count(p, "TEMP B-TREE"); sorts > 0 && !tc.sort || sorts > 1 {
				t.Errorf("query plan %q: want no sort (or one of the operator's calls)", p)
			}
		})
	}
}

// BenchmarkSearchCalls searches a year of 20 000 ended calls (55 a day, 20 operators, 3
// queues, one in ten abandoned) for a page of 50; "operator of no call" is the worst of a
// walk over every call, which the operator's search does not do. "plain" is the first page with no filter,
// the baseline the others are read against (ratio = ns/op ÷ plain's ns/op).
func BenchmarkSearchCalls(b *testing.B) {
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), "tandem.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const calls = 20_000
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	step := 365 * 24 * time.Hour / calls
	for lo := 0; lo < calls; lo += 1000 {
		var batch []callcenter.Call
		for i := lo; i < lo+1000; i++ {
			arrived := start.Add(time.Duration(i) * step)
			c := callcenter.Call{ID: callcenter.CallID(fmt.Sprintf("c-%05d", i)), Queue: callcenter.QueueID(fmt.Sprintf("q%d", i%3)),
				State: callcenter.CallEnded, CallerNumber: fmt.Sprintf("+7%010d", (i*7919)%1_000_000),
				Operator: callcenter.OperatorID(fmt.Sprintf("op-%02d", i%20)), ArrivedAt: arrived,
				AnsweredAt: arrived.Add(10 * time.Second), EndedAt: arrived.Add(3 * time.Minute)}
			if i%10 == 0 {
				c.State, c.Operator, c.AnsweredAt, c.EndedAt = callcenter.CallAbandoned, "", time.Time{}, arrived.Add(40*time.Second)
			}
			batch = append(batch, c)
		}
		if err := db.Apply(b.Context(), callcenter.Changes{Calls: batch}); err != nil {
			b.Fatal(err)
		}
	}
	mid := start.Add(180 * 24 * time.Hour)
	for _, bc := range []struct {
		name string
		q    callcenter.CallQuery
	}{
		{"plain", callcenter.CallQuery{}},
		{"number prefix", callcenter.CallQuery{Number: "+70000001"}},
		{"number contains", callcenter.CallQuery{Number: "12345", NumberContains: true}},
		{"operator", callcenter.CallQuery{Operator: "op-07"}},
		{"operator of no call", callcenter.CallQuery{Operator: "op-99"}},
		{"abandoned", callcenter.CallQuery{Outcome: callcenter.OutcomeAbandoned}},
		{"queue in a week", callcenter.CallQuery{Queue: "q1", From: mid, To: mid.Add(7 * 24 * time.Hour)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bc.q.Limit = 50
			for b.Loop() {
				if _, err := db.SearchCalls(b.Context(), bc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
