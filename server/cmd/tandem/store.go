package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/tandemcc/tandem/server/internal/alerting"
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
	alerting.Outbox
	io.Closer
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// pgConnectTimeout bounds how long a start waits for PostgreSQL to answer.
var pgConnectTimeout = 30 * time.Second

// openStore opens the database --db names: a postgres:// or postgresql:// URL is PostgreSQL,
// anything else a SQLite file, opened at the synchronous level sync ("normal" or "full").
// On failure the store is a nil interface, never an interface holding a nil pointer.
func openStore(ctx context.Context, db, sync string) (store, error) {
	if postgres.IsURL(db) {
		// A server behind a firewall that drops packets would hold the start for minutes.
		ctx, cancel := context.WithTimeout(ctx, pgConnectTimeout)
		defer cancel()
		pg, err := postgres.Open(ctx, db)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("no answer within %s: %w", pgConnectTimeout, err)
			}
			return nil, err
		}
		return pg, nil
	}
	s, err := sqlite.OpenSync(ctx, db, strings.ToUpper(cmp.Or(sync, "normal")))
	if err != nil {
		return nil, err
	}
	return s, nil
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

// campaign settles this replica's part. On SQLite it serves. On PostgreSQL it leads at once
// when no other replica does; otherwise it follows the leader (the gateway passes requests on
// to it) and campaigns in the background, taking over when the leader goes. It reports
// whether it leads on return.
func (m *Main) campaign(ctx context.Context) (leading bool, err error) {
	pg, ok := m.db.(*postgres.DB)
	if !ok {
		return true, m.serve(ctx)
	}
	host, _ := os.Hostname()
	cfg := postgres.CampaignConfig{Holder: fmt.Sprintf("%s/%d", host, os.Getpid()), Address: m.advertised()}
	l, err := postgres.TryLead(ctx, m.DBPath, cfg)
	if err != nil {
		return false, fmt.Errorf("lead %s: %w", dbName(m.DBPath), err)
	}
	if l != nil {
		return true, m.takeLead(ctx, pg, l, 0)
	}
	bg, stop := context.WithCancel(context.Background())
	m.stopReplica = stop
	m.replicaWork.Go(func() {
		pg.FollowLeader(bg, m.DBPath, func(l postgres.Leader) {
			if err := m.gateway.Follow(l.Address); err != nil {
				m.Logger.Error("cannot follow the leader", "leader", l.Holder, "epoch", l.Epoch, "err", err)
				return
			}
			m.Logger.Info("following", "leader", l.Holder, "address", l.Address, "epoch", l.Epoch)
		})
	})
	m.replicaWork.Go(func() {
		t0 := time.Now()
		l, err := postgres.Campaign(bg, m.DBPath, cfg)
		if err != nil {
			return // closing
		}
		if err := m.takeLead(bg, pg, l, time.Since(t0)); err != nil && bg.Err() == nil {
			m.Logger.Error("could not take over: exiting", "epoch", l.Epoch, "err", err)
			l.Resign() // another replica takes over
			lostLeadership(err)
		}
	})
	return false, nil
}

// takeLead makes this replica the one decision maker with leadership l: every write of its
// store is fenced by l's epoch, the live state is rebuilt from the database, and the gateway
// serves the API. Losing the lock ends the process (lostLeadership).
func (m *Main) takeLead(ctx context.Context, pg *postgres.DB, l *postgres.Leadership, waited time.Duration) error {
	m.leader = l
	m.db = pg.Fenced(l.Epoch)
	go func() {
		<-l.Lost()
		if err := l.Err(); err != nil { // nil: resigned at Close
			m.Logger.Error("lost the leadership: exiting", "epoch", l.Epoch, "err", err)
			lostLeadership(err)
		}
	}()
	t0 := time.Now()
	if err := m.serve(ctx); err != nil {
		return err
	}
	m.Logger.Info("leading", "epoch", l.Epoch, "address", m.advertised(), "waited", waited.Round(time.Millisecond).String(),
		"rebuilt in", time.Since(t0).Round(time.Millisecond).String())
	return nil
}

// advertised is where the other replicas reach this one: --advertise, or this host's name
// (or the address --addr names) with the listener's port.
func (m *Main) advertised() string {
	if m.Advertise != "" {
		return m.Advertise
	}
	scheme := "http"
	if m.TLSCert != "" {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(m.listener.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host, _ = os.Hostname()
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// peerTLSConfig is how a follower checks a leader that serves HTTPS: the system's roots plus
// the certificates of certFile (replicas usually share one certificate, or one CA).
func peerTLSConfig(certFile string) (*tls.Config, error) {
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	pem, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	roots.AppendCertsFromPEM(pem)
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, nil
}

// resign gives the leadership up, so a standby takes over at once.
func (m *Main) resign() {
	if m.leader != nil {
		m.leader.Resign()
	}
}

// fileStore is a store kept in one file (SQLite): it knows whether it created the file, and
// whether the file is still the one it opened.
type fileStore interface {
	Created() (created bool, beside []string)
	CheckFile() error
	WhenFileGone(fn func(error))
}

var _ fileStore = (*sqlite.DB)(nil)

// watchFile logs a database file created anew (loudly when another database's files lie beside
// it: the flags may name an existing deployment whose data is elsewhere), and has the file's
// removal or replacement while serving logged once, loudly; health checks ask m.healthy.
func (m *Main) watchFile() {
	f, ok := m.db.(fileStore)
	if !ok {
		return
	}
	m.file = f
	if created, beside := f.Created(); created {
		level := slog.LevelWarn
		if m.Demo {
			level = slog.LevelInfo // the demo's first start
		}
		m.Logger.Log(context.Background(), level, "the --db file did not exist: a new, empty database was created", "db", m.DBPath)
		if len(beside) > 0 {
			m.Logger.Error("a new, empty database was created beside another database's files: if --db should name an existing "+
				"deployment's database, stop Tandem and correct --db (or restore the database with tandem restore)", "db", m.DBPath, "beside", beside)
		}
	}
	f.WhenFileGone(func(err error) {
		m.Logger.Error("database file gone: health checks answer NOT_SERVING and every write is refused until Tandem is restarted "+
			"on a restored file", "db", m.DBPath, "err", err)
	})
}

// healthy is nil while the store can store: for SQLite, while its file is the one opened.
func (m *Main) healthy() error {
	if m.file == nil {
		return nil
	}
	return m.file.CheckFile()
}
