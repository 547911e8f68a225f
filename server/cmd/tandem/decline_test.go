package main

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
)

// TestOperatorDeclinesOverTheAPI: boris, a SIP operator whose phone rings, declines the call
// from his app. The cloud gets a cancel for his offer and a dial to anna; his marks count the
// decline and no miss; the stored offer is declined. With the queue's away_after_declines at 1
// the next decline sends anna away. Declines that are not hers, of unknown or settled offers,
// and supervisors' declines are refused naming offer_id, and change nothing.
func TestOperatorDeclinesOverTheAPI(t *testing.T) {
	for _, p := range []tandem.Protocol{tandem.Connect, tandem.ConnectJSON} {
		t.Run(string(p), func(t *testing.T) {
			ctx := context.Background()
			cen := newCenter(t, p)
			clk, url, admin, cloud, sess := cen.clk, cen.url, cen.admin, cen.cloud, cen.sess
			anna := logIn(t, url, p, "anna")
			boris := logIn(t, url, p, "boris")
			boris.ready()
			clk.Advance(time.Second)
			anna.ready()
			reg, err := cloud.register(intake(sess.srv.URL, "/d1"))
			if err != nil {
				t.Fatal(err)
			}
			dial := sess.next("/d1")
			if dial.GetType() != "dial" || dial.GetContact().GetKind() != "sip" {
				t.Fatalf("first command %v, want a dial to boris' SIP phone", dial)
			}
			boris.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
			decline := func(c *tandem.Client, offer string) (*assignmentv1.DeclineOfferResponse, error) {
				res, err := c.Assignment.DeclineOffer(ctx, connect.NewRequest(&assignmentv1.DeclineOfferRequest{OfferId: offer}))
				if err != nil {
					return nil, err
				}
				return res.Msg, nil
			}
			for what, c := range map[string]struct {
				client *tandem.Client
				offer  string
				code   connect.Code
			}{
				"anna on boris' offer": {anna.client, dial.GetOfferId(), connect.CodePermissionDenied},
				"an unknown offer":     {boris.client, "offer_none", connect.CodeNotFound},
				"no offer":             {boris.client, "", connect.CodeInvalidArgument},
			} {
				_, err := decline(c.client, c.offer)
				if code, field := fieldOf(t, err); code != c.code || field != "offer_id" {
					t.Errorf("%s: %v on %q, want %v on offer_id", what, code, field, c.code)
				}
			}
			if _, err := decline(admin, dial.GetOfferId()); connect.CodeOf(err) != connect.CodePermissionDenied {
				t.Errorf("an admin declining: %v, want permission denied (a supervisor withdraws)", err)
			}
			sess.none("/d1")

			res, err := decline(boris.client, dial.GetOfferId())
			if err != nil {
				t.Fatal(err)
			}
			if m := res.GetMarks(); res.GetState() != commonv1.OperatorState_OPERATOR_STATE_READY || m.GetDeclines() != 1 ||
				m.GetDeclinesToday() != 1 || m.GetOffersMissed() != 0 || m.GetAnswerRate() != 1 {
				t.Fatalf("boris after declining: %v", res)
			}
			cancel := sess.next("/d1")
			if cancel.GetType() != "cancel" || cancel.GetOfferId() != dial.GetOfferId() {
				t.Fatalf("after the decline: %v, want a cancel of boris' offer", cancel)
			}
			next := sess.next("/d1")
			if next.GetType() != "dial" || next.GetContact().GetTarget() != "anna" {
				t.Fatalf("after the cancel: %v, want a dial to anna", next)
			}
			anna.await(commonv1.OperatorState_OPERATOR_STATE_RESERVED)
			got, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
			if err != nil {
				t.Fatal(err)
			}
			var declined bool
			for _, of := range got.Msg.GetCall().GetOffers() {
				declined = declined || of.GetOfferId() == dial.GetOfferId() && of.GetState() == commonv1.OfferState_OFFER_STATE_DECLINED
			}
			if !declined {
				t.Fatalf("stored offers %v: want boris' declined", got.Msg.GetCall().GetOffers())
			}
			if _, err := decline(boris.client, dial.GetOfferId()); connect.CodeOf(err) != connect.CodeFailedPrecondition {
				t.Errorf("declining a settled offer: %v, want failed precondition", err)
			}

			// The queue's rule: one decline sends away.
			q, err := admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"}))
			if err != nil {
				t.Fatal(err)
			}
			rules := q.Msg.GetQueue()
			rules.AwayAfterDeclines = 101
			if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: rules})); err == nil {
				t.Fatal("away_after_declines 101 accepted")
			} else if code, field := fieldOf(t, err); code != connect.CodeInvalidArgument || field != "queue.away_after_declines" {
				t.Fatalf("away_after_declines 101: %v on %q", code, field)
			}
			rules.AwayAfterDeclines = 1
			if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: rules})); err != nil {
				t.Fatal(err)
			}
			if q, _ := admin.Admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "support"})); q.Msg.GetQueue().GetAwayAfterDeclines() != 1 {
				t.Fatalf("away_after_declines read back as %d", q.Msg.GetQueue().GetAwayAfterDeclines())
			}
			res, err = decline(anna.client, next.GetOfferId())
			if err != nil {
				t.Fatal(err)
			}
			if st := anna.await(commonv1.OperatorState_OPERATOR_STATE_AWAY); st.GetReason() != "declined an offer" || res.GetState() != commonv1.OperatorState_OPERATOR_STATE_AWAY {
				t.Fatalf("anna after one decline with the rule at 1: %v (%q)", res.GetState(), st.GetReason())
			}
		})
	}
}
