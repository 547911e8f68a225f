package postgres_test

import (
	"database/sql"
	"errors"
	"io/fs"
	"path"
	"slices"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/tandemcc/tandem/migrations"
	"github.com/tandemcc/tandem/server/internal/pgtest"
)

// PostgreSQL's migrations are SQLite's, version for version: golang-migrate's version number
// means the same schema in both.
func TestMigrationsMatchSQLite(t *testing.T) {
	lite, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := fs.Glob(migrations.PostgresFS, "postgres/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for i := range pg {
		pg[i] = path.Base(pg[i])
	}
	if !slices.Equal(lite, pg) {
		t.Fatalf("migrations differ:\n sqlite   %v\n postgres %v", lite, pg)
	}
}

// The schema goes all the way up, all the way down and up again.
func TestMigrationsUpDownUp(t *testing.T) {
	dsn := pgtest.Schema(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	driver, err := migratepgx.WithInstance(db, &migratepgx.Config{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := iofs.New(migrations.PostgresFS, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", driver)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, s := range []struct {
		name string
		run  func() error
	}{{"up", m.Up}, {"up again", m.Up}, {"down", m.Down}, {"up after down", m.Up}} {
		if err := s.run(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	v, dirty, err := m.Version()
	if err != nil || dirty || v < 3 {
		t.Fatalf("version %d, dirty %v, %v", v, dirty, err)
	}
}
