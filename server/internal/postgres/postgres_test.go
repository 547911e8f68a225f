package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/tandemcc/tandem/server/internal/pgtest"
	"github.com/tandemcc/tandem/server/internal/postgres"
	"github.com/tandemcc/tandem/server/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestConformance runs the store conformance suite, the one SQLite passes, on PostgreSQL.
func TestConformance(t *testing.T) {
	pgtest.Server(t)
	storetest.Run(t, func(t *testing.T) storetest.OpenFunc {
		dsn := pgtest.Schema(t)
		return func(ctx context.Context) (storetest.Store, error) { return postgres.Open(ctx, dsn) }
	})
}

// openSchema opens the store on a schema of its own on the test server, closed when tb ends.
func openSchema(tb testing.TB) (*postgres.DB, string) {
	tb.Helper()
	dsn := pgtest.Schema(tb)
	db, err := postgres.Open(tb.Context(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, dsn
}
