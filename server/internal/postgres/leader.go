package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Leadership: of several Tandem replicas on one database, exactly one runs the switchboard (the
// one decision maker) at a time. See docs/replicas.md.
//
//   - A replica leads while it holds a session-level advisory lock on a connection of its own
//     (the lock connection). PostgreSQL releases the lock when that session ends, so a leader
//     that dies (kill -9, a crash, a lost host once TCP keepalives give up) frees it at once or
//     within seconds, and a waiting replica takes it.
//   - Taking the lock, the new leader bumps the epoch in tandem_leader: its fencing token.
//   - Every write of the leader's store (DB.Fenced) first reads the epoch under FOR SHARE and
//     fails with ErrFenced when it is not its own. A leader that lost the lock without knowing
//     (paused, partitioned) can therefore write nothing once another has taken over, and the
//     new leader's bump waits for the old leader's transactions in flight to end.

// ErrFenced is returned by the writes of a store whose leadership was taken over.
var ErrFenced = errors.New("postgres: fenced: another replica leads now (its epoch is newer)")

// leaderDDL creates the leadership row's table. It is coordination state, not call-center data,
// and is created by the first leader (under the lock), so it needs no schema version.
const leaderDDL = `CREATE TABLE IF NOT EXISTS tandem_leader (
	id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	epoch   BIGINT  NOT NULL,
	holder  TEXT    NOT NULL,
	address TEXT    NOT NULL DEFAULT '',
	since   BIGINT  NOT NULL
)`

// lockKey is the advisory lock's key: one per schema, so databases that share a server (tests)
// do not share a leader.
const lockKey = `hashtextextended(current_schema() || '.tandem_leader', 0)`

// Leader describes who leads.
type Leader struct {
	Epoch   int64
	Holder  string // the replica's name
	Address string // where it serves, for replicas that forward to it
	Since   time.Time
}

// Leadership is a held leadership: its fencing token and the session that holds the lock.
type Leadership struct {
	Epoch int64

	conn   *pgx.Conn
	lost   chan struct{}
	once   sync.Once
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// CampaignConfig tunes Campaign; zero fields take the defaults.
type CampaignConfig struct {
	Holder  string        // this replica's name (logged, stored)
	Address string        // where this replica serves
	Poll    time.Duration // how often a follower tries the lock; default 250 ms
	Check   time.Duration // how often the leader checks its lock session; default 1 s
}

// Campaign blocks until this replica leads the database at dsn (or ctx ends), then returns its
// leadership. The lock session keeps TCP keepalives short, so the server notices a vanished
// leader within seconds.
func Campaign(ctx context.Context, dsn string, cfg CampaignConfig) (*Leadership, error) {
	return campaign(ctx, dsn, cfg, false)
}

// TryLead is Campaign's first attempt only: the leadership if no other replica holds it,
// nil if one does.
func TryLead(ctx context.Context, dsn string, cfg CampaignConfig) (*Leadership, error) {
	return campaign(ctx, dsn, cfg, true)
}

func campaign(ctx context.Context, dsn string, cfg CampaignConfig, once bool) (*Leadership, error) {
	if cfg.Poll <= 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	if cfg.Check <= 0 {
		cfg.Check = time.Second
	}
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: campaign: %w", err)
	}
	for k, v := range map[string]string{"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2",
		"tcp_keepalives_count": "3", "application_name": "tandem-leader " + cfg.Holder} {
		pc.RuntimeParams[k] = v
	}
	var conn *pgx.Conn
	for {
		if conn == nil {
			if conn, err = pgx.ConnectConfig(ctx, pc); err != nil {
				conn = nil
				if ctx.Err() != nil || once {
					return nil, fmt.Errorf("postgres: campaign: %w", err)
				}
			}
		}
		if conn != nil {
			var got bool
			if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+lockKey+`)`).Scan(&got); err != nil {
				conn.Close(context.Background())
				conn = nil
				if once {
					return nil, fmt.Errorf("postgres: campaign: %w", err)
				}
			} else if got {
				epoch, err := takeOver(ctx, conn, cfg)
				if err != nil {
					conn.Close(context.Background())
					return nil, err
				}
				l := &Leadership{Epoch: epoch, conn: conn, lost: make(chan struct{}), done: make(chan struct{})}
				var watch context.Context
				watch, l.cancel = context.WithCancel(context.Background())
				go l.watch(watch, cfg.Check)
				return l, nil
			}
		}
		if once {
			conn.Close(context.Background())
			return nil, nil
		}
		select {
		case <-ctx.Done():
			if conn != nil {
				conn.Close(context.Background())
			}
			return nil, ctx.Err()
		case <-time.After(cfg.Poll):
		}
	}
}

