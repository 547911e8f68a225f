// Package tallyrow maps the history's tally rows (the tallies table, the same in every store's
// schema) to and from callcenter.Tally: the columns, the values to write, the cells to scan,
// and the upsert that adds a tally to its row. The stores differ only in the SQL function that
// keeps the larger of two values.
package tallyrow

import (
	"fmt"
	"strings"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// counts are the tallies' added-up columns, in the order cells gives them.
var counts = func() []string {
	cols := []string{"calls_received", "calls_answered", "answered_within", "calls_abandoned", "short_abandons",
		"abandoned_within", "calls_lost", "calls_overflowed", "answered_by_spare", "hung_up_by_caller",
		"hung_up_by_operator", "hung_up_by_system", "offers_made", "offers_missed", "manager_calls",
		"manager_reached", "exits_closed", "exits_max_waiting", "exits_longest_wait", "exits_message",
		"exits_number", "exits_queue", "exits_voicemail", "exits_callback", "callbacks_requested",
		"callbacks_connected", "callback_attempts_failed", "callbacks_given_up", "voicemails", "answer_time_ms", "talk_ms", "wrap_up_time_ms", "ring_ms", "ready_ms",
		"reserved_ms", "on_call_ms", "wrap_up_ms", "away_ms", "hold_ms"}
	for i := range cc.HistogramBuckets {
		cols = append(cols, fmt.Sprintf("h%d", i))
	}
	return cols
}()

// Columns lists every column but scope, in the order of Values and of Scan.Dest.
var Columns = "id, start, answer_time_max_ms, " + strings.Join(counts, ", ")

// Sums are Columns added up over a group of rows (GROUP BY id): the earliest start, the
// largest answer time, the sums of the rest; each a BIGINT in every store.
var Sums = func() string {
	cols := []string{"id", "MIN(start)", "MAX(answer_time_max_ms)"}
	for _, c := range counts {
		cols = append(cols, "CAST(SUM("+c+") AS BIGINT)")
	}
	return strings.Join(cols, ", ")
}()

// row is a tally with its durations in whole milliseconds, as stored.
type row struct {
	t           cc.Tally
	start, max  int64
	durationsMS [10]int64
}

// durations are the Figures' added-up durations, in the columns' order.
func durations(f *cc.Figures) [10]*time.Duration {
	return [10]*time.Duration{&f.AnswerTimeTotal, &f.TalkTime, &f.WrapUpTime, &f.RingTimeTotal, &f.Ready,
		&f.Reserved, &f.OnCall, &f.WrapUp, &f.Away, &f.HoldTime}
}

// cells are pointers to the row's fields in Columns' order.
func (r *row) cells() []any {
	f := &r.t.Figures
	cells := []any{&r.t.ID, &r.start, &r.max, &f.CallsReceived, &f.CallsAnswered, &f.AnsweredWithin, &f.CallsAbandoned,
		&f.ShortAbandons, &f.AbandonedWithin, &f.CallsLost, &f.CallsOverflowed, &f.AnsweredBySpare, &f.HungUpByCaller,
		&f.HungUpByOperator, &f.HungUpBySys, &f.OffersMade, &f.OffersMissed, &f.ManagerCalls, &f.ManagerReached,
		&f.ExitsClosed, &f.ExitsMaxWaiting, &f.ExitsLongestWait, &f.ExitsMessage, &f.ExitsNumber, &f.ExitsQueue,
		&f.ExitsVoicemail, &f.ExitsCallback, &f.CallbacksRequested, &f.CallbacksConnected, &f.CallbackAttemptsFailed,
		&f.CallbacksGivenUp, &f.Voicemails}
	for i := range r.durationsMS {
		cells = append(cells, &r.durationsMS[i])
	}
	for i := range f.Histogram {
		cells = append(cells, &f.Histogram[i])
	}
	return cells
}

// Values are a tally's scope, then its cells in Columns' order, for Upsert.
func Values(t cc.Tally) []any {
	r := row{t: t, start: t.Start.UnixMilli(), max: t.Figures.AnswerTimeMax.Milliseconds()}
	for i, d := range durations(&r.t.Figures) {
		r.durationsMS[i] = d.Milliseconds()
	}
	out := []any{t.Scope}
	for _, c := range r.cells() {
		switch v := c.(type) {
		case *string:
			out = append(out, *v)
		case *int64:
			out = append(out, *v)
		}
	}
	return out
}

// Upsert adds a tally (Values) to its row; greatest names the store's SQL function that keeps
// the larger of two values ("max" in SQLite, "GREATEST" in PostgreSQL).
func Upsert(greatest string) string {
	var set []string
	for _, c := range counts {
		set = append(set, c+" = tallies."+c+" + excluded."+c)
	}
	set = append(set, "answer_time_max_ms = "+greatest+"(tallies.answer_time_max_ms, excluded.answer_time_max_ms)")
	return `INSERT INTO tallies (scope, ` + Columns + `) VALUES (?` + strings.Repeat(", ?", 3+len(counts)) + `)
		ON CONFLICT (scope, id, start) DO UPDATE SET ` + strings.Join(set, ", ")
}

// Scan reads rows of Columns (or Sums) into tallies of one scope.
type Scan struct{ r row }

// Dest are the destinations for one row.
func (s *Scan) Dest() []any {
	s.r = row{}
	return s.r.cells()
}

// Tally is the row just scanned.
func (s *Scan) Tally(scope cc.TallyScope) cc.Tally {
	t := s.r.t
	t.Scope, t.Start = scope, time.UnixMilli(s.r.start).UTC()
	t.Figures.AnswerTimeMax = time.Duration(s.r.max) * time.Millisecond
	for i, d := range durations(&t.Figures) {
		*d = time.Duration(s.r.durationsMS[i]) * time.Millisecond
	}
	return t
}

// Sum adds up the tallies of one row (scope, id, interval), in the order the rows first come:
// a batch writes each row once.
func Sum(ts []cc.Tally) []cc.Tally {
	type key struct {
		scope cc.TallyScope
		id    string
		start int64
	}
	at := map[key]int{}
	var out []cc.Tally
	for _, t := range ts {
		k := key{t.Scope, t.ID, t.Start.UnixMilli()}
		if i, ok := at[k]; ok {
			out[i].Figures.Add(t.Figures)
			continue
		}
		at[k] = len(out)
		out = append(out, t)
	}
	return out
}
