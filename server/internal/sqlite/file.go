package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file is about the database as a file: why a path cannot hold one (said for a person,
// before SQLite's own terse codes), what else of a database lies beside a new one, and the
// file's identity while the store runs, so a file deleted or replaced under a running server
// is noticed instead of writing on into an unlinked inode that vanishes at the next start.

// header is how every SQLite database file begins.
var header = []byte("SQLite format 3\x00")

// checkPath says why path cannot hold a database, or nil: its directory must exist and take
// new files (SQLite puts the -wal and -shm files beside the database), and the file, when it
// exists, must be a writable SQLite database (or empty, which SQLite makes one). The errors
// name the cause; the caller names the path.
func checkPath(path string) (exists bool, err error) {
	dir := filepath.Dir(path)
	if err := checkDir(dir); err != nil {
		return false, err
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if _, err := os.Stat(path + "-wal"); err == nil {
			return false, fmt.Errorf("the file does not exist but its write-ahead log %s-wal does: the database was removed from under it "+
				"(restore it with tandem restore, or move %[1]s-wal and %[1]s-shm away to start with an empty database)", path)
		}
		return false, writableDir(dir)
	case err != nil:
		return false, cause(err)
	case st.IsDir():
		return true, errors.New("is a directory, not a database file")
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return true, fmt.Errorf("cannot be opened for writing: %w", cause(err))
	}
	defer f.Close()
	head := make([]byte, len(header))
	n, err := io.ReadFull(f, head)
	if n > 0 && (n < len(header) || !bytes.Equal(head, header)) {
		return true, errors.New("the file is not a SQLite database")
	}
	if err != nil && err != io.EOF {
		return true, cause(err)
	}
	return true, writableDir(dir)
}

// checkDir says why dir is not a directory there.
func checkDir(dir string) error {
	switch st, err := os.Stat(dir); {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("the directory %s does not exist", dir)
	case err != nil:
		return fmt.Errorf("the directory %s: %w", dir, cause(err))
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// writableDir says why no file can be created in dir (the database's -wal and -shm live
// there), by creating one: permissions, a read-only mount and an immutable directory all
// show, for root too.
func writableDir(dir string) error {
	f, err := os.CreateTemp(dir, ".tandem-check-*")
	if err != nil {
		return fmt.Errorf("no file can be created in %s (SQLite keeps the -wal and -shm files beside the database): %w", dir, cause(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// cause is err's system-level reason in words, without the operation and path os adds.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, syscall.ENOENT):
		return errors.New("the file does not exist")
	case errors.Is(err, syscall.EROFS):
		return errors.New("the file system is read-only")
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return fmt.Errorf("permission denied (%w)", err)
	case errors.Is(err, syscall.ENOSPC):
		return errors.New("no space left on the device")
	}
	return err
}

// others lists what lies beside path, where no database is yet, that belongs to another
// database: a -shm file left by a database at path, and SQLite database files in path's
// directory. When path is created anew beside them, the flags may name a deployment whose
// database is not where they say.
func others(path string) []string {
	var found []string
	if _, err := os.Stat(path + "-shm"); err == nil {
		found = append(found, path+"-shm")
	}
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return found
	}
	if len(entries) > maxLooked {
		entries = entries[:maxLooked] // a crowded directory (say /tmp) is not read through
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() || p == filepath.Clean(path) || isSQLite(p) != nil {
			continue
		}
		found = append(found, p)
	}
	return found
}

// maxLooked bounds the directory entries others looks at.
const maxLooked = 1000

// isSQLite is nil when the file at path begins as a SQLite database does.
func isSQLite(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return cause(err)
	}
	defer f.Close()
	head := make([]byte, len(header))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, header) {
		return errors.New("the file is not a SQLite database")
	}
	return nil
}

// identity is the database file as the store opened it.
type identity struct {
	path string
	file os.FileInfo

	mu   sync.Mutex
	gone error       // set once the file is found removed or replaced; never cleared
	tell func(error) // told once, when gone is set
}

// check is nil while path is still the file the store opened. Once it is not, it never is
// again: writes go on failing with the error (a file put back later is another file).
func (id *identity) check() error {
	id.mu.Lock()
	defer id.mu.Unlock()
	if id.gone != nil {
		return id.gone
	}
	st, err := os.Stat(id.path)
	if err == nil && os.SameFile(st, id.file) {
		return nil
	}
	what := "replaced by another file"
	if errors.Is(err, os.ErrNotExist) {
		what = "removed"
	} else if err != nil {
		what = "made unreadable (" + cause(err).Error() + ")"
	}
	id.gone = callcenter.Errorf(callcenter.CodeUnavailable,
		"the database file %s was %s while Tandem ran: nothing more is stored; restore the file and restart Tandem", id.path, what)
	if id.tell != nil {
		id.tell(id.gone)
	}
	return id.gone
}
