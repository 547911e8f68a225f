// Package pgtest gives tests a real PostgreSQL: the server named by TANDEM_TEST_POSTGRES (make
// test starts a throwaway one with scripts/pg-test-cluster.sh and sets it), or else one this
// test binary starts itself with that script when its TestMain calls Main. Each test gets a
// schema of its own in it, dropped when the test ends.
//
// Tests that need PostgreSQL skip, saying why, only when no server can be had.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Env names the variable holding the server's URL.
const Env = "TANDEM_TEST_POSTGRES"

var (
	mu      sync.Mutex
	server  string // the URL; "" when none
	why     string // why there is none
	ownDir  string // the cluster this binary started, stopped by Main
	started bool
)

// Main runs the tests of a package that uses PostgreSQL, starting a throwaway server first when
// TANDEM_TEST_POSTGRES is unset (and stopping it after). Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	mu.Lock()
	started = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if ownDir != "" {
		_ = exec.Command(script(), "stop", ownDir).Run()
	}
	return code
}

// script is scripts/pg-test-cluster.sh in this source tree.
func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "pg-test-cluster.sh")
}

// Server returns the URL of the PostgreSQL server for the tests, or skips t saying why there is
// none.
func Server(t testing.TB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if server == "" && why == "" {
		server, why = find()
	}
	if server == "" {
		t.Skipf("no PostgreSQL for this test: %s", why)
	}
	return server
}

func find() (string, string) {
	if u := os.Getenv(Env); u != "" {
		return u, ""
	}
	if e := os.Getenv(Env + "_ERROR"); e != "" {
		return "", e
	}
	if !started {
		return "", Env + " is unset (make test sets it; or call pgtest.Main from TestMain to start a server)"
	}
	dir, err := os.MkdirTemp("", "tandem-pg-")
	if err != nil {
		return "", err.Error()
	}
	out, err := exec.Command(script(), "start", dir).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		_ = exec.Command(script(), "stop", dir).Run()
		return "", "the throwaway PostgreSQL did not start: " + msg
	}
	ownDir = dir
	return strings.TrimSpace(string(out)), ""
}

// Schema makes a new, empty schema for t and returns the server's URL with search_path set to
// it: a database of its own, in effect, for every connection opened with that URL. The schema
// is dropped when t ends.
func Schema(t testing.TB) string {
	t.Helper()
	base := Server(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		admin.Close()
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
		admin.Close()
	})
	return WithSearchPath(base, name)
}

// WithSearchPath is the URL u with search_path set to schema.
func WithSearchPath(u, schema string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(fmt.Sprintf("pgtest: %v", err))
	}
	q := p.Query()
	q.Set("search_path", schema)
	p.RawQuery = q.Encode()
	return p.String()
}
