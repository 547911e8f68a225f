package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	tandem "github.com/tandemcc/tandem/clients/go"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestUndeliveredDialIsNotTheOperatorsMiss: the call's accessURL answers 500 to every attempt
// of the dial naming anna (the cloud or the network fails, not she). After the sender's
// retries the offer ends as nobody's miss: her marks stay as they were, she is ready, and the
// call is dialed to boris. Then a platform failure code for boris (480, his phone never rang)
// leaves his marks as they were too.
func TestUndeliveredDialIsNotTheOperatorsMiss(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	admin := tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	setup(t, admin)
	cloud := newCloud(t, srv.m.URL, tandem.Connect, false, clk)

	dials := make(chan *callintakev1.CloudCommand, 16)
	session := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cmd := &callintakev1.CloudCommand{}
		protoNamesJSON(t, body, cmd)
		switch {
		case cmd.GetType() == "dial" && cmd.GetContact().GetTarget() == "anna":
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		default:
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
		if cmd.GetType() == "dial" {
			dials <- cmd
		}
	}))
	t.Cleanup(session.Close)

	anna := logIn(t, srv.m.URL, tandem.Connect, "anna")
	boris := logIn(t, srv.m.URL, tandem.Connect, "boris")
	anna.ready()
	clk.Advance(time.Second) // anna has waited longer: she is offered the call first
	boris.ready()
	before := <-watchAsAdmin(t, admin, anna.id)

	reg, err := cloud.register(intake(session.URL, "/s1"))
	if err != nil {
		t.Fatal(err)
	}
	// The sender retries the dial with backoff on the server's clock: move it on until the
	// dial gives up and the call goes to boris (well within anna's 25 s lease).
	var dial *callintakev1.CloudCommand
	for deadline := time.Now().Add(10 * time.Second); dial == nil; {
		select {
		case dial = <-dials:
		case <-time.After(20 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("the call was never dialed to boris")
			}
			clk.Advance(500 * time.Millisecond)
		}
	}
	if dial.GetContact().GetTarget() != "sip:boris@pbx.example.com" {
		t.Fatalf("after the undelivered dial to anna, dialed %v", dial.GetContact())
	}
	boris.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	after := <-watchAsAdmin(t, admin, anna.id)
	if after.GetState() != commonv1.OperatorState_OPERATOR_STATE_READY || !proto.Equal(after.GetMarks(), before.GetMarks()) {
		t.Fatalf("anna after a dial that never reached her: %s, marks %v (were %v)", after.GetState(), after.GetMarks(), before.GetMarks())
	}
	got, err := admin.Assignment.GetCall(context.Background(), connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
	if err != nil {
		t.Fatal(err)
	}
	offers := got.Msg.GetCall().GetOffers()
	if len(offers) != 2 || offers[0].GetOperatorId() != anna.id || offers[0].GetState() != commonv1.OfferState_OFFER_STATE_WITHDRAWN ||
		!strings.Contains(offers[0].GetReason(), "the dial command could not be delivered") {
		t.Fatalf("offers of the call = %v, want anna's withdrawn: the dial could not be delivered", offers)
	}

	// A ringing report must name the offer whose phone rings.
	ring := event(reg.GetCallId(), "")
	ring.Event = &callintakev1.ReportCallEventRequest_OperatorRinging{OperatorRinging: &callintakev1.OperatorRinging{}}
	if _, err := cloud.report(ring); err == nil {
		t.Error("operator_ringing without offer_id accepted")
	} else if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != "offer_id" {
		t.Errorf("operator_ringing without offer_id: %v %q", code, field)
	}

	// Boris's phone cannot be reached (480 without ringing): not his miss either.
	borisBefore := <-watchAsAdmin(t, admin, boris.id)
	ev := event(reg.GetCallId(), dial.GetOfferId())
	ev.Event = &callintakev1.ReportCallEventRequest_DialFailed{DialFailed: &callintakev1.DialFailed{Code: 480, Reason: "Temporarily Unavailable"}}
	if _, err := cloud.report(ev); err != nil {
		t.Fatal(err)
	}
	// ...and the call, back in line, goes to the free operator idle longest: anna again.
	anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
	if b := <-watchAsAdmin(t, admin, boris.id); b.GetState() != commonv1.OperatorState_OPERATOR_STATE_READY || !proto.Equal(b.GetMarks(), borisBefore.GetMarks()) {
		t.Fatalf("boris after 480 without ringing: %s, marks %v (were %v)", b.GetState(), b.GetMarks(), borisBefore.GetMarks())
	}
}

// TestRestartIsNotTheOperatorsMiss: Tandem stops while anna's phone rings and comes back after
// her lease ran out. The offer ends as nobody's miss, saying why; her marks stay as they were,
// and the call waits for the next operator.
func TestRestartIsNotTheOperatorsMiss(t *testing.T) {
	cen := newCenter(t, tandem.Connect)
	clk, db, srv, admin, sess, cloud := cen.clk, cen.db, cen.srv, cen.admin, cen.sess, cen.cloud
	anna := logIn(t, srv.m.URL, tandem.Connect, "anna")
	anna.ready()
	before := <-watchAsAdmin(t, admin, anna.id)
	reg, err := cloud.register(intake(sess.srv.URL, "/r1"))
	if err != nil {
		t.Fatal(err)
	}
	dial := sess.next("/r1")
	ring := event(reg.GetCallId(), dial.GetOfferId())
	ring.Event = &callintakev1.ReportCallEventRequest_OperatorRinging{OperatorRinging: &callintakev1.OperatorRinging{}}
	if _, err := cloud.report(ring); err != nil {
		t.Fatal(err)
	}
	anna.cancel()
	srv.stop()

	clk.Advance(time.Minute) // down past the 25 s lease
	srv = startServer(t, db, clk)
	admin = tandem.New(srv.m.URL, tandem.WithToken(testAdminKey))
	if cancel := sess.next("/r1"); cancel.GetType() != "cancel" || cancel.GetOfferId() != dial.GetOfferId() {
		t.Fatalf("after the restart the session got %v, want the old dial cancelled", cancel)
	}
	after := <-watchAsAdmin(t, admin, anna.id)
	if after.GetState() != commonv1.OperatorState_OPERATOR_STATE_READY || !proto.Equal(after.GetMarks(), before.GetMarks()) {
		t.Fatalf("anna after the restart: %s (%s), marks %v (were %v)", after.GetState(), after.GetReason(), after.GetMarks(), before.GetMarks())
	}
	got, err := admin.Assignment.GetCall(context.Background(), connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
	if err != nil {
		t.Fatal(err)
	}
	c := got.Msg.GetCall()
	if c.GetState() != commonv1.CallState_CALL_STATE_WAITING || len(c.GetOffers()) != 1 || c.GetOffers()[0].GetState() != commonv1.OfferState_OFFER_STATE_WITHDRAWN ||
		!strings.Contains(c.GetOffers()[0].GetReason(), "Tandem was down") {
		t.Fatalf("call after the restart = %v", c)
	}
}
