package routing

import (
	"cmp"
	"maps"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Floor returns the live floor, in one pass over the operators and one sort of the calls.
func (e *Engine) Floor() cc.Floor { return e.FloorOf(nil) }

// FloorOf is Floor with, among its operators, only those whose status keep accepts (nil:
// every one); every operator still counts in his queues' states. A floor of 10 000 operators
// is mostly their views: a reader that needs a few of them asks for those.
func (e *Engine) FloorOf(keep func(cc.OperatorStatus) bool) cc.Floor {
	var f cc.Floor
	index := map[cc.QueueID]int{}
	ids := make([]cc.QueueID, 0, len(e.queues))
	for id := range e.queues {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	working := map[cc.QueueID]int{}
	for _, id := range ids {
		index[id] = len(f.Queues)
		f.Queues = append(f.Queues, cc.QueueLine{Queue: *e.queues[id], States: map[cc.OperatorState]int{}, NewCallWait: -1})
	}
	if len(e.byDisplay) != len(e.operators) { // sorted once, again only after a change of operators
		e.byDisplay = slices.SortedFunc(maps.Values(e.operators), func(a, b *operator) int {
			return cmp.Or(cmp.Compare(a.cfg.Name, b.cfg.Name), cmp.Compare(a.cfg.ID, b.cfg.ID))
		})
	}
	if keep == nil {
		f.Operators = make([]cc.OperatorView, 0, len(e.byDisplay))
	}
	for _, o := range e.byDisplay {
		if keep == nil || keep(o.st) {
			f.Operators = append(f.Operators, cc.OperatorView{Operator: o.cfg, Status: o.st, Present: o.present()})
		}
		for _, s := range o.cfg.Queues {
			i, ok := index[s.Queue]
			if !ok {
				continue
			}
			f.Queues[i].States[o.st.State]++
			switch o.st.State {
			case cc.OperatorReady, cc.OperatorReserved, cc.OperatorOnCall, cc.OperatorWrapUp:
				if o.present() {
					working[s.Queue]++
				}
			}
		}
	}
	for _, w := range e.Calls("") {
		i, ok := index[w.Call.Queue]
		if !ok {
			continue
		}
		ql := &f.Queues[i]
		if w.Call.State == cc.CallConnected {
			ql.Connected++
			continue
		}
		ql.Waiting = append(ql.Waiting, w)
		ql.Expect = append(ql.Expect, e.expect(w.Call.Queue, w.Position, working))
	}
	for i := range f.Queues {
		q := f.Queues[i].Queue.ID
		f.Queues[i].NewCallWait = e.expect(q, len(f.Queues[i].Waiting)+1, working)
	}
	return f
}

// expect is PredictedWait for the call at position pos of queue q (0: it has an offer out, so
// no wait is left to predict), given how many operators work each queue; -1 when unknown.
func (e *Engine) expect(q cc.QueueID, pos int, working map[cc.QueueID]int) time.Duration {
	w := e.waits[q]
	if w == nil || w.handled == 0 {
		return -1
	}
	if working[q] == 0 {
		return 24 * time.Hour
	}
	return time.Duration(pos) * w.handle / time.Duration(working[q])
}
