package daemon

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSyslogWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := &syslogWriter{path: path, tag: "iscsid"}
	if err := w.info("session 1 recovered"); err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	got := string(buf[:n])
	// "<30>Dec  1 03:04:05 iscsid[42]: session 1 recovered\n": daemon.info.
	if want := fmt.Sprintf(" iscsid[%d]: session 1 recovered\n", os.Getpid()); !strings.HasPrefix(got, "<30>") || !strings.HasSuffix(got, want) || len(got) != len("<30>")+len(time.Stamp)+len(want) {
		t.Errorf("syslog line %q", got)
	}
}
