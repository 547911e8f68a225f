package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/storetest"
)

// BenchmarkApplyLifecycle stores one call's lifecycle as the switchboard does when each step
// is a transaction of its own (a lightly loaded server): intake, offer with its decision,
// answer, end — the call, offer, operator status, cloud request and call events of each.
func BenchmarkApplyLifecycle(b *testing.B) {
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), "tandem.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	base := storetest.Changes()
	if err := db.Apply(b.Context(), callcenter.Changes{Operators: base.Operators, Queues: base.Queues}); err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		id := callcenter.CallID(fmt.Sprintf("call-%08d", n))
		of := callcenter.OfferID(fmt.Sprintf("offer-%08d", n))
		now := t0.Add(time.Duration(n) * time.Second)
		c := callcenter.Call{ID: id, Queue: "support", State: callcenter.CallWaiting, SessionID: "s", AccessURL: "http://127.0.0.1/s",
			CallerNumber: "+15550100", Client: "+15550100", DialedNumber: "+15550001", ArrivedAt: now}
		req := func(k int) []callcenter.CloudRequest {
			return []callcenter.CloudRequest{{ID: fmt.Sprintf("req-%08d-%d", n, k), Call: id, At: now, Reply: callcenter.Reply{Call: id, Queue: "support"}}}
		}
		ev := func(kind callcenter.CallEventKind) []callcenter.CallEvent {
			return []callcenter.CallEvent{{Call: id, At: now, Kind: kind, Operator: "op-ann"}}
		}
		steps := []callcenter.Changes{{Calls: []callcenter.Call{c}, Requests: req(0), Events: ev("arrived")}}
		c.Offer, c.Operator = of, "op-ann"
		o := callcenter.Offer{ID: of, Call: id, Operator: "op-ann", State: callcenter.OfferPending, OfferedAt: now, ExpiresAt: now.Add(20 * time.Second)}
		steps = append(steps, callcenter.Changes{Calls: []callcenter.Call{c}, Offers: []callcenter.Offer{o},
			Statuses:  []callcenter.OperatorStatus{{Operator: "op-ann", State: callcenter.OperatorReserved, Since: now, Offer: of}},
			Decisions: []callcenter.Decision{{Call: id, Offer: of, DecidedAt: now, Operator: "op-ann", Rule: "r", EligibleCount: 1}},
			Events:    ev("offered")})
		c.State, c.AnsweredAt, o.State, o.SettledAt = callcenter.CallConnected, now, callcenter.OfferAnswered, now
		steps = append(steps, callcenter.Changes{Calls: []callcenter.Call{c}, Offers: []callcenter.Offer{o}, Requests: req(1),
			Statuses: []callcenter.OperatorStatus{{Operator: "op-ann", State: callcenter.OperatorOnCall, Since: now, Call: id}},
			Events:   ev("answered")})
		c.State, c.EndedAt, c.HungUpBy = callcenter.CallEnded, now, callcenter.HangupCaller
		steps = append(steps, callcenter.Changes{Calls: []callcenter.Call{c}, Requests: req(2),
			Statuses: []callcenter.OperatorStatus{{Operator: "op-ann", State: callcenter.OperatorReady, Since: now, IdleSince: now}},
			Events:   ev("ended")})
		for _, ch := range steps {
			if err := db.Apply(b.Context(), ch); err != nil {
				b.Fatal(err)
			}
		}
	}
}
