package daemon

import (
	"context"
	"time"

	"github.com/goiscsi/goiscsi/netlinkraw"
)

// connFailed starts the recovery of a session whose connection the
// kernel reported failed. A report for a session already in recovery
// (the kernel may report a failure more than once, and a relogin that
// fails reports its own) is only logged: one recovery per session.
func (m *Manager) connFailed(ctx context.Context, sid, cid uint32, code netlinkraw.ConnError) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms, ok := m.table()[sid]
	if !ok || ms.recovering || m.closed || ms.s.Cid != cid {
		return // a failing relogin reports its own error: it retries already
	}
	m.logf("Kernel reported iSCSI connection %d:%d error (%d - %s) state (%d)", sid, cid, uint32(code), code, 3)
	m.startRecovery(ctx, ms)
}

// startRecovery runs ms's recovery in the background. m.mu is held.
func (m *Manager) startRecovery(ctx context.Context, ms *managed) {
	rctx, cancel := context.WithCancel(ctx)
	ms.recovering, ms.state, ms.attempts = true, StateReopen, 0
	ms.cancel, ms.done = cancel, make(chan struct{})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(ms.done)
		defer cancel()
		m.recover(rctx, ms)
	}()
}

// recover stops the failed connection for recovery and logs in again
// until it succeeds or ctx ends (logout, shutdown). The kernel holds
// the session's I/O meanwhile and fails it once replacement_timeout
// (recovery_tmo) passes; the attempts go on after that, so the session
// comes back whenever the target does.
func (m *Manager) recover(ctx context.Context, ms *managed) {
	s := ms.s
	stopCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	if err := m.Engine.StopForRecovery(stopCtx, s); err != nil {
		m.logf("can not stop connection %d:%d for recovery: %v", s.Sid, s.Cid, err)
	}
	stop()
	stagger, window, every := m.DialStagger, m.DialWindow, m.RetryInterval
	if stagger <= 0 {
		stagger = 200 * time.Millisecond
	}
	if window <= 0 {
		window = 3 * time.Second
	}
	if every <= 0 {
		every = 500 * time.Millisecond
	}
	for attempt := 1; ctx.Err() == nil; attempt++ {
		start := time.Now()
		m.mu.Lock()
		ms.attempts = attempt
		m.mu.Unlock()
		err := m.Engine.Relogin(ctx, s, stagger, window)
		if err == nil {
			s.Close()
			m.mu.Lock()
			ms.recovering, ms.state, ms.cancel = false, StateNoChange, nil
			m.mu.Unlock()
			t := s.Target
			m.logf("Connection%d:%d to [target: %s, portal: %s,%d] through [iface: %s] is operational after recovery (%d attempts)",
				s.Sid, s.Cid, t.Name, t.Addr, t.Port, t.Iface, attempt)
			return
		}
		if ctx.Err() != nil {
			return
		}
		if max := s.Target.ReopenMax; max > 0 && attempt >= max {
			m.giveUp(ms, max)
			return
		}
		if attempt == 1 || attempt%20 == 0 {
			m.logf("connection%d:%d: relogin attempt %d failed: %v", s.Sid, s.Cid, attempt, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(retryDelay(attempt, every) - time.Since(start)):
		}
	}
}

// retryDelay is the least time from the start of reconnect attempt n
// to the next: 100 ms, doubling up to every. The first retries come
// soon because a connect that fails at once (refused, or no route while
// the neighbour entry of a link that just came back is still marked
// failed) often succeeds a moment later.
func retryDelay(attempt int, every time.Duration) time.Duration {
	d := 100 * time.Millisecond
	for i := 1; i < attempt && d < every; i++ {
		d *= 2
	}
	return min(d, every)
}

// giveUp ends a session whose recovery used up node.session.reopen_max
// attempts: the kernel objects go (and with them the SCSI devices, whose
// I/O fails), as open-iscsi's iscsid does.
func (m *Manager) giveUp(ms *managed, max int) {
	s := ms.s
	m.logf("connection%d:%d: login retries (reopen_max) %d exceeded; removing session %d", s.Sid, s.Cid, max, s.Sid)
	m.mu.Lock()
	delete(m.table(), s.Sid)
	ms.recovering, ms.cancel = false, nil
	m.mu.Unlock()
	if err := m.Engine.Teardown(s); err != nil {
		m.logf("removing session %d: %v", s.Sid, err)
	}
}
