// Package sqlstore is Tandem's store, as the sqlite and postgres packages run it: the
// configuration (operators, queues, sessions), Apply (every row of a switchboard step's
// Changes), the reads that rebuild the switchboard, the security half (API keys, the audit log,
// settings, purges) and the analytics reads (tallies, call events, a day's arrivals). Queries
// are written with ? placeholders (the postgres store numbers them); where the two dialects
// really differ, a Dialect says how.
//
// A store embeds a DB made by New with its Dialect and its Conn: how it runs transactions,
// one-row queries and Apply's writes. The stores keep only that, their connection setup and
// their migrations.
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

// RowWriter writes Apply's rows: WriteRows runs s with the values of each of rows, and returns
// s.Err's error for a row that fails. It may keep each row's values, not rows itself. A store may write several rows in
// one statement (s.Head, s.Row, s.Tail) or defer the statements to send them together.
type RowWriter interface {
	WriteRows(ctx context.Context, s *Statement, rows [][]any) error
}

// WriteTx is a write transaction: a Tx that writes Apply's rows too.
type WriteTx interface {
	Tx
	RowWriter
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
	// Greatest is the function that keeps the larger of two values: "max", "GREATEST".
	Greatest string
}

// Conn is how a store runs the shared SQL.
type Conn struct {
	// Read runs fn in one read transaction (one snapshot); Write runs fn in one write
	// transaction and commits it.
	Read  func(ctx context.Context, fn func(Tx) error) error
	Write func(ctx context.Context, fn func(WriteTx) error) error
	// QueryRow and Query run a query outside a transaction: the ones asked with every call or
	// request (sessions, cloud requests, a caller's history), which the sqlite store prepares.
	QueryRow func(ctx context.Context, query string, args ...any) Scanner
	Query    func(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	// Send, when not nil, runs fn's writes in one write transaction sent at once (PostgreSQL's
	// pipeline): Apply uses it for the rows it writes without reading anything.
	Send func(ctx context.Context, fn func(RowWriter) error) error
}

// DB is a store: its methods are the store's, run through its Conn. A store embeds it.
type DB struct {
	d Dialect
	c Conn
	w *writes // Apply's statements
}

// New is the store that runs its SQL in d's spelling through c.
func New(d Dialect, c Conn) DB {
	return DB{d: d, c: c, w: d.writes()}
}

// errorf is an error of the store: fmt.Errorf's, prefixed with the store's name.
func (d Dialect) errorf(format string, args ...any) error {
	return fmt.Errorf(d.Name+": "+format, args...)
}

// jsonText is v as JSON text. Domain values always marshal.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sqlstore: marshal %T: %v", v, err))
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

// queryAll runs query and scans every row with scan.
func queryAll[T any](ctx context.Context, tx Tx, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scan)
}

// scanAll scans every row of rows with scan, and closes rows.
func scanAll[T any](rows *sql.Rows, scan func(Scanner) (T, error)) ([]T, error) {
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

// msTime stores t as unix milliseconds, and the zero time as NULL (both stores keep times so).
func msTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// timeMS is the inverse of msTime, in UTC.
func timeMS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// durMS stores a duration as milliseconds.
func durMS(d time.Duration) int64 { return d.Milliseconds() }

// msDur is the inverse of durMS.
func msDur(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
