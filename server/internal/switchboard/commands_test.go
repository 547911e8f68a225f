package switchboard

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// stillClock tells the fake clock's time but never wakes the loop: the engine's own deadlines
// do not run, so the next step taken is the test's.
type stillClock struct{ *clock.Fake }

// NewTimer gives a timer of a clock that never moves.
func (stillClock) NewTimer(time.Duration) *clock.Timer {
	return clock.NewFake(time.Time{}).NewTimer(time.Hour)
}

// operator makes an operator "op-NAME" serving queue q.
func (b *board) operator(t *testing.T, name string) cc.OperatorID {
	t.Helper()
	id := cc.OperatorID("op-" + name)
	if err := b.CreateOperator(t.Context(), cc.Operator{ID: id, Name: name, DisplayName: name,
		Contact: cc.Contact{Kind: cc.ContactUser, Target: name}, Queues: []cc.QueueSkill{{Queue: "q", Level: 3}}}); err != nil {
		t.Fatal(err)
	}
	return id
}

// ready opens the operator's app (open until the test ends) and makes him ready.
func (b *board) ready(t *testing.T, id cc.OperatorID) cc.OperatorWatch {
	t.Helper()
	w, err := b.Watch(t.Context(), id, true, "login-"+string(id))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	if _, err := b.GoReady(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	return w
}

// annaThenBoris makes operators anna and boris ready, anna a second longer: the next call is
// offered to her, then to him.
func (b *board) annaThenBoris(t *testing.T) (anna, boris cc.OperatorID) {
	t.Helper()
	anna = b.operator(t, "anna")
	b.ready(t, anna)
	b.clock.Advance(time.Second)
	boris = b.operator(t, "boris")
	b.ready(t, boris)
	return anna, boris
}

// caller is the tests' caller, dialling the queue's number.
var caller = cc.Intake{AccessURL: "http://cloud/s1", CallerNumber: "+15550001", CallerName: "Jane", DialedNumber: "+18005550100"}

// call registers the caller's call (cloud request req-1).
func (b *board) call(t *testing.T) cc.CallID {
	t.Helper()
	reply, err := b.RegisterCall(t.Context(), "req-1", caller)
	if err != nil {
		t.Fatal(err)
	}
	return reply.Call
}

// offered registers the caller's call and returns it with the offer it makes to id.
func (b *board) offered(t *testing.T, id cc.OperatorID) (cc.CallID, cc.OfferID) {
	t.Helper()
	call := b.call(t)
	v, err := b.OperatorView(t.Context(), id)
	if err != nil || v.Offer == nil {
		t.Fatalf("%s's view %+v (%v): want the offer", id, v, err)
	}
	return call, v.Offer.Offer.ID
}

// answered offers the caller's call to id, who is ready, and reports his answer (cloud request
// req-2): he is on the call.
func (b *board) answered(t *testing.T, id cc.OperatorID) cc.CallID {
	t.Helper()
	call, offer := b.offered(t, id)
	if _, err := b.ReportEvent(t.Context(), "req-2", call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: offer, RingTime: time.Second}); err != nil {
		t.Fatal(err)
	}
	return call
}

