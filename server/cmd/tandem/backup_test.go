package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlite"
)

// tandemOK runs `tandem args…` in-process and wants it to succeed.
func tandemOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("tandem %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// TestBackupUnderLoadAndRestore backs the database up while calls are being written through
// the real store, restores the backup to a new path, and finds there every call acknowledged
// before the backup started, in a file that passes the integrity check; restore refuses to
// replace a database without --force, and with it removes the -wal and -shm of the one it
// replaces, and never replaces one a program has open; a damaged or too new backup is refused.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "tandem.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	// The writer: one call per transaction, as fast as the store takes them; acked holds the
	// calls whose Apply returned.
	var (
		mu    sync.Mutex
		acked []callcenter.CallID
	)
	stop := make(chan struct{})
	var writing sync.WaitGroup
	writing.Go(func() {
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := callcenter.CallID(fmt.Sprintf("call-%06d", i))
			c := callcenter.Call{ID: id, Queue: "support", State: callcenter.CallWaiting, AccessURL: "http://cloud/" + string(id),
				CallerNumber: "+15557654321", DialedNumber: supportLine, ArrivedAt: start.Add(time.Duration(i) * time.Second)}
			if err := db.Apply(ctx, callcenter.Changes{Calls: []callcenter.Call{c}}); err != nil {
				t.Errorf("write %s: %v", id, err)
				return
			}
			mu.Lock()
			acked = append(acked, id)
			mu.Unlock()
		}
	})
	ackedNow := func() []callcenter.CallID {
		mu.Lock()
		defer mu.Unlock()
		return append([]callcenter.CallID(nil), acked...)
	}
	for len(ackedNow()) < 200 {
		time.Sleep(time.Millisecond)
	}
	before := ackedNow()
	backup := filepath.Join(dir, "backup.db")
	out := tandemOK(t, "backup", "--db", path, "--to", backup)
	during := len(ackedNow())
	close(stop)
	writing.Wait()
	if during == len(before) {
		t.Fatal("no call was written while the backup ran: not a backup under load")
	}
	if !strings.Contains(out, "integrity ok") {
		t.Errorf("backup said: %s", out)
	}
	if _, err := os.Stat(backup + "-wal"); err == nil {
		t.Error("the backup has a -wal beside it: it is not one standalone file")
	}

	restored := filepath.Join(t.TempDir(), "restored.db")
	tandemOK(t, "restore", "--from", backup, "--db", restored)
	sum, err := sqlite.Inspect(ctx, restored)
	if err != nil {
		t.Fatalf("the restored database: %v", err)
	}
	if sum.Calls < int64(len(before)) || sum.Calls > int64(len(ackedNow())) {
		t.Errorf("the restored database holds %d calls: %d were acknowledged before the backup, %d in all", sum.Calls, len(before), len(ackedNow()))
	}
	r, err := sqlite.Open(ctx, restored) // as tandem serve opens it: migrations, WAL
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range before {
		if c, _, err := r.Call(ctx, id); err != nil || c.ID != id || c.State != callcenter.CallWaiting {
			t.Fatalf("call %s acknowledged before the backup: %+v, %v", id, c, err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	// Restoring over a database needs --force; then the old one's -wal and -shm go too.
	if err := os.WriteFile(restored+"-wal", []byte("a stale log"), 0o600); err != nil {
		t.Fatal(err)
	}
	startFails(t, []string{"restore", "--from", backup, "--db", restored}, "--db "+restored+": ", "--force")
	tandemOK(t, "restore", "--from", backup, "--db", restored, "--force")
	for _, p := range []string{restored + "-wal", restored + "-shm"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is left beside the restored database", p)
		}
	}
	if again, err := sqlite.Inspect(ctx, restored); err != nil || again.Calls != sum.Calls {
		t.Errorf("after the forced restore: %+v, %v", again, err)
	}

	// A database a program has open (the store above, as a running Tandem) is never replaced.
	startFails(t, []string{"restore", "--from", backup, "--db", path, "--force"}, "--db "+path+": the database is open in another program")
	if c, _, err := db.Call(ctx, before[0]); err != nil || c.ID != before[0] {
		t.Errorf("the open database after the refused restore: %+v, %v", c, err)
	}

	// A backup that does not check is never put in place.
	damaged := filepath.Join(dir, "damaged.db")
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4096; i < len(b); i += 4096 { // every page's header but the first one's
		copy(b[i:], "garbage!garbage!")
	}
	if err := os.WriteFile(damaged, b, 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target.db")
	startFails(t, []string{"restore", "--from", damaged, "--db", target}, "--from "+damaged+": ")
	newer := filepath.Join(dir, "newer.db")
	tandemOK(t, "backup", "--db", backup, "--to", newer)
	h, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Exec("UPDATE schema_migrations SET version = 999"); err != nil {
		t.Fatal(err)
	}
	h.Close()
	startFails(t, []string{"restore", "--from", newer, "--db", target}, "--from "+newer+": its schema version 999 is not one this tandem knows")
	if _, err := os.Stat(target); err == nil {
		t.Error("a refused backup was put in place")
	}

	// Backups never overwrite, and name the flag at fault.
	startFails(t, []string{"backup", "--db", path, "--to", backup}, "--to "+backup+": the file exists")
	startFails(t, []string{"backup", "--db", filepath.Join(dir, "none.db"), "--to", filepath.Join(dir, "b2.db")}, "--db "+filepath.Join(dir, "none.db")+": ")
	startFails(t, []string{"backup", "--db", path, "--to", filepath.Join(dir, "no", "b.db")}, "--to "+filepath.Join(dir, "no", "b.db")+": the directory")
}
