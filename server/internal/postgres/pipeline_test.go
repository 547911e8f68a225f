package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/pgtest"
	"github.com/tandemcc/tandem/server/internal/postgres"
	"github.com/tandemcc/tandem/server/internal/storetest"
)

// The conformance suite on the store as a leader writes to it: every write checks the fence
// (in the pipeline of Apply, separately elsewhere).
func TestConformanceFenced(t *testing.T) {
	pgtest.Server(t)
	storetest.Run(t, func(t *testing.T) storetest.OpenFunc {
		dsn := pgtest.Schema(t)
		l := campaign(t, t.Context(), dsn, "fenced")
		t.Cleanup(l.Resign)
		return func(ctx context.Context) (storetest.Store, error) {
			db, err := postgres.Open(ctx, dsn)
			if err != nil {
				return nil, err
			}
			return db.Fenced(l.Epoch), nil
		}
	})
}

// A batch of runtime rows goes in one pipeline; when one of its statements fails, none of
// the batch is stored, the error names the row, and the connection is fit for reuse.
func TestApplyPipelineFailure(t *testing.T) {
	dsn := pgtest.Schema(t)
	ctx := t.Context()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := campaign(t, ctx, dsn, "a")
	defer l.Resign()
	at := time.UnixMilli(1_700_000_000_000).UTC()
	if err := db.CreateOperator(ctx, callcenter.Operator{ID: "op-ann", Name: "ann"}); err != nil {
		t.Fatal(err)
	}
	for name, store := range map[string]*postgres.DB{"unfenced": db, "fenced": db.Fenced(l.Epoch)} {
		t.Run(name, func(t *testing.T) {
			// More failures than the pool has connections: a connection left in the aborted
			// transaction would fail a later write.
			for i := range 20 {
				call := callcenter.CallID(name + "-c" + string(rune('a'+i)))
				bad := callcenter.Changes{
					Calls:    []callcenter.Call{{ID: call, State: callcenter.CallWaiting, ArrivedAt: at}},
					Statuses: []callcenter.OperatorStatus{{Operator: "op-ann", State: callcenter.OperatorReady, Since: at}},
					Offers:   []callcenter.Offer{{ID: "of-x", Call: "c-nobody", Operator: "op-ann", State: callcenter.OfferPending, OfferedAt: at}},
				}
				err := store.Apply(ctx, bad)
				if err == nil || callcenter.ErrorCode(err) != callcenter.CodeInternal || !strings.Contains(err.Error(), `write offer of-x`) {
					t.Fatalf("an offer of an unknown call: %v (%v)", err, callcenter.ErrorCode(err))
				}
				if _, _, err := store.Call(ctx, call); callcenter.ErrorCode(err) != callcenter.CodeNotFound {
					t.Fatalf("the failed batch's call was stored: %v", err)
				}
				good := bad
				good.Offers = nil
				if err := store.Apply(ctx, good); err != nil {
					t.Fatalf("a write after a failed one: %v", err)
				}
				if _, _, err := store.Call(ctx, call); err != nil {
					t.Fatal(err)
				}
			}
			rt, err := store.LoadRuntime(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rt.Statuses) != 1 || rt.Statuses[0].State != callcenter.OperatorReady || len(rt.Offers) != 0 {
				t.Fatalf("runtime %+v", rt)
			}
		})
	}
}
