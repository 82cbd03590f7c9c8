package daemon

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// logger writes iscsid's messages: to stderr in the foreground (the
// journal, under systemd), to syslog when daemonized.
type logger struct {
	mu    sync.Mutex
	w     io.Writer
	sys   *syslogWriter
	debug int
}

func newLogger(stderr io.Writer, debug int) *logger { return &logger{w: stderr, debug: debug} }

// toSyslog sends later messages to syslog, when it can be reached.
func (l *logger) toSyslog() {
	if s, err := newSyslog("iscsid"); err == nil {
		l.mu.Lock()
		l.sys = s
		l.mu.Unlock()
	}
}

// toKmsg sends later messages to the kernel log (the boot-time
// recovery process has no syslog), when it can be opened.
func (l *logger) toKmsg() {
	if f, err := os.OpenFile("/dev/kmsg", os.O_WRONLY, 0); err == nil {
		l.mu.Lock()
		l.w = f
		l.mu.Unlock()
	}
}

func (l *logger) printf(prefix, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sys != nil {
		_ = l.sys.info(msg)
		return
	}
	fmt.Fprintf(l.w, "iscsid: %s%s\n", prefix, msg)
}

func (l *logger) infof(format string, args ...any)  { l.printf("", format, args...) }
func (l *logger) errorf(format string, args ...any) { l.printf("", format, args...) }
func (l *logger) debugf(level int, format string, args ...any) {
	if l.debug >= level {
		l.printf("", format, args...)
	}
}
