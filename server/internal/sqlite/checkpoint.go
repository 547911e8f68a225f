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

	runs, nanos, held atomic.Int64 // checkpoints run, their time, and the time they held the writer
	logFrames         atomic.Int64 // frames in the log at the last one
}

// Work is what the store's writer and its checkpointer did since Open.
type Work struct {
	Commits        int64
	CommitTime     time.Duration // in COMMIT: writing the log (and syncing it at synchronous=FULL)
	Checkpoints    int64
	CheckpointTime time.Duration // copying the log into the file, and syncing the file
	Held           time.Duration // of CheckpointTime, with the writer held (to start the log over)
	LogSize        int64         // frames (pages) in the log at the last checkpoint
}

// Work reports what the writer and the checkpointer did since Open.
func (db *DB) Work() Work {
	c := db.ckpt
	return Work{Commits: db.commits.Load(), CommitTime: time.Duration(db.commitNanos.Load()),
		Checkpoints: c.runs.Load(), CheckpointTime: time.Duration(c.nanos.Load()), Held: time.Duration(c.held.Load()),
		LogSize: c.logFrames.Load()}
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
	// Copy what was committed meanwhile beside the writer too, while that is more than a few
	// pages, so what the writer is held for is short.
	for last, i := log, 0; err == nil && log >= restartAt && i < 4; i++ {
		if log, err = c.passive(); log-last < restartAt/16 {
			break
		}
		last = log
	}
	if err == nil && log >= restartAt {
		c.hold.Lock()
		held := time.Now()
		_, err = c.passive()
		c.held.Add(int64(time.Since(held)))
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
