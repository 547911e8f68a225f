package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
)

// snapshot opens another presence stream for the operator, as his app does after a reload, and
// returns its first message.
func (a *operatorApp) snapshot() *presencev1.OperatorStatus {
	a.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := a.client.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{}))
	if err != nil {
		a.t.Fatal(err)
	}
	if !stream.Receive() || stream.Msg().GetSnapshot() == nil {
		a.t.Fatalf("no snapshot: %v %v", stream.Msg(), stream.Err())
	}
	return stream.Msg().GetSnapshot()
}

// TestCallerAfterReloadAndNoteAfterWrapUpRanOut: a reload during the call and during its
// wrap-up gets a snapshot that names the caller; the wrap-up runs out before the note is sent,
// and SaveCallNote after it keeps the note; bad notes are refused naming the field.
func TestCallerAfterReloadAndNoteAfterWrapUpRanOut(t *testing.T) {
	for _, p := range []tandem.Protocol{tandem.Connect, tandem.ConnectJSON} {
		t.Run(string(p), func(t *testing.T) {
			a := annaAnswers(t, p, "/n1")
			clk, admin, cloud, anna, boris, reg, dial := a.clk, a.admin, a.cloud, a.anna, a.boris, a.reg, a.dial

			// A reload on the call: the snapshot names the caller, not only the call id.
			st := anna.snapshot()
			if c := st.GetCall(); st.GetState() != commonv1.OperatorState_OPERATOR_STATE_ON_CALL || c.GetCallId() != reg.GetCallId() ||
				c.GetCallerNumber() != "+15557654321" || c.GetCallerName() != "Caller" || c.GetQueueId() != "support" || c.GetAnsweredAt() == nil {
				t.Fatalf("snapshot on the call: %v", st)
			}

			ev := event(reg.GetCallId(), dial.GetOfferId())
			ev.Event = &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 30000}}
			if _, err := cloud.report(ev); err != nil {
				t.Fatal(err)
			}
			anna.await(commonv1.OperatorState_OPERATOR_STATE_WRAP_UP)
			st = anna.snapshot()
			if c := st.GetCall(); st.GetState() != commonv1.OperatorState_OPERATOR_STATE_WRAP_UP || c.GetCallerNumber() != "+15557654321" || c.GetEndedAt() == nil {
				t.Fatalf("snapshot in wrap-up: %v", st)
			}

			// The wrap-up runs out before she sent her note; the note after it is kept.
			clk.Advance(10 * time.Second)
			if ready := anna.await(commonv1.OperatorState_OPERATOR_STATE_READY); ready.GetCall() != nil {
				t.Fatalf("ready with a call in hand: %v", ready.GetCall())
			}
			ctx := context.Background()
			save := func(c *tandem.Client, call, note string) error {
				_, err := c.Presence.SaveCallNote(ctx, connect.NewRequest(&presencev1.SaveCallNoteRequest{CallId: call, Note: note}))
				return err
			}
			if err := save(anna.client, reg.GetCallId(), "asked about her bill"); err != nil {
				t.Fatal(err)
			}
			note := func() string {
				got, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
				if err != nil {
					t.Fatal(err)
				}
				return got.Msg.GetCall().GetNote()
			}
			if got := note(); got != "asked about her bill" {
				t.Fatalf("note after the wrap-up ran out = %q", got)
			}

			for what, c := range map[string]struct {
				client *tandem.Client
				call   string
				note   string
				code   connect.Code
				field  string
			}{
				"boris on anna's call": {boris.client, reg.GetCallId(), "mine now", connect.CodePermissionDenied, "call_id"},
				"an unknown call":      {anna.client, "call_none", "x", connect.CodeNotFound, "call_id"},
				"no call":              {anna.client, "", "x", connect.CodeInvalidArgument, "call_id"},
				"a note too long":      {anna.client, reg.GetCallId(), strings.Repeat("x", 2001), connect.CodeInvalidArgument, "note"},
			} {
				if code, field := fieldOf(t, save(c.client, c.call, c.note)); code != c.code || field != c.field {
					t.Errorf("%s: %v on %q, want %v on %q", what, code, field, c.code, c.field)
				}
			}
			if got := note(); got != "asked about her bill" {
				t.Fatalf("note after the refusals = %q", got)
			}
			// A later note replaces hers; past the hour it is refused.
			if err := save(anna.client, reg.GetCallId(), "call back Monday"); err != nil || note() != "call back Monday" {
				t.Fatalf("second note: %v, stored %q", err, note())
			}
			clk.Advance(time.Hour)
			if code, field := fieldOf(t, save(anna.client, reg.GetCallId(), "late")); code != connect.CodeFailedPrecondition || field != "call_id" {
				t.Errorf("past the hour: %v on %q", code, field)
			}
			if got := note(); got != "call back Monday" {
				t.Fatalf("note after the late one = %q", got)
			}
		})
	}
}
