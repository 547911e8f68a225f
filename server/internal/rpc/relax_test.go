package rpc

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// TestQueueRelaxationThroughTheAdminAPI: a queue's skills relaxation is saved and read back as
// sent; bad ones name the request's field and save nothing.
func TestQueueRelaxationThroughTheAdminAPI(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup()
	admin := a.admin().Admin
	ctx := context.Background()
	relax := []*adminv1.RelaxStep{{AfterS: 30, MinLevel: 2}, {AfterS: 60, AlsoQueueIds: []string{"support"}}, {AfterS: 120, MinLevel: 1}}
	good := &adminv1.Queue{QueueId: "vip", MinLevel: 4, Relax: relax}
	res, err := admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: good}))
	if err != nil {
		t.Fatal(err)
	}
	check := func(got *adminv1.Queue) {
		t.Helper()
		if got.GetMinLevel() != 4 || len(got.GetRelax()) != 3 {
			t.Fatalf("saved = %v", got)
		}
		for i, s := range got.GetRelax() {
			if !proto.Equal(s, relax[i]) {
				t.Fatalf("step %d = %v, want %v", i, s, relax[i])
			}
		}
	}
	check(res.Msg.GetQueue())
	read, err := admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "vip"}))
	if err != nil {
		t.Fatal(err)
	}
	check(read.Msg.GetQueue())

	bad := func(f func(q *adminv1.Queue)) error {
		q := proto.Clone(good).(*adminv1.Queue)
		q.QueueId = "sales"
		f(q)
		_, err := admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: q}))
		return err
	}
	for _, tc := range []struct {
		field string
		code  connect.Code
		err   error
	}{
		{"queue.min_level", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) { q.MinLevel = 9 })},
		{"queue.relax[1].after_s", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) { q.Relax[1].AfterS = 20 })},
		{"queue.relax[2].min_level", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) { q.Relax[2].MinLevel = 3 })},
		{"queue.relax[1].also_queue_ids[0]", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) { q.Relax[1].AlsoQueueIds = []string{"sales"} })},
		{"queue.relax[1].also_queue_ids[0]", connect.CodeNotFound, bad(func(q *adminv1.Queue) { q.Relax[1].AlsoQueueIds = []string{"nowhere"} })},
		{"queue.relax[0]", connect.CodeInvalidArgument, bad(func(q *adminv1.Queue) { q.Relax[0].MinLevel = 0 })},
	} {
		wantField(t, tc.err, tc.code, tc.field)
	}
	if _, err := admin.GetQueue(ctx, connect.NewRequest(&adminv1.GetQueueRequest{QueueId: "sales"})); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("a refused queue was saved: %v", err)
	}
}

// TestDecisionOutNamesTheRelaxationStep: the decision a relaxed queue made shows its step.
func TestDecisionOutNamesTheRelaxationStep(t *testing.T) {
	d := cc.Decision{Call: "c", Operator: "sam", Relax: &cc.RelaxPool{Step: 2, After: time.Minute, MinLevel: 2, Also: []cc.QueueID{"sales"}},
		RelaxText: "relaxed at 1m0s: operators of sales too"}
	r := convert.DecisionOut(d).GetRelaxation()
	if r.GetStep() != 2 || r.GetAfterS() != 60 || r.GetMinLevel() != 2 || len(r.GetAlsoQueueIds()) != 1 || r.GetAlsoQueueIds()[0] != "sales" || r.GetText() != d.RelaxText {
		t.Fatalf("relaxation = %v", r)
	}
	if convert.DecisionOut(cc.Decision{Call: "c"}).GetRelaxation() != nil {
		t.Fatal("a decision without a relaxation shows one")
	}
}
