package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tandemcc/tandem/server/internal/postgres"
	"github.com/tandemcc/tandem/server/internal/sqlite"
)

// runBackup is `tandem backup --db FILE --to FILE`: a consistent copy of a SQLite database,
// also while Tandem serves from it (docs/operations.md).
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tandem backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "tandem.db", "the SQLite database to back up (Tandem may be running on it)")
	to := fs.String("to", "", "the backup file to write; it must not exist")
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("--to: name the backup file to write")
	}
	if postgres.IsURL(*db) {
		return fmt.Errorf("--db %s: tandem backup copies a SQLite file; back PostgreSQL up with its own tools (pg_dump, or a standby)", dbName(*db))
	}
	sum, err := sqlite.Backup(ctx, *db, *to)
	if err != nil {
		return fileError(err, map[string]string{*db: "--db", *to: "--to"})
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %d bytes, schema version %d, %d calls, integrity ok\n", *db, *to, sum.Bytes, sum.Version, sum.Calls)
	return nil
}

// runRestore is `tandem restore --from FILE --db FILE [--force]`: a backup checked and put in
// place of a stopped Tandem's database.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tandem restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the backup file to restore (it is checked first and left as it is)")
	db := fs.String("db", "tandem.db", "the SQLite database file to restore to; stop Tandem first")
	force := fs.Bool("force", false, "replace the database that is at --db")
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("--from: name the backup file to restore")
	}
	if postgres.IsURL(*db) {
		return fmt.Errorf("--db %s: tandem restore writes a SQLite file; restore PostgreSQL with its own tools (pg_restore)", dbName(*db))
	}
	sum, err := sqlite.Restore(ctx, *from, *db, *force)
	if err != nil {
		return fileError(err, map[string]string{*from: "--from", *db: "--db"})
	}
	fmt.Fprintf(stdout, "restored %s to %s: %d bytes, schema version %d, %d calls, integrity ok\n", *from, *db, sum.Bytes, sum.Version, sum.Calls)
	return nil
}

// parseCommand parses a command's flags and wants no arguments after them.
func parseCommand(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return nil
}

// fileError says which flag named the file an error is about (flags: file → flag).
func fileError(err error, flags map[string]string) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if flag, ok := flags[pe.Path]; ok {
			return startError(flag, pe.Path, pe.Err)
		}
	}
	return oneLine{err}
}
