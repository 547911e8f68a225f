package sqlstore

import (
	"database/sql"
	"errors"
	"io/fs"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// Migrate applies the migrations in dir of fsys to the database at dsn, opened with the
// database/sql driver sqlDriver on a handle of its own (golang-migrate's Close closes the
// handle it was given). withInstance makes golang-migrate's driver, named name, of the handle.
// Nothing to apply is success.
func Migrate(sqlDriver, dsn, name string, withInstance func(*sql.DB) (database.Driver, error), fsys fs.FS, dir string) error {
	h, err := sql.Open(sqlDriver, dsn)
	if err != nil {
		return err
	}
	driver, err := withInstance(h)
	if err != nil {
		h.Close()
		return err
	}
	src, err := iofs.New(fsys, dir)
	if err != nil {
		driver.Close()
		h.Close()
		return err
	}
	m, err := migrate.NewWithInstance("iofs", src, name, driver)
	if err != nil {
		src.Close()
		driver.Close()
		h.Close()
		return err
	}
	upErr := m.Up()
	if errors.Is(upErr, migrate.ErrNoChange) {
		upErr = nil
	}
	srcErr, dbErr := m.Close()
	return errors.Join(upErr, srcErr, dbErr)
}
