package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestRoleSignals pins which roles take SIGINT and SIGTERM how.
func TestRoleSignals(t *testing.T) {
	want := map[string]signalPolicy{
		"iscsiadm":    signalsCancel,
		"iscsid":      signalsCancel,
		"iscsistart":  signalsNoInterrupt, // as open-iscsi's
		"iscsi-iname": signalsDefault,
		"init":        signalsCancel, // PID 1 must not take the default
	}
	for name, r := range roles() {
		if r.signals != want[name] {
			t.Errorf("role %s: signal policy %d, want %d", name, r.signals, want[name])
		}
	}
}

// signalChildEnv makes the test binary a process running one role of
// signalRoles.
const signalChildEnv = "GOISCSI_SIGNAL_CHILD"

func TestMain(m *testing.M) {
	if p := os.Getenv(signalChildEnv); p != "" {
		os.Exit(run([]string{p}, signalRoles()))
	}
	os.Exit(m.Run())
}

// signalRoles are roles with each policy that report "ready" and then
// exit 3 when their context is cancelled, or 4 after 20 s.
func signalRoles() map[string]role {
	wait := func(ctx context.Context, _ []string, _ io.Reader, stdout, _ io.Writer) int {
		io.WriteString(stdout, "ready\n")
		select {
		case <-ctx.Done():
			return 3
		case <-time.After(20 * time.Second):
			return 4
		}
	}
	return map[string]role{
		"default":     {wait, signalsDefault},
		"cancel":      {wait, signalsCancel},
		"nointerrupt": {wait, signalsNoInterrupt},
	}
}

func TestSignalPolicies(t *testing.T) {
	tests := []struct {
		policy string
		sig    syscall.Signal
		exit   int  // the exit status; -1: killed by sig
		lives  bool // sig is ignored: the role goes on
		pid1   bool // the role runs as PID 1 of a PID namespace, as init does
	}{
		{"default", syscall.SIGINT, -1, false, false},
		{"cancel", syscall.SIGINT, 3, false, false},
		{"cancel", syscall.SIGTERM, 3, false, false},
		{"cancel", syscall.SIGTERM, 3, false, true},
		{"nointerrupt", syscall.SIGINT, 0, true, false},
		{"nointerrupt", syscall.SIGTERM, -1, false, false},
	}
	for _, tt := range tests {
		name := tt.policy + "/" + tt.sig.String()
		if tt.pid1 {
			name += "/pid1"
		}
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), signalChildEnv+"="+tt.policy)
			if tt.pid1 {
				cmd.SysProcAttr = &syscall.SysProcAttr{
					Cloneflags:  syscall.CLONE_NEWPID | syscall.CLONE_NEWUSER,
					UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
					GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
				}
			}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				if tt.pid1 {
					t.Skipf("no PID namespace here: %v", err)
				}
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			if l, err := bufio.NewReader(out).ReadString('\n'); err != nil || l != "ready\n" {
				t.Fatalf("child said %q, %v", l, err)
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if tt.lives {
				select {
				case err := <-done:
					t.Fatalf("%s ended the %s role: %v", tt.sig, tt.policy, err)
				case <-time.After(500 * time.Millisecond):
				}
				cmd.Process.Kill()
				<-done
				return
			}
			var err2 error
			select {
			case err2 = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s did not end the %s role", tt.sig, tt.policy)
			}
			var ee *exec.ExitError
			if !errors.As(err2, &ee) {
				t.Fatalf("%s role after %s: %v, want an exit status or a signal", tt.policy, tt.sig, err2)
			}
			ws := ee.Sys().(syscall.WaitStatus)
			switch {
			case tt.exit == -1 && (!ws.Signaled() || ws.Signal() != tt.sig):
				t.Errorf("%s role after %s: %v, want killed by it", tt.policy, tt.sig, err2)
			case tt.exit >= 0 && ws.ExitStatus() != tt.exit:
				t.Errorf("%s role after %s: %v, want exit status %d", tt.policy, tt.sig, err2, tt.exit)
			}
		})
	}
}
