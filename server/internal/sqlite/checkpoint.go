package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointEvery is the least time between two checkpoints: the write-ahead log grows by
// about that much of the writer's commits before its pages are copied into the database file.
const checkpointEvery = 100 * time.Millisecond

// restartAt is the log's size (frames, pages) from which a checkpoint holds the writer for its
// last frames, so the log starts over: SQLite's own automatic checkpoint's size.
const restartAt = 1000

// checkpointer copies the write-ahead log into the database file on a connection of its own,
// so the writer never does it inside a commit. With SQLite's automatic checkpoint (every 1 000
// pages of log) the commit that crossed the mark copied them and synced the file before it
// returned: 4–12 ms, every half second at 25 calls a second, and the batch behind it waited
// that long. A PASSIVE checkpoint runs beside the writer (it takes none of the writer's locks);
// the writer starts the log over at its next commit once everything in it was copied and no
// reader still reads it, as it did before. But it only does so when the checkpoint copied
// the whole log before the commit began, which a checkpoint beside a busy writer seldom has:
// so once the log is restartAt frames long, the checkpointer copies it beside the writer, then
// holds the writer (hold, which every write transaction takes) while it copies the few frames
// committed meanwhile.
type checkpointer struct {
	db   *sql.DB
	hold *sync.Mutex
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once

	runs, nanos atomic.Int64 // checkpoints run, and their time
	logFrames   atomic.Int64 // frames in the log at the last one
}

// Checkpoints is what the checkpointer did since the store opened.
type Checkpoints struct {
	Runs    int64         // checkpoints run
	Time    time.Duration // spent in them (copying pages, syncing the file)
	LogSize int64         // frames in the log at the last checkpoint
}

// Checkpoints reports what the checkpointer did since Open.
func (db *DB) Checkpoints() Checkpoints {
	c := db.ckpt
	return Checkpoints{Runs: c.runs.Load(), Time: time.Duration(c.nanos.Load()), LogSize: c.logFrames.Load()}
}

// startCheckpoints opens the checkpointer's connection with dsn and starts it.
func startCheckpoints(ctx context.Context, dsn string, hold *sync.Mutex) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	c := &checkpointer{db: db, hold: hold, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

// committed tells the checkpointer the log grew; it never waits.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		c.checkpoint()
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// checkpoint copies what it can of the log into the file. A failure (the file removed, the disk
// full) is the writer's to report: its next commit meets it. The log keeps growing meanwhile,
// and the next commit's kick tries again.
func (c *checkpointer) checkpoint() {
	start := time.Now()
	log, err := c.passive()
	if err == nil && log >= restartAt {
		c.hold.Lock()
		_, err = c.passive()
		c.hold.Unlock()
	}
	if err != nil {
		return
	}
	c.nanos.Add(int64(time.Since(start)))
	c.runs.Add(1)
	c.logFrames.Store(log)
}

// passive runs a PASSIVE checkpoint, which copies the frames no reader still needs from the
// log, and returns the log's size.
func (c *checkpointer) passive() (log int64, err error) {
	var busy, copied int64 // copied: of log, the frames in the file now
	err = c.db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied)
	return log, err
}

// close stops the checkpointer and closes its connection (the last connection to close
// checkpoints what is left and removes the log).
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	return c.db.Close()
}
