package sqlite

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
	"github.com/tandemcc/tandem/server/internal/storetest"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tandem.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestDecisionsOfBeforeTheBound: a record written as a JSON array of every operator (before
// records were bounded) still reads, with zero counts.
func TestDecisionsOfBeforeTheBound(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	c := storetest.Changes()
	c.Decisions = nil
	must(t, db.Apply(ctx, c))
	_, err := db.w.ExecContext(ctx, `INSERT INTO decisions (`+sqlstore.DecisionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		"c-1", "of-1", int64(1000), "longest_idle", "op-ann", "ann ranks first",
		`[{"o":"op-ann","s":"ready","e":true,"i":5000000000,"v":-5,"vs":"idle 5s"},{"o":"op-bob","s":"on_call","x":"on_call"}]`)
	must(t, err)
	ds, err := db.Decisions(ctx, "c-1")
	must(t, err)
	want := []callcenter.Decision{{Call: "c-1", Offer: "of-1", DecidedAt: time.UnixMilli(1000).UTC(), Strategy: "longest_idle",
		Operator: "op-ann", Rule: "ann ranks first", Candidates: []callcenter.Candidate{
			{Operator: "op-ann", State: callcenter.OperatorReady, Eligible: true, Idle: 5 * time.Second, Value: -5, ValueString: "idle 5s"},
			{Operator: "op-bob", State: callcenter.OperatorOnCall, ExcludedBecause: "on_call"},
		}}}
	if !reflect.DeepEqual(ds, want) {
		t.Errorf("legacy decision:\n got %+v\nwant %+v", ds, want)
	}
}
