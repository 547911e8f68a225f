package main

import (
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to look inside the database

	"github.com/tandemcc/tandem/server/internal/pgtest"
)

// The end-to-end and crash tests again, on PostgreSQL (a schema of their own on the server
// make test starts; skipped, saying why, when there is none).

func TestCallEndToEndOnPostgres(t *testing.T) {
	pgtest.Server(t)
	callEndToEnd(t, func(t *testing.T) string { return pgtest.Schema(t) })
}

func TestCrashRecoveryOnPostgres(t *testing.T) {
	pgtest.Server(t)
	crashRecovery(t, func(t *testing.T) (string, string) { return "pgx", pgtest.Schema(t) })
}