// takeOver bumps the epoch: the new fencing token. It waits for the old leader's writes in
// flight (they hold the row FOR SHARE).
func takeOver(ctx context.Context, conn *pgx.Conn, cfg CampaignConfig) (int64, error) {
	if _, err := conn.Exec(ctx, leaderDDL); err != nil {
		return 0, fmt.Errorf("postgres: leader table: %w", err)
	}
	var epoch int64
	err := conn.QueryRow(ctx, `INSERT INTO tandem_leader (id, epoch, holder, address, since) VALUES (1, 1, $1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET epoch = tandem_leader.epoch + 1, holder = excluded.holder,
			address = excluded.address, since = excluded.since
		RETURNING epoch`, cfg.Holder, cfg.Address, time.Now().UnixMilli()).Scan(&epoch)
	if err != nil {
		return 0, fmt.Errorf("postgres: take over: %w", err)
	}
	// Followers listening (FollowLeader) learn the new address at once.
	if _, err := conn.Exec(ctx, `SELECT pg_notify('tandem_leader', current_schema())`); err != nil {
		return 0, fmt.Errorf("postgres: announce the leader: %w", err)
	}
	return epoch, nil
}

// watch checks the lock session until it fails or the leadership is resigned.
func (l *Leadership) watch(ctx context.Context, every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			cctx, cancel := context.WithTimeout(ctx, every+2*time.Second)
			err := l.conn.Ping(cctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				l.lose(fmt.Errorf("postgres: the lock session failed: %w", err))
				return
			}
		}
	}
}

func (l *Leadership) lose(err error) {
	l.once.Do(func() {
		l.err = err
		close(l.lost)
	})
}

// Lost is closed when the leadership may have passed to another replica: the lock session
// failed. The leader must stop deciding; its fenced writes fail from the takeover on anyway.
func (l *Leadership) Lost() <-chan struct{} { return l.lost }

// Err says why the leadership was lost; nil while it is held and after Resign.
func (l *Leadership) Err() error {
	select {
	case <-l.lost:
		return l.err
	default:
		return nil
	}
}

// Resign gives the leadership up: the lock session ends, and another replica takes over.
func (l *Leadership) Resign() {
	l.cancel()
	<-l.done
	l.lose(nil)
	l.conn.Close(context.Background())
}

// CurrentLeader returns who leads (or led last) the database, and false when none ever did.
func (db *DB) CurrentLeader(ctx context.Context) (Leader, bool, error) {
	var l Leader
	var since int64
	err := db.pool.QueryRowContext(ctx, `SELECT epoch, holder, address, since FROM tandem_leader WHERE id = 1`).
		Scan(&l.Epoch, &l.Holder, &l.Address, &since)
	if err != nil {
		if isUndefinedTable(err) || errors.Is(err, errNoRows) {
			return Leader{}, false, nil
		}
		return Leader{}, false, fmt.Errorf("postgres: leader: %w", err)
	}
	l.Since = time.UnixMilli(since).UTC()
	return l, true, nil
}

// Fenced returns the store as the leader with the given epoch writes to it: every write
// transaction first checks, holding the leadership row FOR SHARE, that the epoch is still
// this one, and fails with ErrFenced when another replica has taken over.
func (db *DB) Fenced(epoch int64) *DB {
	return newDB(db.pool, epoch)
}

// checkFence is the first statement of a fenced write.
func checkFence(ctx context.Context, tx txn, epoch int64) error {
	var now int64
	if err := tx.QueryRowContext(ctx, `SELECT epoch FROM tandem_leader WHERE id = 1 FOR SHARE`).Scan(&now); err != nil {
		return fmt.Errorf("postgres: check the fence: %w", err)
	}
	if now != epoch {
		return fmt.Errorf("%w (mine %d, the database's %d)", ErrFenced, epoch, now)
	}
	return nil
}

// SessionPID is the server process of the lock session (pg_stat_activity.pid).
func (l *Leadership) SessionPID() uint32 { return l.conn.PgConn().PID() }

// FollowLeader calls changed with the current leader at once and again whenever another
// takes over, until ctx ends; it returns when it has stopped. It LISTENs on the channel a new
// leader NOTIFYs when it takes over (tandem_leader, with its schema as the payload), and reads
// the leadership row every few seconds too, in case a notification was lost while the
// listening session reconnected.
func (db *DB) FollowLeader(ctx context.Context, dsn string, changed func(Leader)) {
	kick := make(chan struct{}, 1)
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		listen(ctx, dsn, kick)
	}()
	defer func() { <-listening }()
	t := time.NewTicker(followEvery)
	defer t.Stop()
	var last Leader
	for {
		if l, ok, err := db.CurrentLeader(ctx); err == nil && ok && (l.Epoch != last.Epoch || l.Address != last.Address) {
			last = l
			changed(l)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
	}
}

// followEvery is how often FollowLeader reads the leadership row without a notification.
var followEvery = 3 * time.Second

// listen kicks on every takeover in this schema, reconnecting while ctx lasts.
func listen(ctx context.Context, dsn string, kick chan<- struct{}) {
	signal := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	for ctx.Err() == nil {
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			var schema string
			_, err = conn.Exec(ctx, `LISTEN tandem_leader`)
			if err == nil {
				err = conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema)
			}
			if err == nil {
				signal() // (re)connected: anything may have changed meanwhile
			}
			for err == nil {
				var n *pgconn.Notification
				// Payloads of other schemas are other databases' leaders on a shared server.
				if n, err = conn.WaitForNotification(ctx); err == nil && n.Payload == schema {
					signal()
				}
			}
			conn.Close(context.Background())
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond): // the database is away: try again
		}
	}
}
