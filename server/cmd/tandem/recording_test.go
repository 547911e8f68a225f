package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestRecordedCall: a queue that records tells the scenario so (with its notice) when a call
// registers; the record URL the scenario reports is kept on the call and shown in its detail to
// admins and supervisors, not to read-only keys, and operators cannot read calls at all.
func TestRecordedCall(t *testing.T) {
	for _, p := range []tandem.Protocol{tandem.Connect, tandem.ConnectJSON} {
		t.Run(string(p), func(t *testing.T) {
			ctx := context.Background()
			clk := clock.NewFake(time.Now())
			srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
			url := srv.m.URL
			admin := tandem.New(url, tandem.WithProtocol(p), tandem.WithToken(testAdminKey))
			setup(t, admin)

			got, err := admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
			if err != nil {
				t.Fatal(err)
			}
			q := got.Msg.GetQueue()
			q.RecordingNotice = strings.Repeat("n", 1501)
			_, err = admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q}))
			if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != "queue.recording_notice" {
				t.Fatalf("a notice too long: %v on %q", code, field)
			}
			q.RecordCalls, q.RecordingNotice = true, "This call is recorded."
			up, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: q}))
			if err != nil {
				t.Fatal(err)
			}
			if !up.Msg.GetQueue().GetRecordCalls() || up.Msg.GetQueue().GetRecordingNotice() != "This call is recorded." {
				t.Fatalf("updated queue = %v", up.Msg.GetQueue())
			}

			cloud := newCloud(t, url, p, false, clk)
			sess := newSession(t)
			anna := logIn(t, url, p, "anna")
			anna.ready()
			reg, err := cloud.register(intake(sess.srv.URL, "/r1"))
			if err != nil {
				t.Fatal(err)
			}
			if !reg.GetRecord() || reg.GetRecordingNotice() != "This call is recorded." {
				t.Fatalf("intake reply: record %v, notice %q", reg.GetRecord(), reg.GetRecordingNotice())
			}
			dial := sess.next("/r1")
			anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
			ev := event(reg.GetCallId(), dial.GetOfferId())
			ev.Event = &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 1000}}
			if _, err := cloud.report(ev); err != nil {
				t.Fatal(err)
			}
			anna.await(commonv1.OperatorState_OPERATOR_STATE_ON_CALL)

			recording := func(url string) error {
				ev := event(reg.GetCallId(), "")
				ev.Event = &callintakev1.ReportCallEventRequest_RecordingStarted{RecordingStarted: &callintakev1.RecordingStarted{Url: url}}
				_, err := cloud.report(ev)
				return err
			}
			for _, bad := range []string{"", "http://records.example/1.mp3", "records/1.mp3"} {
				if code, field := fieldOf(t, recording(bad)); code != connect.CodeInvalidArgument || field != "recording_started.url" {
					t.Errorf("recording at %q: %v on %q", bad, code, field)
				}
			}
			const record = "https://records.example/call-1.mp3"
			if err := recording(record); err != nil {
				t.Fatal(err)
			}
			if err := recording("https://records.example/another.mp3"); err != nil {
				t.Fatal(err)
			}
			supervisor := tandem.New(url, tandem.WithProtocol(p), tandem.WithToken(newKey(t, admin, "floor", adminv1.KeyRole_KEY_ROLE_SUPERVISOR)))
			readonly := tandem.New(url, tandem.WithProtocol(p), tandem.WithToken(newKey(t, admin, "wallboard", adminv1.KeyRole_KEY_ROLE_READONLY)))
			// The list of live calls gives it as GetCall does (a voicemail's too): the talking call.
			for who, want := range map[string]struct {
				client *tandem.Client
				url    string
			}{"admin": {admin, record}, "readonly": {readonly, ""}} {
				res, err := want.client.Assignment.ListCalls(ctx, connect.NewRequest(&assignmentv1.ListCallsRequest{}))
				if err != nil || len(res.Msg.GetCalls()) != 1 || res.Msg.GetCalls()[0].GetRecordingUrl() != want.url {
					t.Errorf("%s lists %v (%v), want the call with recording %q", who, res.Msg.GetCalls(), err, want.url)
				}
			}
			ev = event(reg.GetCallId(), dial.GetOfferId())
			ev.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 30000}}
			if _, err := cloud.report(ev); err != nil {
				t.Fatal(err)
			}
			anna.await(commonv1.OperatorState_OPERATOR_STATE_WRAP_UP)

			detail := func(c *tandem.Client) (string, error) {
				res, err := c.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
				if err != nil {
					return "", err
				}
				return res.Msg.GetCall().GetRecordingUrl(), nil
			}
			for who, want := range map[string]struct {
				client *tandem.Client
				url    string
			}{"admin": {admin, record}, "supervisor": {supervisor, record}, "readonly": {readonly, ""}} {
				if got, err := detail(want.client); err != nil || got != want.url {
					t.Errorf("%s sees recording %q (%v), want %q", who, got, err, want.url)
				}
			}
			if _, err := detail(anna.client); connect.CodeOf(err) != connect.CodePermissionDenied {
				t.Errorf("an operator reading the call: %v, want permission denied", err)
			}

			// The caller's data: the export names the recording, the erasure forgets it.
			export, err := admin.Admin.ExportCallerData(ctx, connect.NewRequest(&adminv1.ExportCallerDataRequest{Number: "+15557654321"}))
			if err != nil {
				t.Fatal(err)
			}
			if calls := export.Msg.GetCalls(); len(calls) != 1 || calls[0].GetRecordingUrl() != record {
				t.Fatalf("exported calls = %v, want the one with its recording", calls)
			}
			if _, err := admin.Admin.DeleteCallerData(ctx, connect.NewRequest(&adminv1.DeleteCallerDataRequest{Number: "+15557654321"})); err != nil {
				t.Fatal(err)
			}
			if got, err := detail(admin); err != nil || got != "" {
				t.Fatalf("recording after the caller's data was deleted = %q (%v), want none", got, err)
			}
		})
	}
}
