package analytics

import (
	"slices"
	"strings"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Width is how wide the rows of a history are.
type Width int

const (
	Quarter Width = iota // 15 minutes: the stored rows
	Hour
	Day
	Whole // one row for the whole range: a period's totals
)

// MaxDays is the longest range, in the zone's calendar days, a history of each width may cover
// (a month of 31 days that gains an hour when daylight saving ends still fits).
var MaxDays = map[Width]int{Quarter: 31, Hour: 92, Day: 3 * 366, Whole: 3 * 366}

// Names are the widths as a person says them, for errors and file names.
var Names = map[Width]string{Quarter: "15min", Hour: "hour", Day: "day", Whole: "total"}

// TooLong says whether [from, to) is longer than a history of width w may cover, counting
// calendar days in zone loc.
func (w Width) TooLong(from, to time.Time, loc *time.Location) bool {
	return to.After(from.In(loc).AddDate(0, 0, MaxDays[w]))
}

// Row is one row of a history: whose (a queue's, an operator's, or "" for summed rows) and
// from when.
type Row struct {
	Start    time.Time
	Queue    cc.QueueID
	Operator cc.OperatorID
	Figures  cc.Figures
}

// start is the start of the row of width w, in zone loc, that t falls in (Whole rows have one
// start, their range's: Group sets it).
func (w Width) start(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	switch w {
	case Hour:
		return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), 0, 0, 0, loc)
	case Day:
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	default:
		return cc.IntervalStart(t).In(loc)
	}
}

// Span widens [from, to) to whole rows of width w in zone loc: the stored intervals to read. A
// Whole row spans the quarters [from, to) touches.
func (w Width) Span(from, to time.Time, loc *time.Location) (time.Time, time.Time) {
	if w == Whole {
		w = Quarter
	}
	lo := w.start(from, loc)
	hi := w.start(to, loc)
	if hi.Before(to) {
		switch w {
		case Hour:
			hi = hi.Add(time.Hour)
		case Day:
			hi = hi.AddDate(0, 0, 1)
		default:
			hi = hi.Add(cc.TallyInterval)
		}
	}
	return lo, hi
}

// Group adds up stored tallies into rows of width w in zone loc; Whole rows start at lo (the
// range's start, as Span gives it). split says whether the rows keep their queue or operator
// or are summed across them. Rows come in time order, then by id.
func Group(ts []cc.Tally, w Width, loc *time.Location, lo time.Time, split bool) []Row {
	type k struct {
		start int64
		id    string
	}
	startOf := func(t time.Time) time.Time {
		if w == Whole {
			return lo.In(loc)
		}
		return w.start(t, loc)
	}
	rows := map[k]*Row{}
	var order []k
	for _, t := range ts {
		start := startOf(t.Start)
		key := k{start: start.UnixMilli()}
		if split {
			key.id = t.ID
		}
		r := rows[key]
		if r == nil {
			r = &Row{Start: start}
			if split {
				if t.Scope == cc.ScopeQueue {
					r.Queue = cc.QueueID(t.ID)
				} else {
					r.Operator = cc.OperatorID(t.ID)
				}
			}
			rows[key] = r
			order = append(order, key)
		}
		r.Figures.Add(t.Figures)
	}
	slices.SortFunc(order, func(a, b k) int {
		if a.start != b.start {
			return int(a.start - b.start)
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]Row, len(order))
	for i, key := range order {
		out[i] = *rows[key]
	}
	return out
}

// Center makes the whole center's tallies from the queues' (the calls) and the center's rows
// (every operator's time by state).
func Center(queues, center []cc.Tally) []cc.Tally {
	out := slices.Clone(queues)
	for _, t := range center {
		out = append(out, cc.Tally{Scope: cc.ScopeQueue, Start: t.Start, Figures: t.Figures})
	}
	return out
}

// Total adds up rows.
func Total(rows []Row) cc.Figures {
	var f cc.Figures
	for _, r := range rows {
		f.Add(r.Figures)
	}
	return f
}
