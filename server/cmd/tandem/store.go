package main

import (
	"cmp"
	"context"
	"io"
	"strings"

	"github.com/tandemcc/tandem/server/internal/postgres"
	"github.com/tandemcc/tandem/server/internal/rpc"
	"github.com/tandemcc/tandem/server/internal/sqlite"
	"github.com/tandemcc/tandem/server/internal/switchboard"
)

// store is what the server needs of its database: SQLite (a file) or PostgreSQL (a URL).
type store interface {
	switchboard.Store
	rpc.Store
	rpc.SecurityStore
	io.Closer
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// openStore opens the database --db names: a postgres:// or postgresql:// URL is PostgreSQL,
// anything else a SQLite file, opened at the synchronous level sync ("normal" or "full").
func openStore(ctx context.Context, db, sync string) (store, error) {
	if postgres.IsURL(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.OpenSync(ctx, db, strings.ToUpper(cmp.Or(sync, "normal")))
}

// dbName is db for messages and logs: a URL without its password.
func dbName(db string) string {
	if postgres.IsURL(db) {
		return postgres.Redact(db)
	}
	return db
}
