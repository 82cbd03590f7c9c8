package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goiscsi/goiscsi/daemon/ipc"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/records"
)

// handle answers one iscsiadm request.
func (d *iscsid) handle(ctx context.Context, req *ipc.Request) *ipc.Response {
	d.log.debugf(1, "request %s sid %d", req.Op, req.SID)
	switch req.Op {
	case ipc.OpPing:
		if d.cfg.boot {
			return &ipc.Response{Role: ipc.RoleBoot}
		}
		return &ipc.Response{Role: ipc.RoleDaemon}
	case ipc.OpLogin:
		return d.login(ctx, req)
	case ipc.OpLogout:
		return respond(0, d.mgr.Logout(ctx, uint32(req.SID)))
	case ipc.OpStats:
		return d.stats(ctx, req)
	case ipc.OpRescan:
		if _, err := d.mgr.Engine.Sys.SessionHost(req.SID); err != nil {
			return respond(0, iscsierr.Wrap(iscsierr.SessNotFound, "rescan", err))
		}
		h, _ := d.mgr.Engine.Sys.SessionHost(req.SID)
		return respond(0, d.mgr.Engine.Sys.ScanHost(h))
	case ipc.OpSessions:
		return d.sessions()
	case ipc.OpStop:
		d.log.infof("stop requested: shutting down")
		d.shutdown()
		return &ipc.Response{}
	}
	return ipc.Unsupported(req.Op)
}

// respond turns an error into a response with its ISCSI_ERR_* code.
func respond(sid int, err error) *ipc.Response {
	if err == nil {
		return &ipc.Response{SID: sid}
	}
	code, _ := ErrorCode(err)
	return &ipc.Response{Code: code, Message: err.Error(), SID: sid}
}

// login logs the request's node record in, retrying a failure another
// attempt could cure node.session.initial_login_retry_max times (each
// attempt bounded by the record's login_timeout), as open-iscsi does.
func (d *iscsid) login(ctx context.Context, req *ipc.Request) *ipc.Response {
	rec := records.New(records.NodeTable)
	if err := rec.Unmarshal([]byte(req.Record)); err != nil {
		return &ipc.Response{Code: iscsierr.Inval, Message: "bad node record: " + err.Error()}
	}
	t, err := TargetFromRecord(rec, d.initiator)
	if err != nil {
		return &ipc.Response{Code: iscsierr.Inval, Message: err.Error()}
	}
	retries := rec.Int("node.session.initial_login_retry_max")
	for attempt := 0; ; attempt++ {
		start := time.Now()
		s, err := d.mgr.Login(ctx, t, req.NewSession)
		if err == nil {
			return &ipc.Response{SID: int(s.Sid)}
		}
		code, retry := ErrorCode(err)
		d.log.infof("login to [target: %s, portal: %s,%d] failed: %v", t.Name, t.Addr, t.Port, err)
		if !retry || attempt >= retries || ctx.Err() != nil {
			return &ipc.Response{Code: code, Message: err.Error()}
		}
		if wait := time.Second - time.Since(start); wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
	}
}

// stats reads the kernel's counters of a session's connection.
func (d *iscsid) stats(ctx context.Context, req *ipc.Request) *ipc.Response {
	s, ok := d.mgr.Session(uint32(req.SID))
	if !ok {
		return respond(0, iscsierr.Wrap(iscsierr.SessNotFound, "stats", fmt.Errorf("session %d is not managed by iscsid", req.SID)))
	}
	b, err := d.mgr.Engine.Stats(ctx, s)
	if err != nil {
		return respond(req.SID, iscsierr.Wrap(iscsierr.Internal, "stats", err))
	}
	return &ipc.Response{SID: req.SID, Stats: b}
}

// sessions lists what the daemon knows of its sessions.
func (d *iscsid) sessions() *ipc.Response {
	var out []ipc.SessionInfo
	for _, in := range d.mgr.Sessions() {
		conn, stage := 3, 0 // LOGGED IN, NO CHANGE
		switch in.State {
		case StateReopen:
			conn, stage = 1, 2 // TRANSPORT WAIT, REOPEN
		case StateCleanup:
			conn, stage = 4, 1 // IN LOGOUT, CLEANUP
		}
		out = append(out, ipc.SessionInfo{SID: int(in.Sid), Target: in.Target.Name, Address: in.Target.Addr,
			Port: in.Target.Port, TPGT: in.Target.TPGT, State: in.State, Attempts: in.Attempts,
			ConnState: conn, SessionState: stage})
	}
	return &ipc.Response{Sessions: out}
}

// statsKernel is a kernel that reads connection statistics.
type statsKernel interface {
	GetStats(ctx context.Context, handle uint64, sid, cid uint32) ([]byte, error)
}

// Stats returns the kernel's struct iscsi_stats for s's connection.
func (e *Engine) Stats(ctx context.Context, s *Session) ([]byte, error) {
	k, ok := e.Kernel.(statsKernel)
	if !ok {
		return nil, errors.New("the kernel interface reads no statistics")
	}
	return k.GetStats(ctx, s.handle, s.Sid, s.Cid)
}
