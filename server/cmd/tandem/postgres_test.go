package main

import (
	"fmt"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to look inside the database

	"github.com/tandemcc/tandem/server/internal/pgtest"
)

// The end-to-end and crash tests again, on PostgreSQL (a schema of their own on the server
// make test starts; skipped, saying why, when there is none).

func TestCallEndToEndOnPostgres(t *testing.T) {
	pgtest.Server(t)
	callEndToEnd(t, func(t *testing.T) string { return pgtest.Schema(t) }, 0)
}

// TestCallEndToEndThroughFollowers plays the end-to-end test against followers: two
// replicas (everything through the follower), then three (the cloud and the admin through
// one follower, the operators' streams through the other).
func TestCallEndToEndThroughFollowers(t *testing.T) {
	pgtest.Server(t)
	for _, followers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d replicas", followers+1), func(t *testing.T) {
			callEndToEnd(t, func(t *testing.T) string { return pgtest.Schema(t) }, followers)
		})
	}
}

func TestCrashRecoveryOnPostgres(t *testing.T) {
	pgtest.Server(t)
	crashRecovery(t, func(t *testing.T) (string, string) { return "pgx", pgtest.Schema(t) }, "")
}
