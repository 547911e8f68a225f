package simulate

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// failingStore fails its failAt-th Apply and counts the Applies still running.
type failingStore struct {
	failAt  int
	applies atomic.Int32
	running atomic.Int32
}

var errDiskFull = errors.New("disk full")

func (f *failingStore) Apply(ctx context.Context, ch cc.Changes) error {
	f.running.Add(1)
	defer f.running.Add(-1)
	if int(f.applies.Add(1)) == f.failAt {
		return errDiskFull
	}
	return nil
}

// TestStoreErrorStopsTheRun: a batch written beside the engine that fails stops the run with
// its error, whether a later batch or the end of the run meets it, and Run returns only when
// no batch is being written (the caller may close the store then).
func TestStoreErrorStopsTheRun(t *testing.T) {
	t.Parallel()
	cfg := load(5, 0.8, 300, 3)
	cfg.WarmUp = 0
	alone := run(t, cfg)
	for _, tc := range []struct {
		name          string
		batch, failAt int
	}{
		{"a batch in the middle", 10, 3},
		{"the last batch", 1 << 30, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &failingStore{failAt: tc.failAt}
			cfg := cfg
			cfg.Store, cfg.Batch = st, tc.batch
			_, err := Run(context.Background(), cfg)
			if !errors.Is(err, errDiskFull) {
				t.Fatalf("Run: %v, want the store's error", err)
			}
			if n := st.running.Load(); n != 0 {
				t.Errorf("%d batches still being written after Run returned", n)
			}
			// The batch after the failed one is not written: handing it over meets the error.
			if n := int(st.applies.Load()); n != tc.failAt || n >= alone.Steps {
				t.Errorf("%d batches written for %d steps, the %d-th failing", n, alone.Steps, tc.failAt)
			}
		})
	}
}