// TestImportClientsStoresAndDialsTheOffersItMakes is the regression of issue 18: the step an
// import runs is a step like any other, and the offers its assignment pass makes are stored
// and dialled. A client's call waits for his busy manager; once the wait is over, the import
// is the next step, and it offers the call to the free operator.
func TestImportClientsStoresAndDialsTheOffersItMakes(t *testing.T) {
	b := newBoardOn(t, stillClock{clock.NewFake(start)})
	ctx := t.Context()
	manager, free := b.operator(t, "manager"), b.operator(t, "free")
	if n, failed, err := b.ImportClients(ctx, []cc.ClientLine{{Line: 1, Number: "+15550001", Manager: "manager"}}); err != nil || n != 1 || len(failed) != 0 {
		t.Fatalf("import: %d imported, %v, %v", n, failed, err)
	}
	b.ready(t, free) // the manager is not at work: his client's call waits for him
	call := b.call(t)
	if c, offers, err := b.db.Call(ctx, call); err != nil || c.Manager != manager || len(offers) != 0 {
		t.Fatalf("before the wait is over: call %+v, offers %v (%v); want it held for %s", c, offers, err, manager)
	}
	b.db.stored()

	b.clock.Advance(31 * time.Second) // the manager's wait is over; no tick runs
	n, failed, err := b.ImportClients(ctx, []cc.ClientLine{{Line: 2, Number: "+15550002", Manager: "free"}})
	if err != nil || n != 1 || len(failed) != 0 {
		t.Fatalf("import: %d imported, %v, %v", n, failed, err)
	}

	batches := b.db.stored()
	if len(batches) != 1 {
		t.Fatalf("the import stored %d batches, want its one step", len(batches))
	}
	if got := batches[0]; len(got.Clients) != 1 || len(got.Offers) != 1 || len(got.Calls) != 1 || len(got.Decisions) != 1 {
		t.Fatalf("the import stored %d clients, %d offers, %d calls, %d decisions; want 1 of each", len(got.Clients), len(got.Offers), len(got.Calls), len(got.Decisions))
	}
	c, offers, err := b.db.Call(ctx, call)
	if err != nil || len(offers) != 1 || offers[0].Operator != free || offers[0].State != cc.OfferPending || c.Offer != offers[0].ID {
		t.Fatalf("stored call %+v, offers %+v (%v); want one pending offer to %s", c, offers, err, free)
	}
	rt, err := b.db.LoadRuntime(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(rt.Statuses, func(s cc.OperatorStatus) bool { return s.Operator == free }); i < 0 || rt.Statuses[i].State != cc.OperatorReserved {
		t.Fatalf("stored statuses %+v; want %s reserved", rt.Statuses, free)
	}
	dials := slices.DeleteFunc(b.cloud.commands(), func(cmd cc.Command) bool { return cmd.Type != cc.CommandDial })
	if len(dials) != 1 || dials[0].Offer != offers[0].ID || dials[0].Contact.Target != "free" || dials[0].AccessURL != "http://cloud/s1" {
		t.Fatalf("dials sent %+v; want one to free under offer %s", dials, offers[0].ID)
	}
}

// TestImportClientsNamesEachBadLine: lines naming an unknown manager or a dismissed one are
// left out with their reason; the rest is imported in the same step, managers by id or name.
func TestImportClientsNamesEachBadLine(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	ann := b.operator(t, "ann")
	gone := b.operator(t, "gone")
	yes := true
	if _, err := b.UpdateOperator(ctx, gone, cc.OperatorUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	b.db.stored()
	n, failed, err := b.ImportClients(ctx, []cc.ClientLine{
		{Line: 1, Number: "+15550001", Manager: "ann"},
		{Line: 2, Number: "+15550002", Manager: "nobody"},
		{Line: 3, Number: "+15550003", Manager: string(ann)},
		{Line: 4, Number: "+15550004", Manager: "gone"},
	})
	if err != nil || n != 2 {
		t.Fatalf("imported %d (%v), want 2", n, err)
	}
	if len(failed) != 2 || failed[0].Line != 2 || failed[0].Message != `manager_id: no operator "nobody"` || failed[1].Line != 4 {
		t.Fatalf("failed lines %+v", failed)
	}
	if batches := b.db.stored(); len(batches) != 1 || len(batches[0].Clients) != 2 {
		t.Fatalf("stored %+v, want one batch of two clients", batches)
	}
	rt, err := b.db.LoadRuntime(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rt.Clients) != 2 || rt.Clients[0].Manager != ann || rt.Clients[1].Manager != ann || rt.Clients[0].How != cc.AssignedByImport {
		t.Fatalf("stored clients %+v", rt.Clients)
	}
}

// TestCommandsStoreTheirStep: each command is one step whose whole changes are stored in one
// batch before it returns, and the store shows them.
func TestCommandsStoreTheirStep(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	ann := b.operator(t, "ann")
	spare := cc.Spare{ID: "sp", Name: "Support", Contact: cc.Contact{Kind: cc.ContactPSTN, Target: "+19990001"}, MaxConcurrent: 1}
	b.db.stored()

	one := func(what string) cc.Changes {
		t.Helper()
		batches := b.db.stored()
		if len(batches) != 1 {
			t.Fatalf("%s stored %d batches, want 1", what, len(batches))
		}
		return batches[0]
	}
	runtime := func() cc.Runtime {
		t.Helper()
		rt, err := b.db.LoadRuntime(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rt
	}

	if cl, err := b.SetClient(ctx, "+15550001", ann); err != nil || cl.Manager != ann || cl.How != cc.AssignedByAdmin {
		t.Fatalf("SetClient: %+v, %v", cl, err)
	}
	if ch := one("SetClient"); len(ch.Clients) != 1 || ch.Clients[0].Manager != ann {
		t.Fatalf("SetClient stored %+v", ch.Clients)
	}
	if cl, err := b.Client(ctx, "+15550001"); err != nil || cl.Manager != ann {
		t.Fatalf("Client: %+v, %v", cl, err)
	}
	if cl, err := b.RemoveClient(ctx, "+15550001"); err != nil || cl.Manager != "" {
		t.Fatalf("RemoveClient: %+v, %v", cl, err)
	}
	if ch := one("RemoveClient"); len(ch.Clients) != 1 || ch.Clients[0].Manager != "" {
		t.Fatalf("RemoveClient stored %+v", ch.Clients)
	}
	if rt := runtime(); len(rt.Clients) != 1 || rt.Clients[0].Manager != "" {
		t.Fatalf("stored clients %+v", rt.Clients)
	}

	a := cc.Absence{ID: "abs-1", Operator: ann, Kind: cc.AbsenceSick, From: "2026-03-02", To: "2026-03-03"}
	if err := b.PutAbsence(ctx, a); err != nil {
		t.Fatal(err)
	}
	if ch := one("PutAbsence"); len(ch.Absences) != 1 || ch.Absences[0] != a {
		t.Fatalf("PutAbsence stored %+v", ch.Absences)
	}
	if got, err := b.Absences(ctx, ann); err != nil || len(got) != 1 || got[0] != a {
		t.Fatalf("Absences: %+v, %v", got, err)
	}
	if rt := runtime(); len(rt.Absences) != 1 || rt.Absences[0] != a {
		t.Fatalf("stored absences %+v", rt.Absences)
	}
	if err := b.DeleteAbsence(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if ch := one("DeleteAbsence"); len(ch.Unabsent) != 1 || ch.Unabsent[0] != a.ID {
		t.Fatalf("DeleteAbsence stored %+v", ch.Unabsent)
	}
	if rt := runtime(); len(rt.Absences) != 0 {
		t.Fatalf("stored absences after the delete: %+v", rt.Absences)
	}

	if _, err := b.CreateSpare(ctx, spare); err != nil {
		t.Fatal(err)
	}
	if ch := one("CreateSpare"); len(ch.Spares) != 1 || ch.Spares[0].ID != spare.ID {
		t.Fatalf("CreateSpare stored %+v", ch.Spares)
	}
	spare.DailyCap = 7
	if _, err := b.UpdateSpare(ctx, spare); err != nil {
		t.Fatal(err)
	}
	if ch := one("UpdateSpare"); len(ch.Spares) != 1 || ch.Spares[0].DailyCap != 7 {
		t.Fatalf("UpdateSpare stored %+v", ch.Spares)
	}
	if rt := runtime(); len(rt.Spares) != 1 || rt.Spares[0].DailyCap != 7 {
		t.Fatalf("stored spares %+v", rt.Spares)
	}
	if sps, use, err := b.Spares(ctx); err != nil || len(sps) != 1 || len(use) != 1 || use[0].Spare != spare.ID {
		t.Fatalf("Spares: %+v %+v %v", sps, use, err)
	}

	name := "Ann B."
	op, err := b.UpdateOperator(ctx, ann, cc.OperatorUpdate{DisplayName: &name})
	if err != nil || op.DisplayName != name || op.Name != "ann" || len(op.Queues) != 1 {
		t.Fatalf("UpdateOperator: %+v, %v", op, err)
	}
	if ch := one("UpdateOperator"); len(ch.Operators) != 1 || ch.Operators[0].DisplayName != name {
		t.Fatalf("UpdateOperator stored %+v", ch.Operators)
	}
	if stored, err := b.db.Operator(ctx, ann); err != nil || stored.DisplayName != name {
		t.Fatalf("stored operator %+v, %v", stored, err)
	}

	// Reads are steps with nothing to store.
	if _, err := b.Floor(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Calls(ctx, "q"); err != nil {
		t.Fatal(err)
	}
	if batches := b.db.stored(); len(batches) != 0 {
		t.Fatalf("reads stored %d batches", len(batches))
	}
}

// TestBadInputChangesNothing: a command the engine refuses says why with the field at fault
// (the proto field name), stores nothing and leaves the engine as it was.
func TestBadInputChangesNothing(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	ann := b.operator(t, "ann")
	if _, err := b.CreateSpare(ctx, cc.Spare{ID: "sp", Contact: cc.Contact{Kind: cc.ContactPSTN, Target: "+19990001"}, MaxConcurrent: 1}); err != nil {
		t.Fatal(err)
	}
	b.db.stored()
	yes := true
	tests := []struct {
		name  string
		run   func() error
		code  cc.Code
		field string
	}{
		{"SetClient to nobody", func() error { _, err := b.SetClient(ctx, "+15550001", "op-nobody"); return err }, cc.CodeNotFound, "manager_id"},
		{"RemoveClient of a stranger", func() error { _, err := b.RemoveClient(ctx, "+15550009"); return err }, cc.CodeNotFound, "number"},
		{"Client unknown", func() error { _, err := b.Client(ctx, "+15550009"); return err }, cc.CodeNotFound, "number"},
		{"Clients of nobody", func() error { _, err := b.Clients(ctx, "op-nobody", false); return err }, cc.CodeNotFound, "manager_id"},
		{"PutAbsence of nobody", func() error {
			return b.PutAbsence(ctx, cc.Absence{ID: "a", Operator: "op-nobody", Kind: cc.AbsenceSick, From: "2026-03-02", To: "2026-03-02"})
		}, cc.CodeNotFound, "operator_id"},
		{"DeleteAbsence unknown", func() error { return b.DeleteAbsence(ctx, "abs-none") }, cc.CodeNotFound, "absence_id"},
		{"CreateSpare twice", func() error {
			_, err := b.CreateSpare(ctx, cc.Spare{ID: "sp", Contact: cc.Contact{Kind: cc.ContactPSTN, Target: "+19990002"}, MaxConcurrent: 1})
			return err
		}, cc.CodeAlreadyExists, "spare.spare_id"},
		{"UpdateSpare unknown", func() error {
			_, err := b.UpdateSpare(ctx, cc.Spare{ID: "none", Contact: cc.Contact{Kind: cc.ContactPSTN, Target: "+19990002"}, MaxConcurrent: 1})
			return err
		}, cc.CodeNotFound, "spare.spare_id"},
		{"Spare unknown", func() error { _, _, err := b.Spare(ctx, "none"); return err }, cc.CodeNotFound, "spare_id"},
		{"UpdateOperator unknown", func() error {
			_, err := b.UpdateOperator(ctx, "op-nobody", cc.OperatorUpdate{Disabled: &yes})
			return err
		}, cc.CodeNotFound, "operator_id"},
		{"UpdateOperator into an unknown queue", func() error {
			_, err := b.UpdateOperator(ctx, ann, cc.OperatorUpdate{Queues: []cc.QueueSkill{{Queue: "nope", Level: 1}}})
			return err
		}, cc.CodeNotFound, "queues"},
		{"CreateQueue twice", func() error { return b.CreateQueue(ctx, cc.Queue{ID: "q", DialedNumbers: []string{"+18005550101"}}) }, cc.CodeAlreadyExists, "queue.queue_id"},
		{"CreateQueue on a taken number", func() error { return b.CreateQueue(ctx, cc.Queue{ID: "q2", DialedNumbers: []string{"+18005550100"}}) }, cc.CodeAlreadyExists, "queue.dialed_numbers"},
		{"Calls of an unknown queue", func() error { _, err := b.Calls(ctx, "nope"); return err }, cc.CodeNotFound, "queue_id"},
		{"PreviewOverflow of an unknown queue", func() error { _, err := b.PreviewOverflow(ctx, "nope", time.Time{}); return err }, cc.CodeNotFound, "queue_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			var ce *cc.Error
			if !errors.As(err, &ce) || ce.Code != tc.code || ce.Field != tc.field {
				t.Fatalf("error %v; want %s on field %q", err, tc.code, tc.field)
			}
			if batches := b.db.stored(); len(batches) != 0 {
				t.Fatalf("a refused command stored %+v", batches)
			}
		})
	}
	// Nothing moved in the engine either.
	if op, err := b.Operator(ctx, ann); err != nil || op.Disabled || len(op.Queues) != 1 || op.Queues[0].Queue != "q" {
		t.Fatalf("operator after the refusals: %+v, %v", op, err)
	}
	if _, err := b.Queue(ctx, "q2"); cc.ErrorCode(err) != cc.CodeNotFound {
		t.Fatalf("queue q2 after its refusal: %v", err)
	}
	if cls, err := b.Clients(ctx, "", false); err != nil || len(cls) != 0 {
		t.Fatalf("clients after the refusals: %+v, %v", cls, err)
	}
	if sp, _, err := b.Spare(ctx, "sp"); err != nil || sp.Contact.Target != "+19990001" {
		t.Fatalf("spare after the refusals: %+v, %v", sp, err)
	}
}

// TestFailedWriteChangesNothing: when the store refuses a step's changes the command fails
// and the engine is loaded again from the store, so it holds nothing the store does not.
func TestFailedWriteChangesNothing(t *testing.T) {
	b := newBoardOn(t, clock.NewFake(start))
	ctx := t.Context()
	ann := b.operator(t, "ann")
	b.db.failOnce()
	if _, err := b.SetClient(ctx, "+15550001", ann); cc.ErrorCode(err) != cc.CodeInternal {
		t.Fatalf("SetClient on a failing store: %v, want internal", err)
	}
	if _, err := b.Client(ctx, "+15550001"); cc.ErrorCode(err) != cc.CodeNotFound {
		t.Fatalf("the engine kept the client the store refused: %v", err)
	}
	if _, err := b.SetClient(ctx, "+15550001", ann); err != nil {
		t.Fatal(err)
	}
	if rt, err := b.db.LoadRuntime(ctx); err != nil || len(rt.Clients) != 1 {
		t.Fatalf("stored clients %+v (%v)", rt.Clients, err)
	}
}

// TestStoreThatRefusesEveryWrite: when the store refuses every write as unavailable (its file
// is gone), a command fails with the store's own error, not an internal one, and the reload
// after it, whose own changes cannot be stored either, is not retried without end.
func TestStoreThatRefusesEveryWrite(t *testing.T) {
	b := newBoardOn(t, stillClock{clock.NewFake(start)})
	ctx := t.Context()
	ann := b.operator(t, "ann")
	b.ready(t, ann)
	// An offer left pending on a call that ended, which the engine does not hold: every reload
	// settles it, a change to store.
	if err := b.db.DB.Apply(ctx, cc.Changes{
		Calls: []cc.Call{{ID: "c-ended", Queue: "q", State: cc.CallEnded, AccessURL: "http://cloud/s0", CallerNumber: "+15550009",
			DialedNumber: "+18005550100", ArrivedAt: start, EndedAt: start}},
		Offers: []cc.Offer{{ID: "of-left", Call: "c-ended", Operator: ann, State: cc.OfferPending, OfferedAt: start, ExpiresAt: start.Add(time.Minute)}},
	}); err != nil {
		t.Fatal(err)
	}
	gone := cc.Errorf(cc.CodeUnavailable, "the database file tandem.db was removed")
	b.db.mu.Lock()
	b.db.refuse = gone
	b.db.mu.Unlock()
	for i := range 3 {
		_, err := b.RegisterCall(ctx, fmt.Sprintf("req-gone-%d", i), cc.Intake{AccessURL: "http://cloud/s2", CallerNumber: "+15550002", DialedNumber: "+18005550100"})
		if cc.ErrorCode(err) != cc.CodeUnavailable || !errors.Is(err, gone) {
			t.Fatalf("a call registered on a store that refuses every write: %v, want %v", err, gone)
		}
	}
}
