package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// TestSupervisorOnTheFloor: a supervisor raises a waiting call's priority (it is first in line
// and first offered), logs out an operator whose phone rings (the dial is cancelled, the call
// back in line, his session and stream ended), and is refused, with the field named and nothing
// changed, for a priority out of range, a call that ended, an unknown operator, and an operator
// who talks. An operator may not log another out.
func TestSupervisorOnTheFloor(t *testing.T) {
	ctx := context.Background()
	cen := newCenter(t, tandem.Connect)
	url, cloud, sess := cen.url, cen.cloud, cen.sess
	sup := tandem.New(url, tandem.WithToken(newKey(t, cen.admin, "floor", adminv1.KeyRole_KEY_ROLE_SUPERVISOR)))
	anna := logIn(t, url, tandem.Connect, "anna")
	boris := logIn(t, url, tandem.Connect, "boris")
	var calls []string
	for _, path := range []string{"/f1", "/f2", "/f3"} {
		reg, err := cloud.register(intake(sess.srv.URL, path))
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, reg.GetCallId())
		cen.clk.Advance(time.Second)
	}
	position := func(id string) (uint32, uint32) {
		t.Helper()
		res, err := sup.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: id}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg.GetCall().GetPosition(), res.Msg.GetCall().GetPriority()
	}
	requeue := func(r *assignmentv1.RequeueCallRequest) error {
		_, err := sup.Assignment.RequeueCall(ctx, connect.NewRequest(r))
		return err
	}
	five := uint32(5)
	if err := requeue(&assignmentv1.RequeueCallRequest{CallId: calls[1], Priority: &five}); err != nil {
		t.Fatal(err)
	}
	if pos, prio := position(calls[1]); pos != 1 || prio != 5 {
		t.Fatalf("raised call at %d with priority %d, want first at 5", pos, prio)
	}
	if pos, _ := position(calls[0]); pos != 2 {
		t.Fatalf("the first call at %d, want 2", pos)
	}

	// The last call hangs up: requeueing it is refused, naming call_id.
	ev := event(calls[2], "")
	ev.Event = &callintakev1.ReportCallEventRequest_CallerAbandoned{CallerAbandoned: &callintakev1.CallerAbandoned{}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	tooHigh := uint32(101)
	for what, c := range map[string]struct {
		req   *assignmentv1.RequeueCallRequest
		code  connect.Code
		field string
	}{
		"priority out of range": {&assignmentv1.RequeueCallRequest{CallId: calls[0], Priority: &tooHigh}, connect.CodeInvalidArgument, "priority"},
		"a call that ended":     {&assignmentv1.RequeueCallRequest{CallId: calls[2], Priority: &five}, connect.CodeFailedPrecondition, "call_id"},
		"an unknown call":       {&assignmentv1.RequeueCallRequest{CallId: "call_none", Priority: &five}, connect.CodeNotFound, "call_id"},
		"an unknown queue":      {&assignmentv1.RequeueCallRequest{CallId: calls[0], QueueId: "nowhere"}, connect.CodeNotFound, "queue_id"},
	} {
		if code, field := fieldOf(t, requeue(c.req)); code != c.code || field != c.field {
			t.Errorf("%s: %v on %q, want %v on %s", what, code, field, c.code, c.field)
		}
	}
	if pos, prio := position(calls[0]); pos != 2 || prio != 0 {
		t.Fatalf("after the refusals the first call is at %d with priority %d", pos, prio)
	}

	// Anna is offered the raised call; the supervisor logs her out: the dial is cancelled.
	anna.ready()
	dial := sess.next("/f2")
	if dial.GetType() != "dial" {
		t.Fatalf("first command of the raised call: %v, want a dial", dial)
	}
	anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	if code, field := fieldOf(t, second(boris.client.Presence.LogOut(ctx, connect.NewRequest(&presencev1.LogOutRequest{OperatorId: anna.id})))); code != connect.CodePermissionDenied || field != "operator_id" {
		t.Errorf("boris logs anna out: %v on %q", code, field)
	}
	res, err := sup.Presence.LogOut(ctx, connect.NewRequest(&presencev1.LogOutRequest{OperatorId: anna.id}))
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Msg.GetStatus().GetState(); st != commonv1.OperatorState_OPERATOR_STATE_OFFLINE {
		t.Fatalf("anna after the log-out: %v", st)
	}
	if cancel := sess.next("/f2"); cancel.GetType() != "cancel" || cancel.GetOfferId() != dial.GetOfferId() {
		t.Fatalf("after the log-out: %v, want a cancel of anna's dial", cancel)
	}
	if pos, _ := position(calls[1]); pos != 1 {
		t.Fatalf("the raised call at %d after the log-out, want back first", pos)
	}
	for range anna.seen {
	}
	if err := anna.streamErr(); connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "logged out by a supervisor") {
		t.Errorf("anna's stream ended with %v, want unauthenticated: logged out by a supervisor", err)
	}
	if _, err := anna.client.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("anna's token after the log-out: %v", err)
	}

	// Boris answers it; logging him out is refused while he talks.
	boris.ready()
	dial = sess.next("/f2")
	boris.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	ev = event(calls[1], dial.GetOfferId())
	ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 1000}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	boris.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL)
	for what, c := range map[string]struct {
		id   string
		code connect.Code
	}{
		"boris talking":  {boris.id, connect.CodeFailedPrecondition},
		"an unknown one": {"op_none", connect.CodeNotFound},
		"nobody named":   {"", connect.CodeInvalidArgument},
	} {
		_, err := sup.Presence.LogOut(ctx, connect.NewRequest(&presencev1.LogOutRequest{OperatorId: c.id}))
		if code, field := fieldOf(t, err); code != c.code || field != "operator_id" {
			t.Errorf("log out %s: %v on %q, want %v on operator_id", what, code, field, c.code)
		}
	}
	if _, err := boris.client.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{})); connect.CodeOf(err) == connect.CodeUnauthenticated {
		t.Errorf("boris's session ended by a refused log-out")
	}
	if code, _ := fieldOf(t, requeue(&assignmentv1.RequeueCallRequest{CallId: calls[1], Priority: &five})); code != connect.CodeFailedPrecondition {
		t.Errorf("requeue of a call talking: %v", code)
	}
}
