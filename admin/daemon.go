package admin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/goiscsi/goiscsi/daemon/ipc"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
)

// DefaultDaemonSocket is the abstract unix socket iscsid listens on.
const DefaultDaemonSocket = ipc.DefaultName

// daemonTimeout bounds a request that is not a login or logout (those
// are bounded by the record's timeouts, on iscsid's side).
const daemonTimeout = 30 * time.Second

// call sends one request to iscsid. A failure to reach it is reported
// as open-iscsi reports it, with the errno, as ISCSI_ERR_ISCSID_NOTCONN;
// an answer with an error code becomes an *iscsierr.Error.
func (c *cmd) call(req *ipc.Request) (*ipc.Response, error) {
	ctx := c.ctx
	if req.Op != ipc.OpLogin && req.Op != ipc.OpLogout && req.Op != ipc.OpStop {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, daemonTimeout)
		defer cancel()
	}
	rep, err := c.callQuiet(ctx, req)
	c.reportCall(err)
	return rep, err
}

// callQuiet is call without the message for a daemon it cannot reach.
func (c *cmd) callQuiet(ctx context.Context, req *ipc.Request) (*ipc.Response, error) {
	rep, err := ipc.Call(ctx, c.env.DaemonSocket, req)
	if err != nil {
		var errno syscall.Errno
		var ve *ipc.VersionError
		switch {
		case errors.As(err, &ve):
			return nil, &iscsierr.Error{Code: iscsierr.ISCSIDCommErr, Err: err}
		case errors.As(err, &errno):
			return nil, &iscsierr.Error{Code: iscsierr.ISCSIDNotConn, Err: err}
		}
		return nil, &iscsierr.Error{Code: iscsierr.ISCSIDCommErr, Err: err}
	}
	return rep, rep.Err()
}

// reportCall prints what open-iscsi prints when iscsid cannot be
// reached or understood.
func (c *cmd) reportCall(err error) {
	var errno syscall.Errno
	var ve *ipc.VersionError
	switch {
	case err == nil || iscsierr.CodeOf(err) != iscsierr.ISCSIDNotConn && iscsierr.CodeOf(err) != iscsierr.ISCSIDCommErr:
	case errors.As(err, &ve):
		c.errorf("%v", ve)
	case errors.As(err, &errno):
		c.errorf("can not connect to iSCSI daemon (%d)!", int(errno))
	}
}

// daemonRequest sends a request that carries nothing but a session id.
func (c *cmd) daemonRequest(op ipc.Op, sid int) error {
	_, err := c.call(&ipc.Request{Op: op, SID: sid})
	return err
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
	jobs, skipped := c.loginJobs(refs)
	for _, j := range jobs {
		c.printf("Logging in to %s\n", loginName(j.ref))
	}
	errs := c.loginParallel(jobs)
	var first error
	for i, j := range jobs {
		if errs[i] == nil {
			c.printf("Login to %s successful.\n", loginName(j.ref))
			continue
		}
		code := iscsierr.CodeOf(errs[i])
		c.reportCall(errs[i])
		c.errorf("Could not login to %s.", loginName(j.ref))
		c.errorf("initiator reported error (%d - %s)", int(code), code)
		if first == nil {
			first = quiet(code)
		}
	}
	if first == nil && skipped {
		first = quiet(iscsierr.SessExists)
	}
	if first != nil {
		c.errorf("Could not log into all portals")
	}
	return first
}

// loginJob is one session a login asks iscsid for.
type loginJob struct {
	ref records.NodeRef
	rec *records.Record // nil when the record could not be read: err
	err error
	// multiple: the record wants node.session.nr_sessions > 1, so iscsid
	// adds this session even though the portal has one.
	multiple bool
}

// loginJobs turns records into the sessions they are missing: as
// open-iscsi does, a record gets node.session.nr_sessions sessions less
// those its target and portal have already. A record that has them all
// is skipped with open-iscsi 2.1.8's words ("default: 1 session
// requested, but 1 already present."); skipped reports whether one was,
// which makes the login end with ISCSI_ERR_SESS_EXISTS.
func (c *cmd) loginJobs(refs []records.NodeRef) (jobs []loginJob, skipped bool) {
	active := c.activeSessions()
	for _, r := range refs {
		rec, err := c.store.ReadNode(r)
		if err != nil {
			jobs = append(jobs, loginJob{ref: r, err: &iscsierr.Error{Code: iscsierr.IDBM, Err: err}})
			continue
		}
		want := max(rec.Int("node.session.nr_sessions"), 1)
		have := 0
		for _, s := range active {
			if s.Target == r.Target && s.Address == r.Portal.Addr && s.Port == r.Portal.Port {
				have++
			}
		}
		if have >= want {
			plural := "s"
			if want == 1 {
				plural = ""
			}
			c.errorf("%s: %d session%s requested, but %d already present.", r.Iface, want, plural, have)
			skipped = true
			continue
		}
		for range want - have {
			jobs = append(jobs, loginJob{ref: r, rec: rec, multiple: want > 1})
		}
	}
	return jobs, skipped
}

// loginWorkers bounds the logins in flight at once: an unreachable
// portal holds one worker for its login timeouts, never the others.
const loginWorkers = 16

// loginParallel asks iscsid for each job's session, loginWorkers at a
// time, and returns each one's error in order.
func (c *cmd) loginParallel(jobs []loginJob) []error {
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, loginWorkers)
	var wg sync.WaitGroup
	for i, j := range jobs {
		if j.rec == nil {
			errs[i] = j.err
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			req := &ipc.Request{Op: ipc.OpLogin, Record: string(j.rec.Marshal()), NewSession: j.multiple}
			_, errs[i] = c.callQuiet(c.ctx, req)
		}()
	}
	wg.Wait()
	return errs
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
