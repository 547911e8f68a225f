package bench

import (
	"fmt"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// BenchmarkBigCenterSetUp builds the center of phase 4 at a tenth of its size: loading
// operators must not cost the square of the fleet.
func BenchmarkBigCenterSetUp(b *testing.B) {
	for b.Loop() {
		if _, _, _, err := bigCenter(1000, 50, 200, 0, cc.StrategyLongestIdle); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRunEngineTimesRingAll runs phase 4 small: every case makes decisions, and an arrival in
// the ring_all center rings several free operators at once.
func TestRunEngineTimesRingAll(t *testing.T) {
	cfg := Config{BigOperators: 300, BigQueues: 5, BigWaiting: 50, Duration: 200 * time.Millisecond}
	res, err := runEngine(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.P99 <= 0 || res.RingAllP99 <= 0 || res.ArrivalP99 <= 0 || res.RingAllArrivalP99 <= 0 {
		t.Fatalf("a case measured nothing: %+v", res)
	}
	if res.RingAllArrivalLegs < 4 {
		t.Fatalf("an arrival with %d free rang %.1f operators on average, want about 5", res.FreeOperators, res.RingAllArrivalLegs)
	}
}

// BenchmarkDecision is one routing decision in a center of 10 000 operators in 50 queues with
// 2 000 calls waiting: a call ends, its operator is free, the engine offers him the first call
// in line he serves, plus NextDeadline as the switchboard asks after each step.
func BenchmarkDecision(b *testing.B) {
	for _, size := range []struct {
		name         string
		ops, waiting int
	}{{"ops=1000", 1000, 200}, {"ops=10000", 10_000, 2000}} {
		b.Run(size.name, func(b *testing.B) {
			e, ids, now, err := bigCenter(size.ops, 50, size.waiting, 0, cc.StrategyLongestIdle)
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
				if _, _, err := e.Intake(now, cc.Intake{SessionID: "s", AccessURL: "http://127.0.0.1:1/s",
					CallerNumber: "+15550000000", DialedNumber: fmt.Sprintf("+1800556%04d", calls%50)}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkArrival is one decision as a call arrives in a center of 10 000 operators in 50
// queues with 500 of them free and nobody waiting: the intake rings one operator
// (longest_idle) or five at once (ring_all), plus NextDeadline.
func BenchmarkArrival(b *testing.B) {
	for _, s := range []cc.Strategy{cc.StrategyLongestIdle, cc.StrategyRingAll} {
		b.Run(string(s), func(b *testing.B) {
			e, ids, now, err := bigCenter(10_000, 50, 0, freeAtArrivals, s)
			if err != nil {
				b.Fatal(err)
			}
			calls, i := 0, 0
			for b.Loop() {
				now = now.Add(time.Millisecond)
				calls++
				_, ch, err := e.Intake(now, cc.Intake{SessionID: "s", AccessURL: "http://127.0.0.1:1/s",
					CallerNumber: "+15550000000", DialedNumber: fmt.Sprintf("+1800556%04d", calls%50)})
				if err != nil {
					b.Fatal(err)
				}
				e.NextDeadline()
				b.StopTimer()
				if _, err := answerFirst(e, now, ch); err != nil {
					b.Fatal(err)
				}
				for {
					i = (i + 7919) % len(ids)
					if v, _ := e.View(ids[i]); v.Status.State == cc.OperatorOnCall {
						ch, err := e.Report(now, v.Status.Call, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute})
						if err != nil {
							b.Fatal(err)
						}
						if _, err := answerFirst(e, now, ch); err != nil {
							b.Fatal(err)
						}
						break
					}
				}
				b.StartTimer()
			}
		})
	}
}
