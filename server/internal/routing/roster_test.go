package routing

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// TestRosterFollowsChanges: through random skill changes (operators moving in and out of the
// middle of queues of 400, across the bit sets' words), presence, states, offers and ticks,
// every operator is marked under the reason eligible gives, at his place in each of his
// queues, and the decision record's account of who was left out from the rosters is the one
// a walk of the queue gives.
func TestRosterFollowsChanges(t *testing.T) {
	f := newFixture(t)
	f.must(f.e.CreateQueue(f.now, cc.Queue{ID: "b", DialedNumbers: []string{"+18005550101"}, OfferTimeout: 20 * time.Second}))
	f.must(f.e.CreateQueue(f.now, cc.Queue{ID: "c", DialedNumbers: []string{"+18005550102"}, OfferTimeout: 20 * time.Second}))
	rng := rand.New(rand.NewPCG(3, 4))
	qs := []cc.QueueID{"support", "b", "c"}
	skills := func() []cc.QueueSkill {
		var out []cc.QueueSkill
		for _, q := range qs {
			if rng.IntN(2) == 0 {
				out = append(out, cc.QueueSkill{Queue: q, Level: 1 + rng.IntN(5)})
			}
		}
		return out
	}
	var ids []cc.OperatorID
	for _, i := range rng.Perm(400) {
		id := cc.OperatorID(fmt.Sprintf("op%04d", i*7))
		ids = append(ids, id)
		f.must(f.e.CreateOperator(f.now, cc.Operator{ID: id, Name: string(id), Contact: cc.Contact{Kind: cc.ContactUser, Target: string(id)}, Queues: skills()}))
	}
	for step := 0; step < 4000; step++ {
		f.now = f.now.Add(time.Second)
		id := ids[rng.IntN(len(ids))]
		switch rng.IntN(8) {
		case 0:
			op, _ := f.e.Operator(id)
			op.Queues = skills()
			op.Disabled = rng.IntN(10) == 0
			f.e.UpdateOperator(f.now, op)
		case 1:
			f.e.Connect(f.now, id)
		case 2:
			f.e.Disconnect(f.now, id)
		case 3:
			f.e.GoReady(f.now, id)
		case 4:
			f.e.GoAway(f.now, id, "x")
		case 5:
			_, ch, _ := f.e.Intake(f.now, cc.Intake{AccessURL: "u", CallerNumber: "+200", DialedNumber: []string{"+18005550100", "+18005550101", "+18005550102"}[rng.IntN(3)]})
			for _, cmd := range ch.Commands {
				if cmd.Type == cc.CommandDial && rng.IntN(2) == 0 {
					f.e.Report(f.now, cmd.Call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer})
				}
			}
		case 6:
			f.e.Tick(f.now)
		case 7:
			v, _ := f.e.View(id)
			if v.Status.Call != "" {
				f.e.Report(f.now, v.Status.Call, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller})
			}
		}
		checkRosters(t, f.e)
	}
}

func checkRosters(t *testing.T, e *Engine) {
	t.Helper()
	for _, o := range e.operators {
		if o.why != eligible(o) {
			t.Fatalf("operator %s filed as %q, is %q", o.cfg.ID, o.why, eligible(o))
		}
		for k, s := range o.cfg.Queues {
			if e.byQueue[s.Queue][o.at[k]] != o {
				t.Fatalf("operator %s not at %d of %s", o.cfg.ID, o.at[k], s.Queue)
			}
		}
	}
	for q, ops := range e.byQueue {
		r := e.staff[q]
		for why, set := range r.byWhy {
			n := 0
			for p := range len(set.words) * 64 {
				on := set.words[p/64]&(1<<(p%64)) != 0
				if on {
					n++
				}
				if on != (p < len(ops) && ops[p].why == why) {
					t.Fatalf("queue %s place %d reason %q marked %v", q, p, why, on)
				}
			}
			if n != set.n {
				t.Fatalf("queue %s reason %q: %d marked, counted %d", q, why, n, set.n)
			}
		}
		// The record's account, for a call whose pool is the queue's free operators.
		var pool []*operator
		for _, o := range ops {
			if e.free.has(o) {
				pool = append(pool, o)
			}
		}
		if len(pool) == 0 {
			continue
		}
		c := &call{}
		for _, chosen := range []*operator{pool[0], pool[len(pool)-1]} {
			for _, sub := range [][]*operator{pool, pool[:1]} {
				c.Manager = ""
				if len(sub) == 1 {
					c.Manager = chosen.cfg.ID
				}
				got, want := e.leftOut(e.queues[q], c, chosen, sub), e.leftOutWalk(e.queues[q], c, chosen, sub)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("queue %s: left out %+v, a walk gives %+v", q, got, want)
				}
			}
		}
	}
}
