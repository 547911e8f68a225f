package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tandemcc/tandem/migrations"
)

// This file copies a database out (Backup) and back in (Restore), and checks a copy
// (Inspect). Their errors about one of the files given are *os.PathError with that file's path,
// so a command can say which of its flags is at fault.

// Summary is what Inspect found in a database file.
type Summary struct {
	Version uint  // the schema version (migrations applied)
	Calls   int64 // calls held
	Bytes   int64 // the file's size
}

// Backup copies the database at path, one consistent snapshot of it, into a new file to, with
// VACUUM INTO: that runs as a read transaction, so a server writing the database meanwhile
// (WAL mode) neither waits for it nor makes it wait, and what is still in the -wal file is in
// the copy. The copy is made under a temporary name beside to, checked (Inspect), synced to
// disk and only then given the name to, which must not exist.
func Backup(ctx context.Context, path, to string) (Summary, error) {
	if err := isSQLite(path); err != nil {
		return Summary{}, pathError("backup", path, err)
	}
	if _, err := os.Lstat(to); err == nil {
		return Summary{}, pathError("backup", to, errors.New("the file exists (a backup never overwrites one)"))
	} else if !errors.Is(err, os.ErrNotExist) {
		return Summary{}, pathError("backup", to, cause(err))
	}
	if err := checkDir(filepath.Dir(to)); err != nil {
		return Summary{}, pathError("backup", to, err)
	}
	if err := writableDir(filepath.Dir(to)); err != nil {
		return Summary{}, pathError("backup", to, err)
	}
	// mode=rw: the file is never created; Tandem's busy timeout rides out its checkpoints.
	src, err := sql.Open("sqlite", dsn(path, "mode=rw&_pragma=busy_timeout(5000)"))
	if err != nil {
		return Summary{}, pathError("backup", path, err)
	}
	defer src.Close()
	tmp := fmt.Sprintf("%s.partial-%d", to, os.Getpid())
	defer os.Remove(tmp)
	if _, err := src.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return Summary{}, pathError("backup", path, fmt.Errorf("VACUUM INTO: %w", err))
	}
	sum, err := Inspect(ctx, tmp)
	if err != nil {
		return Summary{}, pathError("backup", path, fmt.Errorf("the copy does not check: %w", err))
	}
	if err := syncFile(tmp); err != nil {
		return Summary{}, pathError("backup", to, err)
	}
	// A link does not replace a file that appeared at to meanwhile; a rename would.
	if err := os.Link(tmp, to); err != nil {
		if errors.Is(err, os.ErrExist) {
			return Summary{}, pathError("backup", to, errors.New("the file exists (a backup never overwrites one)"))
		}
		if err := os.Rename(tmp, to); err != nil { // a file system without hard links
			return Summary{}, pathError("backup", to, cause(err))
		}
	}
	return sum, syncDir(filepath.Dir(to))
}

// Restore puts a copy of the backup from in place as the database at path: from is checked
// first (Inspect), copied beside path, synced, and renamed over path in one step; the -wal and
// -shm files of the database it replaces are removed before (a -wal left beside the restored
// file would be applied to it). A database at path is replaced only when replace is set.
// A database some program (a running Tandem) has open is never replaced.
func Restore(ctx context.Context, from, path string, replace bool) (Summary, error) {
	sum, err := Inspect(ctx, from)
	if err != nil {
		return Summary{}, pathError("restore", from, err)
	}
	dir := filepath.Dir(path)
	if err := checkDir(dir); err != nil {
		return Summary{}, pathError("restore", path, err)
	}
	if err := writableDir(dir); err != nil {
		return Summary{}, pathError("restore", path, err)
	}
	if st, err := os.Lstat(path); err == nil {
		if !st.Mode().IsRegular() {
			return Summary{}, pathError("restore", path, errors.New("is not a regular file: not replaced"))
		}
		if st.Size() > 0 && isSQLite(path) != nil {
			return Summary{}, pathError("restore", path, errors.New("the file there is not a SQLite database: not replaced"))
		}
	}
	if err := inUse(path); err != nil {
		return Summary{}, pathError("restore", path, err)
	}
	if !replace {
		if _, err := os.Lstat(path); err == nil {
			return Summary{}, pathError("restore", path, errors.New("a database is there: stop Tandem, and pass --force to replace it"))
		}
		if _, err := os.Lstat(path + "-wal"); err == nil {
			return Summary{}, pathError("restore", path, fmt.Errorf("the write-ahead log %s-wal of a database there is: stop Tandem, and pass --force to replace it", path))
		}
	}
	tmp := fmt.Sprintf("%s.restore-%d", path, os.Getpid())
	defer os.Remove(tmp)
	if err := copyFile(from, tmp); err != nil {
		return Summary{}, pathError("restore", path, err)
	}
	for _, p := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return Summary{}, pathError("restore", path, cause(err))
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return Summary{}, pathError("restore", path, cause(err))
	}
	return sum, syncDir(filepath.Dir(path))
}

