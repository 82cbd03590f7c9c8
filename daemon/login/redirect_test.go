package login

import (
	"context"
	"fmt"
	"net"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// redirectTo refuses the login with a redirection to addr ("" sends no
// TargetAddress).
func redirectTo(detail byte, addr string) script {
	return func(f *fakeTarget) error {
		req, _, err := f.read()
		if err != nil {
			return err
		}
		var t Text
		if addr != "" {
			t = Text{{"TargetAddress", addr}}
		}
		return f.status(req, 1, detail, t)
	}
}

// pipeDialer "dials" portals by starting the script registered for them
// on a net.Pipe, and records the portals dialed.
func pipeDialer(t *testing.T, targets map[Portal]script, dialed *[]Portal) func(context.Context, Portal) (net.Conn, error) {
	return func(_ context.Context, p Portal) (net.Conn, error) {
		*dialed = append(*dialed, p)
		s, ok := targets[p]
		if !ok {
			return nil, fmt.Errorf("no target at %+v", p)
		}
		conn, _ := startTarget(t, s)
		return conn, nil
	}
}

// TestConnectRedirect follows redirections, and gives up on loops and
// unusable addresses.
func TestConnectRedirect(t *testing.T) {
	a := Portal{Addr: "127.0.0.1", Port: 3260, TPGT: 1}
	b := Portal{Addr: "127.0.0.1", Port: 3261, TPGT: 1}
	c := Portal{Addr: "127.0.0.1", Port: 3260, TPGT: 2}
	tests := []struct {
		name    string
		targets map[Portal]script
		want    errWant // nil ok: success at last portal of dialed
		dialed  []Portal
	}{
		{"none", map[Portal]script{a: noAuthLogin}, errWant{}, []Portal{a}},
		{"temporary, default port", map[Portal]script{a: redirectTo(1, "127.0.0.1,2"), c: noAuthLogin}, errWant{}, []Portal{a, c}},
		{"permanent", map[Portal]script{a: redirectTo(2, "127.0.0.1:3261"), b: noAuthLogin}, errWant{}, []Portal{a, b}},
		{"loop", map[Portal]script{a: redirectTo(1, "127.0.0.1:3261,1"), b: redirectTo(1, "127.0.0.1:3260,1")}, wantStatus(1, 1, iscsierr.Login, false), []Portal{a, b, a, b, a}},
		{"unparsable address", map[Portal]script{a: redirectTo(1, "127.0.0.1/evil:3260")}, wantStatus(1, 1, iscsierr.Login, false), []Portal{a}},
		{"no address", map[Portal]script{a: redirectTo(1, "")}, wantStatus(1, 1, iscsierr.Login, false), []Portal{a}},
		{"refused after redirect", map[Portal]script{a: redirectTo(1, "127.0.0.1:3261"), b: answerStatus(2, 1)}, wantStatus(2, 1, iscsierr.LoginAuthFailed, false), []Portal{a, b}},
		{"nothing listening", map[Portal]script{a: redirectTo(1, "127.0.0.1:3262")}, errWant{"a dial error", func(err error) bool { return strings.Contains(err.Error(), "no target at") }}, []Portal{a, {Addr: "127.0.0.1", Port: 3262, TPGT: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var dialed []Portal
			ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
			defer cancel()
			conn, res, at, err := Connect(ctx, pipeDialer(t, tt.targets, &dialed), a, testConfig())
			switch {
			case tt.want.ok == nil && err != nil:
				t.Errorf("Connect() = %v, want success", err)
			case tt.want.ok == nil && (res == nil || conn == nil || at != tt.dialed[len(tt.dialed)-1]):
				t.Errorf("Connect() = %v, %+v, %+v, want a connection at %+v", conn, res, at, tt.dialed[len(tt.dialed)-1])
			case tt.want.ok != nil && (err == nil || !tt.want.ok(err)):
				t.Errorf("Connect() = %v, want %s", err, tt.want.desc)
			}
			if !reflect.DeepEqual(dialed, tt.dialed) {
				t.Errorf("Connect() dialed %+v, want %+v", dialed, tt.dialed)
			}
		})
	}
}

// tcpTarget serves s to one connection on a loopback listener.
func tcpTarget(t *testing.T, s script) Portal {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		_ = s(&fakeTarget{conn: conn, statSN: 0x100})
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Errorf("loopback target still running")
		}
	})
	return Portal{Addr: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, TPGT: 1}
}

// TestConnectRedirectTCP follows a redirection between two loopback
// listeners over real TCP.
func TestConnectRedirectTCP(t *testing.T) {
	second := tcpTarget(t, noAuthLogin)
	first := tcpTarget(t, redirectTo(1, "127.0.0.1:"+strconv.Itoa(second.Port)))
	dial := func(ctx context.Context, p Portal) (net.Conn, error) {
		if p.Addr != "127.0.0.1" {
			return nil, fmt.Errorf("test dials 127.0.0.1 only, not %q", p.Addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, "tcp", net.JoinHostPort(p.Addr, strconv.Itoa(p.Port)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	conn, res, at, err := Connect(ctx, dial, first, testConfig())
	if err != nil {
		t.Fatalf("Connect() = %v, want success", err)
	}
	defer conn.Close()
	if at != second || res.TSIH != 0x0100 {
		t.Errorf("Connect() = %+v, TSIH %#x, want %+v, 0x100", at, res.TSIH, second)
	}
}
