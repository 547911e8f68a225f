package main

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// awaitStatus waits for a status of the operator's stream that ok accepts.
func (a *operatorApp) awaitStatus(what string, ok func(*presencev1.OperatorStatus) bool) *presencev1.OperatorStatus {
	a.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case st, open := <-a.seen:
			if !open {
				a.t.Fatalf("%s: stream ended while waiting for %s", a.id, what)
			}
			if ok(st) {
				return st
			}
		case <-timeout:
			a.t.Fatalf("%s: never %s", a.id, what)
		}
	}
}

// TestHoldOverConnect: the operator holds his call (the cloud gets hold), a second hold sends
// nothing, resume sends resume and the hold shows in GetCall; a hold the scenario refuses is
// taken back and his status says why; another operator, an ended call and no call are refused
// naming call_id; the hold is part of the talk and so of the handle time in the stats.
func TestHoldOverConnect(t *testing.T) {
	a := annaAnswers(t, tandem.Connect, "/h1")
	clk, admin, cloud, sess, anna, boris, reg, dial := a.clk, a.admin, a.cloud, a.sess, a.anna, a.boris, a.reg, a.dial

	ctx := context.Background()
	id := reg.GetCallId()
	hold := func(c *tandem.Client, call string) (*assignmentv1.Call, error) {
		res, err := c.Assignment.HoldCall(ctx, connect.NewRequest(&assignmentv1.HoldCallRequest{CallId: call}))
		if err != nil {
			return nil, err
		}
		return res.Msg.GetCall(), nil
	}
	resume := func(c *tandem.Client, call string) (*assignmentv1.Call, error) {
		res, err := c.Assignment.ResumeCall(ctx, connect.NewRequest(&assignmentv1.ResumeCallRequest{CallId: call}))
		if err != nil {
			return nil, err
		}
		return res.Msg.GetCall(), nil
	}
	clk.Advance(5 * time.Second)
	held, err := hold(anna.client, id)
	if err != nil || held.GetHeldSince() == nil {
		t.Fatalf("hold: %v, %v", held, err)
	}
	if cmd := sess.next("/h1"); cmd.GetType() != "hold" || cmd.GetCallId() != id {
		t.Fatalf("the cloud got %v, want hold", cmd)
	}
	anna.awaitStatus("held", func(st *presencev1.OperatorStatus) bool { return st.GetCall().GetHeldSince() != nil })
	if _, err := hold(anna.client, id); err != nil {
		t.Fatalf("second hold: %v", err)
	}
	if code, field := fieldOf(t, second(hold(boris.client, id))); code != connect.CodePermissionDenied || field != "call_id" {
		t.Errorf("boris holds anna's call: %v on %q", code, field)
	}
	if code, field := fieldOf(t, second(hold(anna.client, ""))); code != connect.CodeInvalidArgument || field != "call_id" {
		t.Errorf("hold of no call: %v on %q", code, field)
	}
	clk.Advance(20 * time.Second)
	resumed, err := resume(anna.client, id)
	if err != nil || resumed.GetHeldSince() != nil || resumed.GetHoldTimeMs() != 20000 {
		t.Fatalf("resume: %v, %v", resumed, err)
	}
	if cmd := sess.next("/h1"); cmd.GetType() != "resume" {
		t.Fatalf("the cloud got %v after the second hold and resume, want resume only", cmd)
	}

	// The scenario refuses a hold: it is taken back, counts no time, and anna is told why.
	sess.mu.Lock()
	sess.status["/h1"] = http.StatusBadRequest
	sess.mu.Unlock()
	if _, err := hold(anna.client, id); err != nil {
		t.Fatal(err)
	}
	st := anna.awaitStatus("told the hold failed", func(st *presencev1.OperatorStatus) bool { return st.GetCall().GetHoldFailure() != "" })
	if st.GetCall().GetHeldSince() != nil || st.GetCall().GetHoldTimeMs() != 20000 {
		t.Fatalf("after the refused hold: %v", st.GetCall())
	}
	sess.mu.Lock()
	sess.status["/h1"] = 0
	sess.mu.Unlock()

	// The scenario clocked only 10 s of talk: the 20 s hold is talk too.
	clk.Advance(5 * time.Second)
	ev := event(id, dial.GetOfferId())
	ev.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 10000}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	anna.await(commonv1.OperatorState_OPERATOR_STATE_WRAP_UP)
	if code, field := fieldOf(t, second(resume(anna.client, id))); code != connect.CodeFailedPrecondition || field != "call_id" {
		t.Errorf("resume of an ended call: %v on %q", code, field)
	}
	clk.Advance(10 * time.Second)
	anna.await(commonv1.OperatorState_OPERATOR_STATE_READY)

	got, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: id}))
	if err != nil {
		t.Fatal(err)
	}
	if c := got.Msg.GetCall(); c.GetHoldTimeMs() != 20000 || c.GetTalkTimeMs() != 20000 || c.GetHeldSince() != nil {
		t.Errorf("GetCall: hold %d ms, talk %d ms, held since %v", c.GetHoldTimeMs(), c.GetTalkTimeMs(), c.GetHeldSince())
	}
	qs, err := admin.Analytics.GetQueueStats(ctx, connect.NewRequest(&analyticsv1.GetQueueStatsRequest{QueueId: "support"}))
	if err != nil {
		t.Fatal(err)
	}
	if f := qs.Msg.GetQueues()[0].GetFigures(); f.GetAhtMs() != 30000 {
		t.Errorf("queue AHT = %d ms, want 30000 (20 s talk with the hold + 10 s wrap-up)", f.GetAhtMs())
	}
	ops, err := anna.client.Analytics.GetOperatorStats(ctx, connect.NewRequest(&analyticsv1.GetOperatorStatsRequest{OperatorId: anna.id}))
	if err != nil {
		t.Fatal(err)
	}
	if o := ops.Msg.GetOperators()[0]; o.GetTalkTimeMs() != 20000 || o.GetFigures().GetAhtMs() != 30000 {
		t.Errorf("anna's stats: talk %d ms, AHT %d ms", o.GetTalkTimeMs(), o.GetFigures().GetAhtMs())
	}
}

