package netlinkraw

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestIntegrationDial talks to the real kernel: it opens NETLINK_ISCSI
// and asks to destroy a session of a transport that does not exist,
// which scsi_transport_iscsi refuses with EINVAL in an IF_ERROR reply.
// It needs root and scsi_transport_iscsi, and skips without them.
func TestIntegrationDial(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("NETLINK_ISCSI needs root (CAP_SYS_ADMIN); not running as root")
	}
	c, err := Dial()
	if errors.Is(err, ErrNotSupported) {
		t.Skipf("the kernel has no NETLINK_ISCSI here: %v", err)
	}
	if err != nil {
		t.Fatalf("Dial() = %v", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = c.DestroySession(ctx, 0xdead0000, 0x7fffffff)
	var ie *IfError
	if !errors.As(err, &ie) || !errors.Is(err, unix.EINVAL) {
		t.Errorf("DestroySession(bogus transport) = %v, want an IfError EINVAL", err)
	}
}
