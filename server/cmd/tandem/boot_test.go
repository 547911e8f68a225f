package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemcc/tandem/server/internal/sqlite"
)

// bootSecret is long enough for any rule on cloud secrets.
const bootSecret = "a-cloud-secret-of-more-than-thirty-two-characters"

// startFails runs `tandem args…` in-process, as main does, and wants it to fail with one line
// holding every one of want (the flag, the path, the cause); a panic fails the test too.
func startFails(t *testing.T, args []string, want ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	if err == nil {
		t.Fatalf("tandem %s started", strings.Join(args, " "))
	}
	line := "tandem: " + err.Error()
	if strings.ContainsAny(line, "\r\n") {
		t.Errorf("tandem %s: the error spans lines:\n%s", strings.Join(args, " "), line)
	}
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Errorf("tandem %s:\n%s\ndoes not say %q", strings.Join(args, " "), line, w)
		}
	}
}

func serveArgs(db string) []string {
	return []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--cloud-secret", bootSecret}
}

// newDatabase makes a Tandem database at path.
func newDatabase(t *testing.T, path string) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestStartFailuresSayWhy: every way --db can name no usable database ends the start with one
// line naming the flag, the path and the cause (it was a nil-pointer panic in the clean-up).
func TestStartFailuresSayWhy(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "t.db")
	notSQLite := filepath.Join(dir, "notes.db")
	if err := os.WriteFile(notSQLite, []byte("these are not the droids\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fileAsDir := filepath.Join(dir, "plain")
	if err := os.WriteFile(fileAsDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	walOnly := filepath.Join(dir, "removed.db")
	if err := os.WriteFile(walOnly+"-wal", []byte("a log whose database was removed"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"no directory", serveArgs(missing), []string{"--db " + missing + ": the directory " + filepath.Dir(missing) + " does not exist"}},
		{"not SQLite", serveArgs(notSQLite), []string{"--db " + notSQLite + ": the file is not a SQLite database"}},
		{"a directory", serveArgs(dir), []string{"--db " + dir + ": is a directory"}},
		{"under a file", serveArgs(filepath.Join(fileAsDir, "t.db")), []string{"--db " + filepath.Join(fileAsDir, "t.db") + ": " + fileAsDir + " is not a directory"}},
		{"log without its database", serveArgs(walOnly), []string{"--db " + walOnly + ": the file does not exist but its write-ahead log " + walOnly + "-wal does"}},
		{"demo", []string{"demo", "--addr", "127.0.0.1:0", "--db", missing}, []string{"--db " + missing + ": the directory " + filepath.Dir(missing) + " does not exist"}},
		{"simulate", []string{"simulate", "--calls", "10", "--db", missing}, []string{"--db " + missing + ": the directory " + filepath.Dir(missing) + " does not exist"}},
		{"bad address", []string{"serve", "--addr", "127.0.0.1:99999", "--db", filepath.Join(dir, "addr.db"), "--cloud-secret", bootSecret}, []string{"--addr 127.0.0.1:99999: ", "invalid port"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { startFails(t, c.args, c.want...) })
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("the missing directory was created")
	}
	if b, _ := os.ReadFile(notSQLite); string(b) != "these are not the droids\n" {
		t.Errorf("the file that is not SQLite was changed: %q", b)
	}
}

// TestStartFailsOnAnImmutableFile: root may write any file, but not one marked immutable.
func TestStartFailsOnAnImmutableFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	newDatabase(t, db)
	if out, err := exec.Command("chattr", "+i", db).CombinedOutput(); err != nil {
		t.Skipf("chattr +i is not possible here (%v: %s)", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", db).Run() })
	startFails(t, serveArgs(db), "--db "+db+": cannot be opened for writing: permission denied")
}

// TestStartFailsOnAReadOnlyMount: a database on a file system mounted read-only, and a new one
// in a directory there.
func TestStartFailsOnAReadOnlyMount(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s): the read-only case needs one", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	db := filepath.Join(dir, "t.db")
	newDatabase(t, db)
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v: %s", err, out)
	}
	startFails(t, serveArgs(db), "--db "+db+": cannot be opened for writing: the file system is read-only")
	fresh := filepath.Join(dir, "new.db")
	startFails(t, serveArgs(fresh), "--db "+fresh+": no file can be created in "+dir, "the file system is read-only")
}

// TestStartFailsOnAnUnreachablePostgres: a postgres:// URL nobody answers at.
func TestStartFailsOnAnUnreachablePostgres(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nobody listens there now
	url := fmt.Sprintf("postgres://tandem:hunter2@127.0.0.1:%d/tandem?sslmode=disable", port)
	redacted := fmt.Sprintf("postgres://tandem:xxxxx@127.0.0.1:%d/tandem?sslmode=disable", port)
	startFails(t, serveArgs(url), "--db "+redacted+": ", "connection refused")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), serveArgs(url), &stdout, &stderr)
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(stderr.String(), "hunter2") {
		t.Errorf("the password shows: %v %s", err, stderr.String())
	}
}
