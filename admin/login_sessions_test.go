package admin

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/goiscsi/goiscsi/daemon/ipc"
)

// recordingDaemon runs a fake iscsid that answers every request with
// success and keeps the login requests it got.
func recordingDaemon(t *testing.T, name string) func() []*ipc.Request {
	t.Helper()
	ln, err := ipc.Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var logins []*ipc.Request
	srv := &ipc.Server{Handler: func(_ context.Context, req *ipc.Request) *ipc.Response {
		if req.Op == ipc.OpLogin {
			mu.Lock()
			logins = append(logins, req)
			mu.Unlock()
		}
		return &ipc.Response{}
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return func() []*ipc.Request {
		mu.Lock()
		defer mu.Unlock()
		return append([]*ipc.Request(nil), logins...)
	}
}

// TestLoginNrSessions: a login asks iscsid for node.session.nr_sessions
// sessions less those the portal has, each an added ("multiple")
// session when more than one is wanted, and prints a line pair for each.
func TestLoginNrSessions(t *testing.T) {
	const target = "iqn.2026-11.test:data" // one-session-two-luns has session1 to it
	const name = "[iface: default, target: " + target + ", portal: 10.0.2.100,3260]"
	tests := []struct {
		scenario   string
		nr         string
		wantLogins int
		wantMulti  bool
		wantStatus int
		wantStderr string
	}{
		{"no-transport", "1", 1, false, 0, ""},
		{"no-transport", "3", 3, true, 0, ""},
		{"one-session-two-luns", "3", 2, true, 0, ""},
		{"one-session-two-luns", "1", 0, false, 15,
			"iscsiadm: default: 1 session requested, but 1 already present.\niscsiadm: Could not log into all portals\n"},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%s/nr=%s", tc.scenario, tc.nr), func(t *testing.T) {
			sock := fmt.Sprintf("goiscsi-test/nr-sessions-%d-%d", os.Getpid(), i)
			logins := recordingDaemon(t, sock)
			env := Env{ConfigDir: t.TempDir(), LockDir: t.TempDir(), SysfsRoot: sysfsTree(t, tc.scenario), DaemonSocket: sock}
			for _, args := range [][]string{
				{"-m", "node", "-o", "new", "-T", target, "-p", "10.0.2.100"},
				{"-m", "node", "-o", "update", "-T", target, "-n", "node.session.nr_sessions", "-v", tc.nr},
			} {
				if _, errs, st := runEnv(t, env, args...); st != 0 {
					t.Fatalf("%v: exit %d: %s", args, st, errs)
				}
			}
			out, errs, st := runEnv(t, env, "-m", "node", "-T", target, "-l")
			var want string
			for range tc.wantLogins {
				want += "Logging in to " + name + "\n"
			}
			for range tc.wantLogins {
				want += "Login to " + name + " successful.\n"
			}
			if out != want || errs != tc.wantStderr || st != tc.wantStatus {
				t.Errorf("login: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", st, out, want, errs, tc.wantStderr)
			}
			got := logins()
			if len(got) != tc.wantLogins {
				t.Fatalf("iscsid got %d login requests, want %d", len(got), tc.wantLogins)
			}
			for _, r := range got {
				if r.NewSession != tc.wantMulti {
					t.Errorf("login request NewSession = %v, want %v", r.NewSession, tc.wantMulti)
				}
			}
		})
	}
}

// runEnv runs iscsiadm with args in env.
func runEnv(t *testing.T, env Env, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	st := Run(context.Background(), env, append([]string{"iscsiadm"}, args...), nil, &stdout, &stderr)
	return stdout.String(), stderr.String(), st
}
