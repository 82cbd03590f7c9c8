package ipc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/goiscsi/goiscsi/internal/sock"
)

// Server defaults.
const (
	DefaultReadTimeout = 5 * time.Second
	DefaultMaxConns    = 64
)

// Server answers requests on a listener. Only Handler is required.
type Server struct {
	// Handler answers one request. Its ctx is not cancelled when Serve's
	// ctx is: a request that reached the handler is always finished and
	// answered. A nil response is answered as an internal error.
	Handler func(ctx context.Context, req *Request) *Response
	// ReadTimeout is the time a client has to send its request, and to
	// take the response. Zero means DefaultReadTimeout.
	ReadTimeout time.Duration
	// AllowUID decides which peers may send requests. Nil means uid 0
	// only.
	AllowUID func(uid uint32) bool
	// Logf reports dropped connections, refused peers and handler
	// panics. Nil is silent.
	Logf func(format string, args ...any)
	// MaxConns bounds the requests served at once; beyond it, Serve
	// waits before accepting more. Zero means DefaultMaxConns.
	MaxConns int
}

func (s *Server) readTimeout() time.Duration {
	if s.ReadTimeout > 0 {
		return s.ReadTimeout
	}
	return DefaultReadTimeout
}

func (s *Server) maxConns() int {
	if s.MaxConns > 0 {
		return s.MaxConns
	}
	return DefaultMaxConns
}

func (s *Server) allowed(uid uint32) bool {
	if s.AllowUID == nil {
		return uid == 0
	}
	return s.AllowUID(uid)
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// Serve accepts connections on ln and answers one request on each until
// ctx is done; then it closes ln, waits for every connection in flight to
// be answered (a client still sending has up to ReadTimeout) and returns
// nil. A request that arrives complete only after ctx is done is not
// handed to Handler: it is answered ISCSI_ERR_ISCSID_NOTCONN, "iscsid:
// shutting down". ln is closed when Serve returns. Any other error is an accept
// failure that is not transient.
func (s *Server) Serve(ctx context.Context, ln *sock.Listener) error {
	if s.Handler == nil {
		return errors.New("ipc: Server.Handler is nil")
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	slots := make(chan struct{}, s.maxConns())
	backoff := time.Duration(0)
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		conn, err := ln.Accept()
		if err != nil {
			<-slots
			if ctx.Err() != nil {
				return nil
			}
			if !transient(err) {
				return fmt.Errorf("ipc: accept: %w", err)
			}
			backoff = nextBackoff(backoff)
			s.logf("iscsid: accept: %v; retrying in %v", err, backoff)
			if !sleep(ctx, backoff) {
				return nil
			}
			continue
		}
		backoff = 0
		wg.Go(func() {
			defer func() { <-slots }()
			s.serveConn(ctx, conn)
		})
	}
}

// transient reports accept errors worth retrying: running out of file
// descriptors or memory, or a connection that went away while queued.
func transient(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS,
		syscall.ENOMEM, syscall.ECONNABORTED, syscall.EINTR, syscall.EAGAIN} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func nextBackoff(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return 5 * time.Millisecond
	case d >= time.Second/2:
		return time.Second
	}
	return 2 * d
}

// sleep waits for d, or returns false as soon as ctx is done.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
