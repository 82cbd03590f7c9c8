package admin

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
)

// DefaultDaemonSocket is the abstract unix socket iscsid listens on.
const DefaultDaemonSocket = "goiscsi/iscsid"

// daemonTimeout bounds the connection attempt to iscsid.
const daemonTimeout = 5 * time.Second

// dialDaemon connects to iscsid. A failure is reported as open-iscsi
// reports it, with the errno, and returns ISCSI_ERR_ISCSID_NOTCONN.
func (c *cmd) dialDaemon() (net.Conn, error) {
	d := net.Dialer{Timeout: daemonTimeout}
	conn, err := d.DialContext(c.ctx, "unix", "@"+c.env.DaemonSocket)
	if err != nil {
		var errno syscall.Errno
		if !errors.As(err, &errno) {
			errno = syscall.ECONNREFUSED
		}
		c.errorf("can not connect to iSCSI daemon (%d)!", int(errno))
		return nil, &iscsierr.Error{Code: iscsierr.ISCSIDNotConn, Err: err}
	}
	return conn, nil
}

// daemonRequest sends one request to iscsid. The request protocol
// arrives with iscsid itself; until then a daemon that answers the
// socket cannot be understood.
func (c *cmd) daemonRequest(what string) error {
	conn, err := c.dialDaemon()
	if err != nil {
		return err
	}
	conn.Close()
	return &iscsierr.Error{Code: iscsierr.ISCSIDCommErr, Op: what, Err: errors.New("unsupported iscsid protocol")}
}

// loginNodes is -m node -l: log in to every selected record.
func (c *cmd) loginNodes(o *options) error {
	refs, err := c.matchNodes(o)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return c.noRecords()
	}
	return c.loginRefs(refs)
}

func loginName(r records.NodeRef) string {
	return fmt.Sprintf("[iface: %s, target: %s, portal: %s]", r.Iface, r.Target, r.Portal.DirName())
}

func (c *cmd) loginRefs(refs []records.NodeRef) error {
	for _, r := range refs {
		c.printf("Logging in to %s\n", loginName(r))
	}
	var first error
	for _, r := range refs {
		err := c.daemonRequest("login")
		if err == nil {
			c.printf("Login to %s successful.\n", loginName(r))
			continue
		}
		code := iscsierr.CodeOf(err)
		c.errorf("Could not login to %s.", loginName(r))
		c.errorf("initiator reported error (%d - %s)", int(code), code)
		if first == nil {
			first = quiet(code)
		}
	}
	if first != nil {
		c.errorf("Could not log into all portals")
	}
	return first
}

// loginAll is -m node -L all|manual|automatic|onboot.
func (c *cmd) loginAll(which string) error {
	all, err := c.store.Nodes()
	if err != nil {
		return c.fail(iscsierr.IDBM, "Could not read node DB: %v.", err)
	}
	var refs []records.NodeRef
	for _, r := range all {
		rec, err := c.store.ReadNode(r)
		if err != nil {
			continue
		}
		startup := rec.Get("node.startup")
		if (which == "all" && startup != "onboot") || startup == which {
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 {
		return c.fail(iscsierr.NoObjsFound, "No records found")
	}
	return c.loginRefs(refs)
}

// logoutMatching handles -u, -U, -R and -s in node mode: they act on
// sessions, and without one there is nothing to do.
func (c *cmd) logoutMatching(o *options, which string) error {
	sessions, err := c.sysfs().Sessions()
	if err != nil || len(sessions) == 0 {
		return c.fail(iscsierr.NoObjsFound, "No matching sessions found")
	}
	return c.daemonRequest("logout")
}

// killDaemon is -k: ask iscsid to stop.
func (c *cmd) killDaemon(priority string) error {
	err := c.daemonRequest("stop")
	if err != nil {
		code := iscsierr.CodeOf(err)
		c.errorf("initiator reported error (%d - %s)", int(code), code)
		// open-iscsi exits 0 here too.
		c.errorf("Could not stop iscsid. Trying sending iscsid SIGTERM or SIGKILL signals manually")
	}
	return nil
}
