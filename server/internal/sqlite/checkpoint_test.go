package sqlite

import (
	"os"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// TestCheckpointsBesideTheWriter: the writer never checkpoints inside a commit (its automatic
// checkpoint is off), and the checkpointer's connection copies the log into the file, so the
// writer starts the log over instead of growing it for ever.
func TestCheckpointsBesideTheWriter(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	var auto int
	must(t, db.w.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto))
	if auto != 0 {
		t.Fatalf("the writer's wal_autocheckpoint is %d, want 0 (checkpoints run beside it)", auto)
	}
	_, err := db.w.ExecContext(ctx, "CREATE TABLE scratch (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
	must(t, err)
	// Each commit writes at least a frame (a page) to the log: far more frames than the log
	// holds once it starts over.
	const commits = 1500
	body := string(make([]byte, 500))
	for i := range commits {
		must(t, db.write(ctx, func(tx sqlstore.WriteTx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO scratch (id, body) VALUES (?, ?)", i, body)
			return err
		}))
	}
	// The checkpointer runs at most every checkpointEvery: wait for it (bounded) with a
	// commit now and then to wake it.
	deadline := time.Now().Add(30 * time.Second)
	for db.Work().Checkpoints < 2 && time.Now().Before(deadline) {
		must(t, db.write(ctx, func(tx sqlstore.WriteTx) error {
			_, err := tx.ExecContext(ctx, "UPDATE scratch SET body = body WHERE id = 0")
			return err
		}))
		time.Sleep(checkpointEvery / 2)
	}
	c := db.Work()
	if c.Checkpoints < 2 || c.CheckpointTime <= 0 || c.Commits < commits || c.CommitTime <= 0 {
		t.Fatalf("work %+v: want %d commits and at least 2 checkpoints, taking time", c, commits)
	}
	if c.LogSize >= commits {
		t.Errorf("the log held %d frames at the last checkpoint after %d commits: it never started over", c.LogSize, commits)
	}
	var n int
	must(t, db.r.QueryRowContext(ctx, "SELECT count(*) FROM scratch").Scan(&n))
	if n != commits {
		t.Errorf("%d rows read, want %d", n, commits)
	}
	// Closed, the last connection folds the log into the file and removes it.
	path := db.id.path
	must(t, db.Close())
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the log is still there after Close: %v", err)
	}
	db2, err := Open(ctx, path)
	must(t, err)
	defer db2.Close()
	must(t, db2.r.QueryRowContext(ctx, "SELECT count(*) FROM scratch").Scan(&n))
	if n != commits {
		t.Errorf("after reopening: %d rows, want %d", n, commits)
	}
}
