package bench

import (
	"math/rand/v2"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// BenchmarkBigCenterSetUp builds the center of phase 4 at a tenth of its size: loading
// operators must not cost the square of the fleet.
func BenchmarkBigCenterSetUp(b *testing.B) {
	for b.Loop() {
		if _, _, _, err := bigCenter(1000, 50, 200, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecision is one routing decision in a center of 10 000 operators in 50 queues with
// 2 000 calls waiting: a call ends, its operator is free, the engine offers him the first call
// in line he serves, plus NextDeadline as the switchboard asks after each step; "relax": every
// queue under a skills relaxation, with calls of every age in line.
func BenchmarkDecision(b *testing.B) {
	for _, size := range []struct {
		name         string
		ops, waiting int
		relax        bool
	}{{"ops=1000", 1000, 200, false}, {"ops=10000", 10_000, 2000, false}, {"ops=10000,relax", 10_000, 2000, true}} {
		b.Run(size.name, func(b *testing.B) {
			e, ids, now, err := bigCenter(size.ops, 50, size.waiting, size.relax)
			arrivals := rand.New(rand.NewPCG(5, 5))
			if err != nil {
				b.Fatal(err)
			}
			i, calls := 0, size.ops+size.waiting
			for b.Loop() {
				var v cc.OperatorView
				for {
					i = (i + 7919) % len(ids)
					if v, _ = e.View(ids[i]); v.Status.State == cc.OperatorOnCall {
						break
					}
				}
				now = now.Add(time.Millisecond)
				ch, err := e.Report(now, v.Status.Call, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute})
				if err != nil {
					b.Fatal(err)
				}
				e.NextDeadline()
				b.StopTimer()
				for _, cmd := range ch.Commands {
					if cmd.Type == cc.CommandDial {
						if _, err := e.Report(now, cmd.Call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer}); err != nil {
							b.Fatal(err)
						}
					}
				}
				calls++
				if _, _, err := e.Intake(now, bigIntake(calls, 50, now, size.relax, arrivals)); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
