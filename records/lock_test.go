package records

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLockExcludes(t *testing.T) {
	s := &Store{Dir: t.TempDir(), LockDir: t.TempDir()}
	unlock, err := s.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// open-iscsi's tools see the same lock file.
	if _, err := os.Stat(filepath.Join(s.LockDir, "lock")); err != nil {
		t.Fatalf("lock file missing while held: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock while held = %v, want a deadline error", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := s.Lock(context.Background())
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(30 * time.Millisecond)
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Lock after release: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Lock did not get the released lock")
	}
	if _, err := os.Stat(filepath.Join(s.LockDir, "lock")); !os.IsNotExist(err) {
		t.Fatalf("lock file left behind: %v", err)
	}
}

func TestStoreLayout(t *testing.T) {
	s := &Store{Dir: t.TempDir(), LockDir: t.TempDir()}
	rec := New(NodeTable)
	for k, v := range map[string]string{
		"node.name": "iqn.2026-11.test:a", "node.tpgt": "1", "node.conn[0].address": "10.0.2.100",
		"node.conn[0].port": "3260", "iface.iscsi_ifacename": "default",
	} {
		if err := rec.SetFixed(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WriteNode(rec, true); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"nodes/iqn.2026-11.test:a/10.0.2.100,3260,1/default", "static/iqn.2026-11.test:a,10.0.2.100,3260,1,default"} {
		if _, err := os.Stat(filepath.Join(s.Dir, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	fi, err := os.Stat(filepath.Join(s.Dir, "nodes/iqn.2026-11.test:a/10.0.2.100,3260,1/default"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("record mode = %v, %v; want 0600 (it holds secrets)", fi.Mode(), err)
	}
	refs, err := s.Nodes()
	if err != nil || len(refs) != 1 {
		t.Fatalf("Nodes = %v, %v", refs, err)
	}
	if err := s.DeleteNode(refs[0]); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir, "nodes"))
	links, _ := os.ReadDir(filepath.Join(s.Dir, "static"))
	if len(entries) != 0 || len(links) != 0 {
		t.Errorf("delete left %v and %v", entries, links)
	}
}

// TestLockQueue: many holders in turn, none at the same time, none
// timing out, as when a hundred iscsiadm update one record at once.
func TestLockQueue(t *testing.T) {
	dir := t.TempDir()
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			s := &Store{Dir: dir, LockDir: dir}
			unlock, err := s.Lock(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			if n > most.Load() {
				most.Store(n)
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d holders at once", most.Load())
	}
}
