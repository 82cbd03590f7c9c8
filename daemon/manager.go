package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/netlinkraw"
)

// Manager is iscsid's table of sessions: it logs sessions in and out,
// adopts the ones an earlier process left, and recovers each session
// whose connection the kernel reports failed.
type Manager struct {
	Engine *Engine
	// Logf reports what open-iscsi's iscsid logs (operational, errors,
	// recovery); nil is silent.
	Logf func(format string, args ...any)
	// A reconnect starts a TCP connect every DialStagger (default
	// 200 ms) for up to DialWindow (default 3 s), keeping the first that
	// succeeds; RetryInterval is the longest wait from one reconnect
	// attempt to the next (default 500 ms; the first retries come
	// sooner, see retryDelay). Together they decide how soon a session
	// notices that its target or link is back.
	DialStagger, DialWindow, RetryInterval time.Duration

	mu       sync.Mutex
	sessions map[uint32]*managed
	isids    uint32 // last ISID qualifier handed out
	wg       sync.WaitGroup
	closed   bool
}

// managed is one session and its recovery.
type managed struct {
	s          *Session
	state      string // open-iscsi's internal session state
	attempts   int    // reconnect attempts of the current recovery
	recovering bool
	cancel     context.CancelFunc // ends the running recovery
	done       chan struct{}      // closed when the running recovery returns
}

// Internal session states as iscsiadm -m session -P 1 shows them.
const (
	StateNoChange = "NO CHANGE"
	StateReopen   = "REOPEN"
	StateCleanup  = "CLEANUP"
)

func (m *Manager) logf(format string, args ...any) {
	if m.Logf != nil {
		m.Logf(format, args...)
	}
}

func (m *Manager) table() map[uint32]*managed {
	if m.sessions == nil {
		m.sessions = map[uint32]*managed{}
	}
	return m.sessions
}

// Login logs t in and takes the session over. Unless extra is set, a
// second session to the same target, portal and iface is refused with
// ISCSI_ERR_SESS_EXISTS, as open-iscsi refuses it.
func (m *Manager) Login(ctx context.Context, t Target, extra bool) (*Session, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, iscsierr.Wrap(iscsierr.Internal, "login", errors.New("iscsid is shutting down"))
	}
	for _, ms := range m.table() {
		o := ms.s.Target
		if !extra && o.Name == t.Name && o.Addr == t.Addr && o.Port == t.Port && o.Iface == t.Iface {
			m.mu.Unlock()
			return nil, iscsierr.Wrap(iscsierr.SessExists, "login", fmt.Errorf("session %d exists", ms.s.Sid))
		}
	}
	t.ISID = m.nextISID()
	m.wg.Add(1)
	m.mu.Unlock()
	defer m.wg.Done()
	s, err := m.Engine.Login(ctx, t)
	if err != nil {
		return nil, err
	}
	s.Close() // the kernel holds its own reference to the socket
	m.logf("Connection%d:%d to [target: %s, portal: %s,%d] through [iface: %s] is operational now",
		s.Sid, s.Cid, t.Name, t.Addr, t.Port, t.Iface)
	m.add(s)
	m.scan(s)
	return s, nil
}

// nextISID gives each session of this daemon its own ISID qualifier,
// so that two sessions to one target are two I_T nexuses. m.mu is held.
func (m *Manager) nextISID() [6]byte {
	m.isids++
	isid := defaultISID
	isid[3], isid[4], isid[5] = byte(m.isids>>16), byte(m.isids>>8), byte(m.isids)
	return isid
}

// add registers a logged-in session.
func (m *Manager) add(s *Session) *managed {
	ms := &managed{s: s, state: StateNoChange}
	m.mu.Lock()
	m.table()[s.Sid] = ms
	m.mu.Unlock()
	return ms
}

// scan asks the kernel to scan the session's SCSI host in the
// background, as open-iscsi's iscsid does from a child process.
func (m *Manager) scan(s *Session) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.Engine.Sys.ScanHost(int(s.HostNo)); err != nil {
			m.logf("could not scan host%d: %v", s.HostNo, err)
		}
	}()
}

// Logout ends recovery of session sid, logs it out and removes it.
func (m *Manager) Logout(ctx context.Context, sid uint32) error {
	m.mu.Lock()
	ms, ok := m.table()[sid]
	if ok {
		delete(m.sessions, sid)
		ms.state = StateCleanup
	}
	m.mu.Unlock()
	if !ok {
		return iscsierr.Wrap(iscsierr.SessNotFound, "logout", fmt.Errorf("session %d is not managed by iscsid", sid))
	}
	m.stopRecovery(ms)
	return m.Engine.Logout(ctx, ms.s.Sid, ms.s.Cid)
}

// stopRecovery cancels a running recovery and waits for it to return.
func (m *Manager) stopRecovery(ms *managed) {
	m.mu.Lock()
	cancel, done := ms.cancel, ms.done
	m.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Session returns the managed session sid.
func (m *Manager) Session(sid uint32) (*Session, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms, ok := m.table()[sid]
	if !ok {
		return nil, false
	}
	return ms.s, true
}

// Info is what the daemon knows of one session beyond sysfs.
type Info struct {
	Sid      uint32
	Target   Target
	State    string
	Attempts int
}

// Sessions lists the managed sessions.
func (m *Manager) Sessions() []Info {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Info, 0, len(m.sessions))
	for _, ms := range m.table() {
		out = append(out, Info{Sid: ms.s.Sid, Target: ms.s.Target, State: ms.state, Attempts: ms.attempts})
	}
	return out
}

// Run handles the kernel events no login claimed until events closes
// or ctx ends.
func (m *Manager) Run(ctx context.Context, events <-chan netlinkraw.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			m.handle(ctx, ev)
		}
	}
}

func (m *Manager) handle(ctx context.Context, ev netlinkraw.Event) {
	switch ev.Type {
	case netlinkraw.KeventConnError:
		m.connFailed(ctx, ev.Sid, ev.Cid, netlinkraw.ConnError(ev.Error))
	case netlinkraw.KeventDestroySession:
		m.mu.Lock()
		delete(m.table(), ev.Sid)
		m.mu.Unlock()
	case netlinkraw.KeventRecvPDU:
		m.asyncMessage(ctx, ev)
	}
}

// Close ends every recovery and waits for the work in flight (logins,
// scans, recoveries); the sessions stay in the kernel.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	list := make([]*managed, 0, len(m.sessions))
	for _, ms := range m.table() {
		list = append(list, ms)
	}
	m.mu.Unlock()
	for _, ms := range list {
		m.stopRecovery(ms)
	}
	m.wg.Wait()
}
