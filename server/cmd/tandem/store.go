package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tandemcc/tandem/server/internal/postgres"
	"github.com/tandemcc/tandem/server/internal/rpc"
	"github.com/tandemcc/tandem/server/internal/sqlite"
	"github.com/tandemcc/tandem/server/internal/switchboard"
)

// store is what the server needs of its database: SQLite (a file) or PostgreSQL (a URL).
type store interface {
	switchboard.Store
	rpc.Store
	rpc.SecurityStore
	io.Closer
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// openStore opens the database --db names: a postgres:// or postgresql:// URL is PostgreSQL,
// anything else a SQLite file, opened at the synchronous level sync ("normal" or "full").
func openStore(ctx context.Context, db, sync string) (store, error) {
	if postgres.IsURL(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.OpenSync(ctx, db, strings.ToUpper(cmp.Or(sync, "normal")))
}

// dbName is db for messages and logs: a URL without its password.
func dbName(db string) string {
	if postgres.IsURL(db) {
		return postgres.Redact(db)
	}
	return db
}

// lostLeadership ends a replica whose leadership passed to another: its store's writes fail
// (fenced) from the takeover on, so it exits and its supervisor starts it again, as a standby.
var lostLeadership = func(error) { os.Exit(3) }

// lead makes this process the leader of a PostgreSQL store before it decides or serves
// anything: it waits (a hot standby) while another replica leads, then takes over with a new
// epoch, and every write of its store is fenced by that epoch. SQLite needs none of it.
func (m *Main) lead(ctx context.Context) error {
	pg, ok := m.db.(*postgres.DB)
	if !ok {
		return nil
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s/%d", host, os.Getpid())
	if cur, ok, err := pg.CurrentLeader(ctx); err == nil && ok {
		m.Logger.Info("waiting to lead", "holder", holder, "leader", cur.Holder, "epoch", cur.Epoch)
	}
	t0 := time.Now()
	l, err := postgres.Campaign(ctx, m.DBPath, postgres.CampaignConfig{Holder: holder, Address: m.Addr})
	if err != nil {
		return fmt.Errorf("lead %s: %w", dbName(m.DBPath), err)
	}
	m.leader = l
	m.db = pg.Fenced(l.Epoch)
	m.Logger.Info("leading", "holder", holder, "epoch", l.Epoch, "waited", time.Since(t0).Round(time.Millisecond).String())
	go func() {
		<-l.Lost()
		if err := l.Err(); err != nil { // nil: resigned at Close
			m.Logger.Error("lost the leadership: exiting", "epoch", l.Epoch, "err", err)
			lostLeadership(err)
		}
	}()
	return nil
}

// resign gives the leadership up, so a standby takes over at once.
func (m *Main) resign() {
	if m.leader != nil {
		m.leader.Resign()
	}
}
