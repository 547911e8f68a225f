// Package migrations holds Tandem's schema as numbered SQL files, embedded into the binary:
// SQLite's in this folder, PostgreSQL's (same versions) in postgres/.
package migrations

import "embed"

// FS holds the NNNN_name.{up,down}.sql files that golang-migrate applies in order.
//
//go:embed *.sql
var FS embed.FS

// PostgresFS holds postgres/NNNN_name.{up,down}.sql: the same schema, version for version, in
// PostgreSQL's dialect, for server/internal/postgres.
//
//go:embed postgres/*.sql
var PostgresFS embed.FS
