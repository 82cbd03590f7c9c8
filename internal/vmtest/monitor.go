package vmtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// monitorPrompt ends each answer of QEMU's human monitor.
const monitorPrompt = "(qemu) "

// monitorSocket is where the next guest's monitor listens (a short path:
// Unix socket paths hold at most 107 bytes), removed when the test
// ends; Monitor uses it from now on.
func (vm *VM) monitorSocket(t testing.TB) string {
	t.Helper()
	dir := vm.dir
	if len(dir) > 80 {
		d, err := os.MkdirTemp("", "goiscsi-vm-mon-")
		if err != nil {
			t.Fatalf("vmtest: %v", err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		dir = d
	}
	sock := filepath.Join(dir, "monitor.sock")
	_ = os.Remove(sock)
	vm.setMonitor(sock)
	return sock
}

func (vm *VM) setMonitor(sock string) {
	vm.monMu.Lock()
	defer vm.monMu.Unlock()
	vm.monSock = sock
}

// Monitor sends cmd, one command of QEMU's human monitor (such as
// "set_link "+NICName+" off" or "info network"), to the guest running
// now, which Boot started with Config.Monitor, and returns its answer,
// without the echo of the command and the prompt. An answer starting
// with "Error:" or "unknown command" is an error. It is meant for OnMark
// functions; it may be called from any goroutine, and commands from
// several are sent one at a time.
func (vm *VM) Monitor(cmd string) (string, error) {
	if strings.ContainsAny(cmd, "\r\n") {
		return "", fmt.Errorf("vmtest: monitor command %q is not one line", cmd)
	}
	vm.monMu.Lock()
	defer vm.monMu.Unlock()
	if vm.monSock == "" {
		return "", errors.New("vmtest: monitor: no guest booted with Config.Monitor is running")
	}
	deadline := time.Now().Add(10 * time.Second)
	var c net.Conn
	for {
		var err error
		if c, err = net.DialTimeout("unix", vm.monSock, time.Second); err == nil {
			break
		}
		if time.Now().After(deadline) { // QEMU makes the socket as it starts
			return "", fmt.Errorf("vmtest: monitor: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer c.Close()
	_ = c.SetDeadline(deadline)
	if _, err := readPrompt(c); err != nil {
		return "", fmt.Errorf("vmtest: monitor: reading its banner: %w", err)
	}
	if _, err := c.Write([]byte(cmd + "\n")); err != nil {
		return "", fmt.Errorf("vmtest: monitor: %w", err)
	}
	out, err := readPrompt(c)
	if err != nil {
		return "", fmt.Errorf("vmtest: monitor: %s: %w", cmd, err)
	}
	out = monitorAnswer(out)
	if strings.HasPrefix(out, "Error:") || strings.HasPrefix(out, "unknown command") {
		return out, fmt.Errorf("vmtest: monitor: %s: %s", cmd, strings.TrimSpace(out))
	}
	return out, nil
}

// readPrompt reads up to and including the monitor's next prompt.
func readPrompt(c net.Conn) (string, error) {
	var b []byte
	buf := make([]byte, 4096)
	for !bytes.HasSuffix(b, []byte(monitorPrompt)) {
		n, err := c.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			return string(b), err
		}
	}
	return string(b), nil
}

// monitorAnswer is the answer in what the monitor sent after a command:
// its line editor's echo of the command (with terminal escapes) up to
// the first CR LF, then the answer, then the prompt.
func monitorAnswer(s string) string {
	s = strings.TrimSuffix(s, monitorPrompt)
	if _, rest, ok := strings.Cut(s, "\r\n"); ok {
		s = rest
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}
