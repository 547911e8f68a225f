package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tandemcc/tandem/server/internal/sqlite"
	"github.com/tandemcc/tandem/server/internal/storetest"
)

// TestConformance runs the store conformance suite (the one PostgreSQL passes too) on SQLite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.OpenFunc {
		path := filepath.Join(t.TempDir(), "tandem.db")
		return func(ctx context.Context) (storetest.Store, error) { return sqlite.Open(ctx, path) }
	})
}
