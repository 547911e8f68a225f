// Package sqlstore is the SQL both stores share, as the sqlite and postgres packages run it:
// the configuration (operators, queues, sessions), the security half (API keys, the audit
// log, settings, purges), the runtime's rows (their columns, upserts and scanners, the reads
// that rebuild the switchboard) and the analytics reads (tallies, call events, a day's
// arrivals). Queries are written with ? placeholders (the postgres store
// numbers them); where the two dialects really differ, a Dialect says how.
//
// A store hands its transactions in as a DB: its Dialect, its read and write transactions and
// its one-row queries outside a transaction. The stores keep only their own transaction
// handling and call the methods here.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Tx is a transaction as the shared SQL uses it: *sql.Tx has these methods, and so does the
// postgres store's transaction (which numbers the placeholders).
type Tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Scanner is a *sql.Row or *sql.Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// Dialect is what the stores' SQL and messages differ in.
type Dialect struct {
	// Name prefixes the errors: "sqlite", "postgres".
	Name string
	// DefaultQueue is the condition that a queue is the default one, as the index
	// queues_one_default spells it: "is_default", "is_default <> 0".
	DefaultQueue string
	// Returning: an inserted row's id comes from INSERT … RETURNING id rather than from
	// LastInsertId.
	Returning bool
	// Strpos is the function that finds a string in another: "instr", "strpos".
	Strpos string
	// Arg1 names the first argument where a query uses it several times: "?1", "$1".
	Arg1 string
	// TempTableOptions follow the name of a temporary table one transaction fills: "",
	// " ON COMMIT DROP".
	TempTableOptions string
	// Seq is the column that orders a table's rows as they were inserted (decisions,
	// call_events): "rowid", "seq".
	Seq string
}

// DB is a store as the shared SQL sees it: its dialect and its transactions.
type DB struct {
	Dialect
	// Read runs fn in one read transaction (one snapshot); Write runs fn in one write
	// transaction and commits it.
	Read, Write func(ctx context.Context, fn func(Tx) error) error
	// QueryRow runs a one-row query outside a transaction.
	QueryRow func(ctx context.Context, query string, args ...any) *sql.Row
}

// errorf is an error of the store: fmt.Errorf's, prefixed with the store's name.
func (d Dialect) errorf(format string, args ...any) error {
	return fmt.Errorf(d.Name+": "+format, args...)
}

// jsonText is v as JSON text. Domain values always marshal.
func (d Dialect) jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("%s: marshal %T: %v", d.Name, v, err))
	}
	return string(b)
}

// rowExists reports whether query returns a row.
func rowExists(ctx context.Context, tx Tx, query string, args ...any) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// QueryAll runs query and scans every row with scan.
func QueryAll[T any](ctx context.Context, tx Tx, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return ScanAll(rows, scan)
}

// ScanAll scans every row of rows with scan, and closes rows.
func ScanAll[T any](rows *sql.Rows, scan func(Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var all []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		all = append(all, v)
	}
	return all, rows.Err()
}

// MSTime stores t as unix milliseconds, and the zero time as NULL (both stores keep times so).
func MSTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// TimeMS is the inverse of MSTime, in UTC.
func TimeMS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// DurMS stores a duration as milliseconds.
func DurMS(d time.Duration) int64 { return d.Milliseconds() }

// MSDur is the inverse of DurMS.
func MSDur(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
