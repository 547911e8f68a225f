package simulate

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/sqlite"
)

// BenchmarkSimulate is `tandem simulate` as `tandem bench` runs it (20 operators at 90%
// occupancy, 3 min handle time), per 1 000 calls: the engine alone, and with the SQLite store
// in tandem simulate's batches. b.ReportMetric gives calls/s.
func BenchmarkSimulate(b *testing.B) {
	const calls = 1000
	cfg := Config{Operators: 20, CallsPerHour: 360, AHT: 3 * time.Minute, Calls: calls, Seed: 1,
		SLThreshold: 20 * time.Second, Batch: DefaultBatch}
	for _, store := range []string{"none", "sqlite"} {
		b.Run("store="+store, func(b *testing.B) {
			c := cfg
			if store == "sqlite" {
				db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "sim.db"))
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				c.Store = db
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Run(context.Background(), c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(calls*b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}
