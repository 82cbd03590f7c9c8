package daemon

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/records"
)

// TestIntegrationLoginLogout logs in to a real target through the
// running kernel, waits for the LUN's block device, logs out, and checks
// that the session and the device are gone. It needs root, iSCSI in the
// kernel and a target named by GOISCSI_TEST_TARGET at
// GOISCSI_TEST_PORTAL (ip:port); the VM tier runs it in its guests.
func TestIntegrationLoginLogout(t *testing.T) {
	target, portal := os.Getenv("GOISCSI_TEST_TARGET"), os.Getenv("GOISCSI_TEST_PORTAL")
	if os.Geteuid() != 0 || target == "" || portal == "" {
		t.Skip("privileged tier: needs root, GOISCSI_TEST_TARGET and GOISCSI_TEST_PORTAL (the VM tier sets them)")
	}
	p, err := records.ParsePortal(portal)
	if err != nil {
		t.Fatal(err)
	}
	rec := records.New(records.NodeTable)
	for k, v := range map[string]string{"node.name": target, "node.conn[0].address": p.Addr,
		"node.conn[0].port": strconv.Itoa(p.Port), "node.tpgt": "1"} {
		if err := rec.SetFixed(k, v); err != nil {
			t.Fatal(err)
		}
	}
	tg, err := TargetFromRecord(rec, "iqn.2026-11.test:guest")
	if err != nil {
		t.Fatal(err)
	}
	e, closeEngine, err := NewEngine()
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	defer closeEngine()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := e.Login(ctx, tg)
	if err != nil {
		t.Fatalf("Login(%s at %s) = %v", target, portal, err)
	}
	if err := e.Sys.ScanHost(int(s.HostNo)); err != nil {
		t.Fatalf("ScanHost(%d) = %v", s.HostNo, err)
	}
	luns, err := e.Sys.WaitBlockDevices(ctx, int(s.Sid), 50*time.Millisecond)
	if err != nil {
		t.Fatalf("WaitBlockDevices(session %d) = %v", s.Sid, err)
	}
	var devs []string
	for _, l := range luns {
		if l.Block != "" {
			devs = append(devs, l.Block)
		}
	}
	if len(devs) == 0 {
		t.Fatalf("session %d has no block device: %v", s.Sid, luns)
	}
	t.Logf("session %d (host %d) gave %v", s.Sid, s.HostNo, devs)
	s.Close()
	if err := e.Logout(ctx, s.Sid, s.Cid); err != nil {
		t.Fatalf("Logout(session %d) = %v", s.Sid, err)
	}
	sessionDir := filepath.Join(e.Sys.Dir, "class", "iscsi_session", "session"+strconv.Itoa(int(s.Sid)))
	for _, gone := range append([]string{sessionDir}, blockPaths(e.Sys.Dir, devs)...) {
		if _, err := os.Stat(gone); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still there after logout (stat: %v)", gone, err)
		}
	}
}

func blockPaths(sys string, devs []string) []string {
	var out []string
	for _, d := range devs {
		out = append(out, filepath.Join(sys, "class", "block", d))
	}
	return out
}
