package daemon

import (
	"context"
	"encoding/binary"

	"github.com/goiscsi/goiscsi/daemon/login"
	"github.com/goiscsi/goiscsi/netlinkraw"
)

// Asynchronous message events (RFC 7143 11.9.1) the kernel hands up in
// Full Feature Phase.
const (
	opAsyncMessage        = 0x32
	asyncLogoutRequest    = 1
	asyncDropConnection   = 2
	asyncDropAll          = 3
	asyncParamNegotiation = 4
)

// asyncMessage acts on an Asynchronous Message the target sent on a
// running session. A target that asks for a logout (to move the
// session, say, before maintenance), or that renegotiates, has the
// connection dropped and logged in again at once, which is what it asks
// for; one that announces it drops connections is logged, and the
// connection error the kernel reports then starts the recovery.
func (m *Manager) asyncMessage(ctx context.Context, ev netlinkraw.Event) {
	pdu := ev.PDU
	if len(pdu) < login.BHSLen || pdu[0]&0x3f != opAsyncMessage {
		return
	}
	event := pdu[36]
	param2 := binary.BigEndian.Uint16(pdu[40:])
	param3 := binary.BigEndian.Uint16(pdu[42:])
	switch event {
	case asyncLogoutRequest:
		m.logf("Target requests logout within %d seconds for connection %d:%d", param3, ev.Sid, ev.Cid)
	case asyncParamNegotiation:
		m.logf("Received async event param negotiation for connection %d:%d, dropping it", ev.Sid, ev.Cid)
	case asyncDropConnection, asyncDropAll:
		m.logf("Target dropping connection %d:%d, reconnect min %d max %d", ev.Sid, ev.Cid, param2, param3)
		return
	default:
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ms, ok := m.table()[ev.Sid]
	if !ok || ms.recovering || m.closed || ms.s.Cid != ev.Cid {
		return
	}
	m.startRecovery(ctx, ms)
}
