package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// fieldOf returns the Connect code of err and the field its BadRequest detail names.
func fieldOf(t *testing.T, err error) (connect.Code, string) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a Connect error: %v", err)
	}
	for _, d := range ce.Details() {
		v, derr := d.Value()
		if br, ok := v.(*errdetails.BadRequest); derr == nil && ok && len(br.GetFieldViolations()) > 0 {
			return ce.Code(), br.GetFieldViolations()[0].GetField()
		}
	}
	return ce.Code(), ""
}

func waitingCalls(t *testing.T, admin *tandem.Client) []*assignmentv1.Call {
	t.Helper()
	res, err := admin.Assignment.ListCalls(context.Background(), connect.NewRequest(&assignmentv1.ListCallsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	return res.Msg.GetCalls()
}

// TestBadInputChangesNothing sends invalid, unknown, unsigned, stale, replayed and
// cross-operator requests and checks each gets a clear error (or the first answer) and that
// nothing changed.
func TestBadInputChangesNothing(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	url := srv.m.URL
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	cloud := newCloud(t, url, tandem.Connect, false, clk)
	rest := newCloud(t, url, tandem.Connect, true, clk)
	sess := newSession(t)
	ctx := context.Background()

	good, err := cloud.register(intake(sess.srv.URL, "/ok"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("invalid fields name the field", func(t *testing.T) {
		for _, tc := range []struct {
			field  string
			mutate func(*callintakev1.RegisterCallRequest)
		}{
			{"request_id", func(r *callintakev1.RegisterCallRequest) { r.RequestId = "" }},
			{"access_url", func(r *callintakev1.RegisterCallRequest) { r.AccessUrl = "" }},
			{"access_url", func(r *callintakev1.RegisterCallRequest) { r.AccessUrl = "ftp://x" }},
			{"dialed_number", func(r *callintakev1.RegisterCallRequest) { r.DialedNumber = "" }},
		} {
			req := intake(sess.srv.URL, "/bad")
			tc.mutate(req)
			_, err := cloud.register(req)
			if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != tc.field {
				t.Errorf("%s: got %v %q (%v)", tc.field, code, field, err)
			}
		}
		ev := event(good.GetCallId(), "")
		ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{}}
		if _, err := cloud.report(ev); err == nil {
			t.Error("answered without offer_id accepted")
		} else if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != "offer_id" {
			t.Errorf("answered without offer_id: %v %q", code, field)
		}
		ev = event(good.GetCallId(), "")
		if _, err := cloud.report(ev); err == nil {
			t.Error("event without an event accepted")
		} else if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != "event" {
			t.Errorf("empty event: %v %q", code, field)
		}
		_, err := admin.Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{QueueId: "sales", OfferTimeoutS: 1}}))
		if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != "queue.offer_timeout_s" {
			t.Errorf("queue with 1 s offer timeout: %v %q", code, field)
		}
		_, err = admin.Admin.CreateOperator(ctx, connect.NewRequest(&adminv1.CreateOperatorRequest{Name: "dora", Password: "long-enough", Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_PSTN, Target: "12345"}}))
		if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != "contact.target" {
			t.Errorf("operator with a bad phone number: %v %q", code, field)
		}
		_, err = admin.Admin.CreateOperator(ctx, connect.NewRequest(&adminv1.CreateOperatorRequest{Name: "anna", Password: "long-enough", Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: "anna2"}}))
		if code, field := fieldOf(t, err); code != connect.CodeAlreadyExists || field != "name" {
			t.Errorf("second anna: %v %q", code, field)
		}
		// Plain JSON gets a JSON error with an HTTP status.
		req := intake(sess.srv.URL, "/bad")
		req.DialedNumber = ""
		_, err = rest.register(req)
		var re *restError
		if !errors.As(err, &re) || re.Status != http.StatusBadRequest || re.Code != int(connect.CodeInvalidArgument) || !strings.Contains(re.Message, "dialed_number") {
			t.Errorf("REST invalid request: %v", err)
		}
	})

	t.Run("unknown call", func(t *testing.T) {
		ev := event("call_nope", "offer_nope")
		ev.Event = &callintakev1.ReportCallEventRequest_CallerAbandoned{CallerAbandoned: &callintakev1.CallerAbandoned{}}
		_, err := cloud.report(ev)
		if code, field := fieldOf(t, err); code != connect.CodeNotFound || field != "call_id" {
			t.Errorf("unknown call: %v %q", code, field)
		}
		_, err = admin.Assignment.ExplainCall(ctx, connect.NewRequest(&assignmentv1.ExplainCallRequest{CallId: "call_nope"}))
		if connect.CodeOf(err) != connect.CodeNotFound {
			t.Errorf("explain unknown call: %v", err)
		}
	})

	t.Run("bad and stale signatures are refused", func(t *testing.T) {
		for name, c := range map[string]*tandem.Client{
			"unsigned":     tandem.New(url),
			"wrong secret": tandem.New(url, tandem.WithCloudSecret("not-the-secret")),
			"admin key":    tandem.New(url, tandem.WithToken(testAdminKey)),
		} {
			_, err := c.Intake.RegisterCall(ctx, connect.NewRequest(intake(sess.srv.URL, "/evil")))
			if connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Errorf("%s: %v", name, err)
			}
		}
		body := []byte(`{"requestId":"r-stale","accessUrl":"` + sess.srv.URL + `/evil","dialedNumber":"` + supportLine + `"}`)
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/calls", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		tandem.Sign(req.Header, testSecret, "wh-stale", time.Now().Add(-6*time.Minute), body)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var status struct {
			Code int `json:"code"`
		}
		_ = json.NewDecoder(res.Body).Decode(&status)
		if res.StatusCode != http.StatusUnauthorized || status.Code != int(connect.CodeUnauthenticated) {
			t.Errorf("stale signature: HTTP %d, code %d", res.StatusCode, status.Code)
		}
		// A signature over another body does not carry over.
		req, _ = http.NewRequest(http.MethodPost, url+"/v1/calls", bytes.NewReader(body))
		tandem.Sign(req.Header, testSecret, "wh-other", time.Now(), []byte(`{}`))
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("signature of another body: HTTP %d", res.StatusCode)
		}
	})

	t.Run("a replayed request gets the first answer", func(t *testing.T) {
		req := intake(sess.srv.URL, "/replay")
		first, err := cloud.register(req)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			again, err := rest.register(req)
			if err != nil {
				t.Fatal(err)
			}
			if again.GetCallId() != first.GetCallId() || again.GetPosition() != first.GetPosition() {
				t.Fatalf("replay answered %v, first %v", again, first)
			}
		}
		ev := event(first.GetCallId(), "")
		ev.Event = &callintakev1.ReportCallEventRequest_CallerAbandoned{CallerAbandoned: &callintakev1.CallerAbandoned{WaitTimeMs: 5000}}
		for range 2 {
			if _, err := cloud.report(ev); err != nil {
				t.Fatal(err)
			}
		}
	})

	// Only the first good call and nothing from the bad requests is waiting.
	calls := waitingCalls(t, admin)
	if len(calls) != 1 || calls[0].GetCallId() != good.GetCallId() {
		t.Fatalf("waiting calls after bad input = %v", calls)
	}

	t.Run("an operator cannot touch another", func(t *testing.T) {
		anna := logIn(t, url, tandem.Connect, "anna")
		boris := logIn(t, url, tandem.Connect, "boris")
		_, err := anna.client.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: boris.id}))
		if code, field := fieldOf(t, err); code != connect.CodePermissionDenied || field != "operator_id" {
			t.Errorf("anna readies boris: %v %q", code, field)
		}
		_, err = anna.client.Presence.GoAway(ctx, connect.NewRequest(&presencev1.GoAwayRequest{OperatorId: boris.id, Reason: "lunch"}))
		if connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Errorf("anna sends boris away: %v", err)
		}
		stream, err := anna.client.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{OperatorId: boris.id}))
		if err == nil {
			stream.Receive()
			err = stream.Err()
		}
		if connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Errorf("anna watches boris: %v", err)
		}
		_, err = anna.client.Admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
		if connect.CodeOf(err) != connect.CodePermissionDenied {
			t.Errorf("operator uses admin: %v", err)
		}
		_, err = tandem.New(url).Assignment.ListCalls(ctx, connect.NewRequest(&assignmentv1.ListCallsRequest{}))
		if connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("anonymous list calls: %v", err)
		}
		_, err = tandem.New(url).Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "anna", Password: "wrong-password"}))
		if connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("wrong password: %v", err)
		}
		// Boris is untouched: still offline, his only change his own presence.
		res, err := admin.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: boris.id}))
		if err != nil || res.Msg.GetStatus().GetReason() != "" {
			t.Errorf("admin readies boris: %v %v", res, err)
		}
	})
}
