package routing

import (
	"errors"
	"reflect"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// TestTheEngineChecksWhatItIsGiven: every door that takes configuration applies the domain's
// Check, so a caller that builds domain values itself (tandem demo, bench, simulate) gets the
// same defaults as the API, and bad input changes nothing.
func TestTheEngineChecksWhatItIsGiven(t *testing.T) {
	refused := func(t *testing.T, field string, ch cc.Changes, err error) {
		t.Helper()
		var e *cc.Error
		if !errors.As(err, &e) || e.Code != cc.CodeInvalid || e.Field != field {
			t.Fatalf("got %v, want invalid %s", err, field)
		}
		if !reflect.DeepEqual(ch, cc.Changes{}) {
			t.Fatalf("a refused step changed %+v", ch)
		}
	}

	t.Run("queues", func(t *testing.T) {
		f := newFixture(t, "anna")
		ch, err := f.e.CreateQueue(f.now, cc.Queue{ID: "sales", OfferTimeout: time.Second})
		refused(t, "queue.offer_timeout_s", ch, err)
		if _, ok := f.e.Queue("sales"); ok {
			t.Fatal("a refused queue was made")
		}
		ch = f.must(f.e.CreateQueue(f.now, cc.Queue{ID: "sales"}))
		q, _ := f.e.Queue("sales")
		if q.Name != "sales" || q.OfferTimeout != cc.DefaultOfferTimeout || q.Strategy != cc.StrategyLongestIdle ||
			len(ch.Queues) != 1 || !reflect.DeepEqual(ch.Queues[0], q) {
			t.Fatalf("made %+v, stored %+v", q, ch.Queues)
		}
		before, _ := f.e.Queue("support")
		bad := before
		bad.Priority = 101
		ch, err = f.e.UpdateQueue(f.now, bad)
		refused(t, "queue.priority", ch, err)
		if after, _ := f.e.Queue("support"); !reflect.DeepEqual(after, before) {
			t.Fatalf("a refused update changed the queue to %+v", after)
		}
	})

	t.Run("operators", func(t *testing.T) {
		f := newFixture(t, "anna")
		ch, err := f.e.CreateOperator(f.now, cc.Operator{ID: "boris", Name: "boris", Contact: cc.Contact{Kind: cc.ContactPSTN, Target: "12345"}})
		refused(t, "contact.target", ch, err)
		if _, ok := f.e.Operator("boris"); ok {
			t.Fatal("a refused operator was made")
		}
		f.must(f.e.CreateOperator(f.now, cc.Operator{ID: "boris", Name: "boris", Contact: cc.Contact{Kind: cc.ContactUser, Target: "boris"}}))
		if o, _ := f.e.Operator("boris"); o.DisplayName != "boris" {
			t.Fatalf("display name %q, want his login name", o.DisplayName)
		}
		before, _ := f.e.Operator("anna")
		bad := before
		bad.Queues = []cc.QueueSkill{{Queue: "support", Level: 6}}
		ch, err = f.e.UpdateOperator(f.now, bad)
		refused(t, "queues[0].level", ch, err)
		if after, _ := f.e.Operator("anna"); !reflect.DeepEqual(after, before) {
			t.Fatalf("a refused update changed anna to %+v", after)
		}
	})

	t.Run("spare numbers", func(t *testing.T) {
		f := newFixture(t)
		ch, err := f.e.PutSpare(f.now, cc.Spare{ID: "s1", Contact: cc.Contact{Kind: cc.ContactUser, Target: "anna"}})
		refused(t, "spare.contact.kind", ch, err)
		if len(f.e.Spares()) != 0 {
			t.Fatal("a refused spare was made")
		}
		ch = f.must(f.e.PutSpare(f.now, cc.Spare{ID: "s1", Contact: cc.Contact{Kind: cc.ContactPSTN, Target: "+18005550900"}}))
		sp, _, _ := f.e.Spare("s1", f.now)
		if sp.Name != "s1" || sp.MaxConcurrent != 1 || sp.Cooldown != cc.DefaultSpareCooldown || len(ch.Spares) != 1 || !reflect.DeepEqual(ch.Spares[0], sp) {
			t.Fatalf("made %+v, stored %+v", sp, ch.Spares)
		}
	})

	t.Run("absences", func(t *testing.T) {
		f := newFixture(t, "anna")
		ch, err := f.e.PutAbsence(f.now, cc.Absence{ID: "a1", Operator: "anna", Kind: cc.AbsenceSick, From: "2026-11-26", To: "2026-11-25"})
		refused(t, "to", ch, err)
		if len(f.e.Absences("anna")) != 0 {
			t.Fatal("a refused absence was kept")
		}
	})

	t.Run("clients", func(t *testing.T) {
		f := newFixture(t, "anna")
		_, ch, err := f.e.SetClient(f.now, "anonymous", "anna", cc.AssignedByAdmin)
		refused(t, "number", ch, err)
		cl, ch, err := f.e.SetClient(f.now, "+1 (415) 555-0100", "anna", cc.AssignedByAdmin)
		if err != nil || cl.Number != "+14155550100" || len(ch.Clients) != 1 || ch.Clients[0].Number != "+14155550100" {
			t.Fatalf("set %+v, stored %+v, %v", cl, ch.Clients, err)
		}
		if got, ok := f.e.Client("+14155550100"); !ok || got.Manager != "anna" {
			t.Fatalf("client filed as %+v, %v", got, ok)
		}
	})
}
