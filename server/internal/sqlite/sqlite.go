// Package sqlite is Tandem's store (sqlstore's: configuration, sessions, the switchboard's
// runtime state, call history and the figures drawn from it) in one SQLite file, with one
// writer connection, a pool of readers, and Apply's statements prepared once.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-migrate/migrate/v4/database"
	migratesqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/tandemcc/tandem/migrations"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// readers is the size of the read pool; WAL lets them read while the writer writes.
const readers = 4

// dialect is SQLite's spelling of what the stores' SQL differs in.
var dialect = sqlstore.Dialect{
	Name:         "sqlite",
	DefaultQueue: "is_default",
	Strpos:       "instr",
	Arg1:         "?1",
	Seq:          "rowid", // the order decisions and call events were inserted in
	Greatest:     "max",
}

// DB is the store: sqlstore's, run in SQLite's transactions. All writes go through one
// connection, so write transactions never contend with each other; reads use a separate pool
// and see the last committed state.
type DB struct {
	sqlstore.DB

	w    *sql.DB       // the single writer
	wmu  sync.Mutex    // held by each write transaction, and by the checkpointer to start the log over
	r    *sql.DB       // readers
	ckpt *checkpointer // copies the writer's log into the file

	commits, commitNanos atomic.Int64           // for Work
	stmts                map[prepared]*sql.Stmt // Apply's statements, prepared on the writer

	rmu    sync.Mutex
	rstmts map[string]*sql.Stmt // the reads outside a transaction, prepared on the readers at first use

	id      *identity // the file opened, checked before each commit
	created bool      // Open created the file
	beside  []string  // other databases' files beside the file Open created
}

// readStmt returns query prepared on the readers (database/sql prepares it on each reader
// connection at its first use there).
func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	db.rmu.Lock()
	defer db.rmu.Unlock()
	if s := db.rstmts[query]; s != nil {
		return s, nil
	}
	s, err := db.r.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if db.rstmts == nil {
		db.rstmts = map[string]*sql.Stmt{}
	}
	db.rstmts[query] = s
	return s, nil
}

// queryRow runs a one-row query outside a transaction, prepared.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) sqlstore.Scanner {
	s, err := db.readStmt(ctx, query)
	if err != nil {
		return failedRow{fmt.Errorf("prepare: %w", err)}
	}
	return s.QueryRowContext(ctx, args...)
}

// failedRow is a row whose query could not be run.
type failedRow struct{ err error }

func (r failedRow) Scan(...any) error { return r.err }

// query runs a query outside a transaction, prepared.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return s.QueryContext(ctx, args...)
}

// Open opens (creating if needed) the database file at path and brings its schema up to date,
// with synchronous=NORMAL: in WAL mode a commit is in the OS's hands when it returns, so a
// killed process (kill -9) loses nothing; a power cut may lose the last commits (never
// corrupting the file).
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenSync(ctx, path, "NORMAL")
}

// writerDSN is the writer connection's DSN for file (a file: URI): WAL, the synchronous level
// given, immediate write transactions, no automatic checkpoint (the store checkpoints on a
// connection of its own, see checkpointer), and statement journals in memory (temp_store):
// a statement that writes several rows (call events, cloud requests 32 at a time, an upsert
// and its indexes) keeps the pages it changes for its own rollback, which in a temporary
// file cost a write system call a page — a tenth of a large batch's time.
func writerDSN(file, synchronous string) string {
	return file + "?_pragma=journal_mode(WAL)&_pragma=synchronous(" + synchronous + ")" +
		"&_pragma=wal_autocheckpoint(0)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_txlock=immediate"
}

// OpenSync is Open with the synchronous level given: "NORMAL", or "FULL", which syncs the WAL
// to disk on every commit so a power cut loses nothing acknowledged either (group commit
// makes it one sync per batch of requests).
func OpenSync(ctx context.Context, path, synchronous string) (*DB, error) {
	switch synchronous {
	case "NORMAL", "FULL":
	default:
		return nil, fmt.Errorf("sqlite: synchronous %q: want NORMAL or FULL", synchronous)
	}
	exists, err := checkPath(path)
	if err != nil {
		return nil, err
	}
	var beside []string
	if !exists {
		beside = others(path)
	}
	file := "file:" + (&url.URL{Path: path}).EscapedPath()
	writerDSN := writerDSN(file, synchronous)
	// Readers never write: query_only makes a stray write fail instead of taking the lock.
	readerDSN := file + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=query_only(1)"

	if err := migrateUp(writerDSN); err != nil {
		return nil, fmt.Errorf("sqlite: migrate: %w", err)
	}

	w, err := sql.Open("sqlite", writerDSN)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open writer: %w", err)
	}

	r, err := sql.Open("sqlite", readerDSN)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open readers: %w", err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("sqlite: open readers: %w", err)
	}
	stmts, err := prepareApply(ctx, w)
	if err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		r.Close()
		w.Close()
		return nil, cause(err)
	}
	db := &DB{w: w, r: r, stmts: stmts, id: &identity{path: path, file: st}, created: !exists, beside: beside}
	if db.ckpt, err = startCheckpoints(ctx, file+"?_pragma=busy_timeout(5000)", &db.wmu); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	db.DB = sqlstore.New(dialect, sqlstore.Conn{Read: db.read, Write: db.write, QueryRow: db.queryRow, Query: db.query})
	return db, nil
}

// Created reports whether Open created the database file, and the files of other databases it
// found beside it then (see others): a new, empty database where the flags may name an
// existing deployment's.
func (db *DB) Created() (created bool, beside []string) { return db.created, db.beside }

// CheckFile is nil while the database file is still the one Open opened; an unavailable
// error naming it once it was removed or replaced, from then on. Every write checks it before
// committing (a stat per transaction; the switchboard commits a batch of requests in one).
func (db *DB) CheckFile() error { return db.id.check() }

// WhenFileGone has fn told, once, the error CheckFile returns from the moment the file is
// found removed or replaced.
func (db *DB) WhenFileGone(fn func(error)) {
	db.id.mu.Lock()
	defer db.id.mu.Unlock()
	db.id.tell = fn
}

// migrateUp applies the embedded migrations.
func migrateUp(dsn string) error {
	return sqlstore.Migrate("sqlite", dsn, "sqlite", func(h *sql.DB) (database.Driver, error) {
		h.SetMaxOpenConns(1)
		return migratesqlite.WithInstance(h, &migratesqlite.Config{})
	}, migrations.FS, ".")
}

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	for _, s := range db.stmts {
		errs = append(errs, s.Close())
	}
	db.rmu.Lock()
	for _, s := range db.rstmts {
		errs = append(errs, s.Close())
	}
	db.rmu.Unlock()
	return errors.Join(append(errs, db.ckpt.close(), db.r.Close(), db.w.Close())...)
}

// write runs fn in one immediate transaction on the writer and commits it.
func (db *DB) write(ctx context.Context, fn func(sqlstore.WriteTx) error) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin write: %w", err)
	}
	if err := fn(wtx{tx, db.stmts}); err != nil {
		tx.Rollback()
		return err
	}
	// Committed into a removed file, the changes would be acknowledged and then lost.
	if err := db.id.check(); err != nil {
		tx.Rollback()
		return err
	}
	start := time.Now()
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	db.commitNanos.Add(int64(time.Since(start)))
	db.commits.Add(1)
	db.ckpt.committed()
	return nil
}

// read runs fn in one read transaction, so the queries it makes see a single snapshot.
func (db *DB) read(ctx context.Context, fn func(sqlstore.Tx) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}