// inUse says when a program has the SQLite database at path open. Every connection to a
// database in WAL mode holds a shared lock on its file while open (the last one to close
// checkpoints the log), so the exclusive lock an exclusive-mode transaction takes at once
// (no busy timeout) is refused exactly then, from this process or another.
func inUse(path string) error {
	if isSQLite(path) != nil {
		return nil // nothing there, or not a database
	}
	h, err := sql.Open("sqlite", dsn(path, "mode=rw&_pragma=locking_mode(EXCLUSIVE)&_pragma=busy_timeout(0)"))
	if err != nil {
		return err
	}
	defer h.Close()
	if _, err := h.Exec("BEGIN EXCLUSIVE; ROLLBACK"); err != nil {
		return fmt.Errorf("the database is open in another program (a running Tandem?): stop it first (%w)", err)
	}
	return nil
}

// Inspect checks that the file at path is a sound Tandem database this binary can run on:
// SQLite's integrity check passes, and its schema is one this binary knows (no newer version,
// no migration left halfway). It opens the file read-only.
func Inspect(ctx context.Context, path string) (Summary, error) {
	if err := isSQLite(path); err != nil {
		return Summary{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return Summary{}, cause(err)
	}
	db, err := sql.Open("sqlite", dsn(path, "mode=ro&_pragma=busy_timeout(5000)"))
	if err != nil {
		return Summary{}, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return Summary{}, fmt.Errorf("the integrity check fails: %w", err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return Summary{}, fmt.Errorf("the integrity check fails: %w", err)
		}
		if line != "ok" && len(problems) < 3 {
			problems = append(problems, line)
		}
	}
	if err := rows.Close(); err != nil {
		return Summary{}, fmt.Errorf("the integrity check fails: %w", err)
	}
	if len(problems) > 0 {
		return Summary{}, fmt.Errorf("the integrity check fails: %s", strings.Join(problems, "; "))
	}
	var version int64
	var dirty bool
	if err := db.QueryRowContext(ctx, "SELECT version, dirty FROM schema_migrations").Scan(&version, &dirty); err != nil {
		return Summary{}, fmt.Errorf("not a Tandem database (no schema version: %w)", err)
	}
	known := knownVersion()
	switch {
	case dirty:
		return Summary{}, fmt.Errorf("a migration to schema version %d stopped halfway in it (dirty)", version)
	case version < 1 || uint(version) > known:
		return Summary{}, fmt.Errorf("its schema version %d is not one this tandem knows (1 to %d): use the tandem that made it", version, known)
	}
	sum := Summary{Version: uint(version), Bytes: st.Size()}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM calls").Scan(&sum.Calls); err != nil {
		return Summary{}, fmt.Errorf("count the calls: %w", err)
	}
	return sum, nil
}

// knownVersion is the newest schema version among the embedded migrations.
func knownVersion() uint {
	var newest uint
	names, _ := fs.Glob(migrations.FS, "*.up.sql")
	for _, n := range names {
		if v, err := strconv.ParseUint(strings.SplitN(n, "_", 2)[0], 10, 32); err == nil && uint(v) > newest {
			newest = uint(v)
		}
	}
	return newest
}

// dsn is the driver's name for the file at path, with query.
func dsn(path, query string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + query
}

func pathError(op, path string, err error) error { return &os.PathError{Op: op, Path: path, Err: err} }

// copyFile copies from into a new file to, synced to disk.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return cause(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return cause(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return cause(err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return cause(err)
	}
	return out.Close()
}

// syncFile syncs the file at path to disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return cause(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return cause(err)
	}
	return f.Close()
}

// syncDir makes a name created or renamed in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return cause(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return cause(err)
	}
	return nil
}
