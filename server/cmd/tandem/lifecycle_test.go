package main

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestRestartKeepsOperatorsQueuesAndWaitingCalls stops the server with calls waiting and starts
// it again on the same database file.
func TestRestartKeepsOperatorsQueuesAndWaitingCalls(t *testing.T) {
	cen := newCenter(t, tandem.Connect)
	clk, db, srv, sess, cloud := cen.clk, cen.db, cen.srv, cen.sess, cen.cloud
	first, err := cloud.register(intake(sess.srv.URL, "/r1"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := cloud.register(intake(sess.srv.URL, "/r2"))
	if err != nil {
		t.Fatal(err)
	}
	srv.stop()

	srv = startServer(t, db, clk)
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	ctx := context.Background()
	ops, err := admin.Admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil || len(ops.Msg.GetOperators()) != 2 {
		t.Fatalf("operators after restart: %v %v", ops, err)
	}
	qs, err := admin.Admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
	if err != nil || len(qs.Msg.GetQueues()) != 1 || qs.Msg.GetQueues()[0].GetDialedNumbers()[0] != supportLine {
		t.Fatalf("queues after restart: %v %v", qs, err)
	}
	calls := waitingCalls(t, admin)
	if len(calls) != 2 || calls[0].GetCallId() != first.GetCallId() || calls[0].GetPosition() != 1 || calls[1].GetCallId() != second.GetCallId() || calls[1].GetPosition() != 2 {
		t.Fatalf("waiting calls after restart: %v", calls)
	}
	// And they are served: the first in line goes to the first operator who is ready.
	anna := logIn(t, srv.m.URL, tandem.Connect, "anna")
	anna.ready()
	if dial := sess.next("/r1"); dial.GetContact().GetTarget() != "anna" {
		t.Fatalf("after restart dialed %v", dial)
	}
}

// TestLostSessionReleasesTheOperator: when the call's accessURL answers 404 the call ends as
// lost and the operator who was being dialed is ready again.
func TestLostSessionReleasesTheOperator(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	sess := newSession(t)
	sess.status["/gone"] = http.StatusNotFound
	cloud := newCloud(t, srv.m.URL, tandem.Connect, false, clk)
	anna := logIn(t, srv.m.URL, tandem.Connect, "anna")
	anna.ready()
	reg, err := cloud.register(intake(sess.srv.URL, "/gone"))
	if err != nil {
		t.Fatal(err)
	}
	var c *assignmentv1.Call
	for deadline := time.Now().Add(10 * time.Second); c.GetState() != commonv1.CallState_CALL_STATE_LOST && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		res, err := admin.Assignment.GetCall(context.Background(), connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
		if err != nil {
			t.Fatal(err)
		}
		c = res.Msg.GetCall()
	}
	if st := <-watchAsAdmin(t, admin, anna.id); st.GetState() != commonv1.OperatorState_OPERATOR_STATE_READY {
		t.Fatalf("anna after the lost call: %v", st)
	}
	if c.GetState() != commonv1.CallState_CALL_STATE_LOST || len(c.GetOffers()) != 1 || c.GetOffers()[0].GetState() != commonv1.OfferState_OFFER_STATE_WITHDRAWN {
		t.Fatalf("call after its session vanished: %v", c)
	}
}

// TestLostPresenceTakesTheOperatorOutOfRouting: an operator whose app disconnects gets no
// calls, and is logged off after the grace period.
func TestLostPresenceTakesTheOperatorOutOfRouting(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	sess := newSession(t)
	cloud := newCloud(t, srv.m.URL, tandem.Connect, false, clk)
	anna := logIn(t, srv.m.URL, tandem.Connect, "anna")
	anna.ready()
	anna.cancel() // the app's connection drops
	for range anna.seen {
	}
	// A supervisor's watch shows when she is no longer present.
	watch := watchAsAdmin(t, admin, anna.id)
	for st := range watch {
		if !st.GetPresent() {
			break
		}
	}
	if _, err := cloud.register(intake(sess.srv.URL, "/w1")); err != nil {
		t.Fatal(err)
	}
	if calls := waitingCalls(t, admin); len(calls) != 1 || len(calls[0].GetOffers()) != 0 || calls[0].GetPosition() != 1 {
		t.Fatalf("call offered to an operator without a live app: %v", calls)
	}
	clk.Advance(11 * time.Second)
	for st := range watch {
		if st.GetState() == commonv1.OperatorState_OPERATOR_STATE_OFFLINE {
			return
		}
	}
	t.Fatal("anna was not logged off after the grace period")
}

// watchAsAdmin streams an operator's statuses, snapshot first, for at most ten seconds.
func watchAsAdmin(t *testing.T, admin *tandem.Client, id string) <-chan *presencev1.OperatorStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	stream, err := admin.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{OperatorId: id}))
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan *presencev1.OperatorStatus, 16)
	go func() {
		defer close(out)
		for stream.Receive() {
			if st := stream.Msg().GetSnapshot(); st != nil {
				out <- st
			}
			if st := stream.Msg().GetChanged(); st != nil {
				out <- st
			}
		}
	}()
	return out
}

// TestSecondLoginTakesOver: an operator has one session; logging in again ends the first
// app's stream with ABORTED and its token stops working.
func TestSecondLoginTakesOver(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	first := logIn(t, srv.m.URL, tandem.Connect, "anna")
	first.ready()
	second := logIn(t, srv.m.URL, tandem.Connect, "anna")
	for range first.seen {
	} // the first stream ends
	if err := first.streamErr(); connect.CodeOf(err) != connect.CodeAborted {
		t.Fatalf("first app's stream ended with %v, want aborted", err)
	}
	_, err := first.client.Presence.GoAway(context.Background(), connect.NewRequest(&presencev1.GoAwayRequest{Reason: "lunch"}))
	if connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("the old token still works: %v", err)
	}
	// The new app sees her as she was: ready, and present through its own stream.
	st := <-watchAsAdmin(t, admin, second.id)
	if st.GetState() != commonv1.OperatorState_OPERATOR_STATE_READY || !st.GetPresent() {
		t.Fatalf("after the takeover: %v", st)
	}
}
