package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, as the store uses
)

// sqliteDSN is the store's writer DSN (server/internal/sqlite) but for its checkpoints and
// statement journals: SQLite's own automatic checkpoint runs in the commits, and its journals
// where it keeps them, as in any bare SQLite. The synchronous level is given: NORMAL is
// Tandem's default, FULL its --sync full.
func sqliteDSN(path, sync string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync + ")" +
		"&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// runSQLite commits one small row per write transaction on one connection for d and returns
// the transactions per second.
func runSQLite(ctx context.Context, dir, sync string, d time.Duration) (float64, error) {
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(dir, "raw-"+sync+".db"), sync))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("sqlite baseline: %w", err)
	}
	ins, err := db.PrepareContext(ctx, `INSERT INTO rows (at, body) VALUES (?, ?)`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	return txPerSecond(ctx, db, d, func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, ins).ExecContext(ctx, time.Now().UnixMilli(), "call_0123456789abcdef waiting support")
		return err
	})
}

// txPerSecond commits one write transaction after another on db for d (insert writes its row)
// and returns how many it committed per second: the raw-store baselines.
func txPerSecond(ctx context.Context, db *sql.DB, d time.Duration, insert func(*sql.Tx) error) (float64, error) {
	start := time.Now()
	end := start.Add(d)
	n := 0
	for time.Now().Before(end) && ctx.Err() == nil {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		if err := insert(tx); err != nil {
			tx.Rollback()
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
