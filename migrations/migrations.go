// Package migrations holds Tandem's SQLite schema as numbered SQL files, embedded into the binary.
package migrations

import "embed"

// FS holds the NNNN_name.{up,down}.sql files that golang-migrate applies in order.
//
//go:embed *.sql
var FS embed.FS