// center is a fresh server on its own SQLite file with the usual set-up, the cloud's client and
// a session server for its calls.
type center struct {
	clk   *clock.Fake
	db    string
	srv   *server
	url   string
	admin *tandem.Client
	cloud *cloudClient
	sess  *session
}

// newCenter starts a server, creates the usual queue and operators, and makes a cloud client
// speaking p.
func newCenter(t *testing.T, p tandem.Protocol) center {
	t.Helper()
	c := center{clk: clock.NewFake(time.Now()), db: filepath.Join(t.TempDir(), "tandem.db")}
	c.srv = startServer(t, c.db, c.clk)
	c.url = c.srv.m.URL
	c.admin = tandem.New(c.url, tandem.WithProtocol(p), tandem.WithToken(testAdminKey))
	setup(t, c.admin)
	c.cloud = newCloud(t, c.url, p, false, c.clk)
	c.sess = newSession(t)
	return c
}

// answeredCall is a call of session PATH on a fresh server, offered to anna and answered.
type answeredCall struct {
	center
	anna, boris *operatorApp
	reg         *callintakev1.RegisterCallResponse
	dial        *callintakev1.CloudCommand
}

// annaAnswers starts a center, logs anna and boris in, makes anna ready, registers a call of
// session path and has anna answer it.
func annaAnswers(t *testing.T, p tandem.Protocol, path string) answeredCall {
	t.Helper()
	a := answeredCall{center: newCenter(t, p)}
	a.anna = logIn(t, a.url, p, "anna")
	a.boris = logIn(t, a.url, p, "boris")
	a.anna.ready()
	var err error
	if a.reg, err = a.cloud.register(intake(a.sess.srv.URL, path)); err != nil {
		t.Fatal(err)
	}
	a.dial = a.sess.next(path)
	a.anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	ev := event(a.reg.GetCallId(), a.dial.GetOfferId())
	ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 1000}}
	if _, err := a.cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	a.anna.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL)
	return a
}
