package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, as the store uses

	"github.com/tandemcc/tandem/server/internal/postgres"
)

// PostgresResult is the PostgreSQL column of a run (`tandem bench --postgres URL`): the same
// server and load as the SQLite figures, with `tandem serve --db postgres://…` on a schema of
// its own, and the raw write transactions of that server as its baseline.
type PostgresResult struct {
	Server            string  `json:"server"`             // version, and the URL without its password
	SynchronousCommit string  `json:"synchronous_commit"` // the server's settings that bound its commits
	Fsync             string  `json:"fsync"`
	TxPerS            float64 `json:"tx_per_s"`
	LifecyclesPerS    float64 `json:"lifecycles_per_s"`
	BestLifecycles    float64 `json:"best_lifecycles_per_s"`
	ReqVsEcho         float64 `json:"lifecycle_requests_vs_echo"`
	HalfRate          float64 `json:"half_rate_per_s"`
	P50IntakeDial     float64 `json:"p50_intake_to_dial_ms"`
	P99IntakeDial     float64 `json:"p99_intake_to_dial_ms"`
	P99At500          float64 `json:"p99_intake_to_dial_ms_at_500"`

	Lifecycle *LifecycleResult `json:"lifecycle,omitempty"`
}

// pgServer is the PostgreSQL server of a run, and the schemas the run made in it (each store,
// each baseline gets one; all are dropped at the end).
type pgServer struct {
	url    string
	prefix string
	stop   func() // stops a throwaway server (auto)
}

// openPostgres connects to the server cfg.Postgres names, or with "auto" starts a throwaway
// one with scripts/pg-test-cluster.sh (as the tests do).
func openPostgres(ctx context.Context, cfg Config) (*pgServer, error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	s := &pgServer{url: cfg.Postgres, prefix: "tandem_bench_" + hex.EncodeToString(b[:]) + "_", stop: func() {}}
	if cfg.Postgres == "auto" {
		script, err := clusterScript()
		if err != nil {
			return nil, err
		}
		// A directory of its own under the system's temp dir: as root, the script gives it to
		// the user nobody, who could not reach it inside the bench's scratch directory.
		pgdir, err := os.MkdirTemp("", "tandem-bench-pg-")
		if err != nil {
			return nil, err
		}
		out, err := exec.CommandContext(ctx, script, "start", pgdir).Output()
		if err != nil {
			msg := err.Error()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				msg = strings.TrimSpace(string(ee.Stderr))
			}
			_ = exec.Command(script, "stop", pgdir).Run()
			return nil, fmt.Errorf("the throwaway PostgreSQL did not start: %s", msg)
		}
		s.url = strings.TrimSpace(string(out))
		s.stop = func() { _ = exec.Command(script, "stop", pgdir).Run() }
	}
	if !postgres.IsURL(s.url) {
		return nil, fmt.Errorf("--postgres %q: not a postgres:// URL (or auto)", cfg.Postgres)
	}
	return s, nil
}

// clusterScript finds scripts/pg-test-cluster.sh: in this source tree, or under the working
// directory.
func clusterScript() (string, error) {
	var tries []string
	if _, file, _, ok := runtime.Caller(0); ok {
		tries = append(tries, filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "pg-test-cluster.sh"))
	}
	tries = append(tries, filepath.Join("scripts", "pg-test-cluster.sh"))
	for _, p := range tries {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("--postgres auto: scripts/pg-test-cluster.sh not found (run from the source tree, or give a URL)")
}

// schema makes a new schema named after what and returns the server's URL with search_path
// set to it.
func (s *pgServer) schema(ctx context.Context, what string) (string, error) {
	db, err := sql.Open("pgx", s.url)
	if err != nil {
		return "", err
	}
	defer db.Close()
	name := s.prefix + strings.ReplaceAll(what, "-", "_")
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", fmt.Errorf("postgres: create schema: %w", err)
	}
	u, err := url.Parse(s.url)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// close drops the run's schemas and stops a throwaway server.
func (s *pgServer) close() error {
	defer s.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", s.url)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT schema_name FROM information_schema.schemata WHERE starts_with(schema_name, $1)`, s.prefix)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	var errs []error
	for _, n := range names {
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+n+" CASCADE"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// describe fills in the server's version and the settings that bound its commits.
func (s *pgServer) describe(ctx context.Context, r *PostgresResult) {
	r.Server = postgres.Redact(s.url)
	db, err := sql.Open("pgx", s.url)
	if err != nil {
		return
	}
	defer db.Close()
	var v string
	if db.QueryRowContext(ctx, `SHOW server_version`).Scan(&v) == nil {
		r.Server = "PostgreSQL " + v + " at " + r.Server
	}
	_ = db.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&r.SynchronousCommit)
	_ = db.QueryRowContext(ctx, `SHOW fsync`).Scan(&r.Fsync)
}

// seedPostgres seeds the center s in a new schema of the server and returns its URL.
func seedPostgres(ctx context.Context, pg *pgServer, name string, s seed) (string, seeded, error) {
	u, err := pg.schema(ctx, name)
	if err != nil {
		return "", seeded{}, err
	}
	db, err := postgres.Open(ctx, u)
	if err != nil {
		return "", seeded{}, err
	}
	defer db.Close()
	out, err := seedStore(ctx, db, s)
	return u, out, err
}

// runPostgresTx is the PostgreSQL baseline: one small row per write transaction on one
// connection for d, in a schema of its own; it returns the transactions per second.
func runPostgresTx(ctx context.Context, pg *pgServer, d time.Duration) (float64, error) {
	u, err := pg.schema(ctx, "raw")
	if err != nil {
		return 0, err
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE rows (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, body TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("postgres baseline: %w", err)
	}
	return txPerSecond(ctx, db, d, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO rows (at, body) VALUES ($1, $2)`, time.Now().UnixMilli(), "call_0123456789abcdef waiting support")
		return err
	})
}
