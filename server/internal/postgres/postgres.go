// Package postgres is Tandem's store on PostgreSQL: the same tables, rows and behaviour as the
// sqlite package (the storetest conformance suite holds both to it), for several Tandem
// replicas sharing one database. Its migrations are migrations/postgres, applied by
// golang-migrate at Open as SQLite's are.
//
// The SQL is sqlstore's, as the sqlite store's is, in PostgreSQL's spelling where the two
// differ; queries are written with ? placeholders and numbered ($1, $2…) once, on first use.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-migrate/migrate/v4/database"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/tandemcc/tandem/migrations"
	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// poolSize is how many connections one Tandem process keeps to the server.
const poolSize = 16

// dialect is PostgreSQL's spelling of what the stores' SQL differs in.
var dialect = sqlstore.Dialect{
	Name:             "postgres",
	DefaultQueue:     "is_default <> 0",
	Returning:        true,
	Strpos:           "strpos",
	Arg1:             "$1",
	TempTableOptions: " ON COMMIT DROP",
	Seq:              "seq", // the order decisions and call events were inserted in
	Greatest:         "GREATEST",
}

// DB is the store: sqlstore's, run in PostgreSQL's transactions.
type DB struct {
	sqlstore.DB

	pool  *sql.DB
	fence int64 // the leader's epoch every write checks (see Fenced); 0: none
}

// newDB is the store on pool whose writes check fence (0: none).
func newDB(pool *sql.DB, fence int64) *DB {
	db := &DB{pool: pool, fence: fence}
	db.DB = sqlstore.New(dialect, sqlstore.Conn{Read: db.read, Write: db.write, QueryRow: db.queryRow,
		Query: db.query, Send: db.sendRows})
	return db
}

// IsURL reports whether s names a PostgreSQL database (postgres:// or postgresql://) rather than
// a SQLite file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at dsn (a postgres:// URL) and brings its schema up to date.
// Several processes may Open one database at once: golang-migrate holds an advisory lock
// while it migrates.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if _, err := url.Parse(dsn); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", Redact(dsn), err)
	}
	pool.SetMaxOpenConns(poolSize)
	pool.SetMaxIdleConns(poolSize)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect %s: %w", Redact(dsn), err)
	}
	if err := migrateUp(dsn); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrate %s: %w", Redact(dsn), err)
	}
	return newDB(pool, 0), nil
}

// Redact is dsn without its password, for messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}

// migrateUp applies the embedded migrations (migrations/postgres).
func migrateUp(dsn string) error {
	return sqlstore.Migrate("pgx", dsn, "pgx5", func(h *sql.DB) (database.Driver, error) {
		h.SetMaxOpenConns(2)
		return migratepgx.WithInstance(h, &migratepgx.Config{})
	}, migrations.PostgresFS, "postgres")
}

// Close closes the pool (shared with the stores Fenced returns).
func (db *DB) Close() error { return db.pool.Close() }

// txn is a transaction whose queries are written with ? placeholders.
type txn struct{ tx *sql.Tx }

func (t txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, rebind(query), args...)
}

func (t txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, rebind(query), args...)
}

func (t txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, rebind(query), args...)
}

// write runs fn in one read-committed transaction and commits it. A unique violation that fn
// did not foresee (two replicas writing one row at once) is already_exists.
func (db *DB) write(ctx context.Context, fn func(sqlstore.WriteTx) error) error {
	tx, err := db.pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("postgres: begin write: %w", err)
	}
	if db.fence != 0 {
		if err := checkFence(ctx, txn{tx}, db.fence); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := fn(txn{tx}); err != nil {
		tx.Rollback()
		return uniqueViolation(err)
	}
	if err := tx.Commit(); err != nil {
		return uniqueViolation(fmt.Errorf("postgres: commit: %w", err))
	}
	return nil
}

// read runs fn in one repeatable-read transaction, so the queries it makes see one snapshot.
func (db *DB) read(ctx context.Context, fn func(sqlstore.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("postgres: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(txn{tx})
}

// queryRow runs a one-row query outside a transaction.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) sqlstore.Scanner {
	return db.pool.QueryRowContext(ctx, rebind(query), args...)
}

// query runs a query outside a transaction.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.pool.QueryContext(ctx, rebind(query), args...)
}

// uniqueViolation turns PostgreSQL's unique_violation into already_exists; other errors pass.
func uniqueViolation(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		var ce *callcenter.Error
		if errors.As(err, &ce) {
			return err
		}
		return &callcenter.Error{Code: callcenter.CodeAlreadyExists, Message: fmt.Sprintf("%s (%s)", pe.Message, pe.ConstraintName)}
	}
	return err
}

var errNoRows = sql.ErrNoRows

// isUndefinedTable reports whether err is PostgreSQL's undefined_table.
func isUndefinedTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01"
}

var rebound sync.Map // query with ? → query with $n

// rebind numbers a query's ? placeholders ($1, $2…), once per query text. The queries here
// hold no ? in string literals.
func rebind(query string) string {
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	rebound.Store(query, b.String())
	return b.String()
}
