package migrations_test

import (
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	migratesqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/tandemcc/tandem/migrations"
)

// Every up migration has its down migration.
func TestPairs(t *testing.T) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no migrations embedded")
	}
	have := make(map[string]bool)
	for _, n := range names {
		have[n] = true
	}
	for _, n := range names {
		var other string
		switch {
		case strings.HasSuffix(n, ".up.sql"):
			other = strings.TrimSuffix(n, ".up.sql") + ".down.sql"
		case strings.HasSuffix(n, ".down.sql"):
			other = strings.TrimSuffix(n, ".down.sql") + ".up.sql"
		default:
			t.Errorf("%s is neither .up.sql nor .down.sql", n)
			continue
		}
		if !have[other] {
			t.Errorf("%s has no %s", n, other)
		}
	}
}

// The schema goes all the way up, all the way down and up again.
func TestUpDownUp(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	driver, err := migratesqlite.WithInstance(db, &migratesqlite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "sqlite", driver)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	steps := []struct {
		name string
		run  func() error
	}{
		{"up", m.Up},
		{"up again", m.Up},
		{"down", m.Down},
		{"up after down", m.Up},
	}
	for _, s := range steps {
		if err := s.run(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'calls'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("calls table: found %d, want 1", n)
	}
}
