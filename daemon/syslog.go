package daemon

import (
	"fmt"
	"os"
	"time"

	"github.com/goiscsi/goiscsi/internal/sock"
)

// syslogSocket is the local syslog daemon's datagram socket.
const syslogSocket = "/dev/log"

// syslogWriter sends messages to the local syslog daemon as syslog(3)
// does: one datagram each, "<facility|severity>timestamp tag[pid]: msg".
type syslogWriter struct {
	path string
	tag  string
}

// newSyslog returns a writer to the syslog socket, when there is one.
func newSyslog(tag string) (*syslogWriter, error) {
	fi, err := os.Stat(syslogSocket)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return nil, fmt.Errorf("%s is not a socket", syslogSocket)
	}
	return &syslogWriter{path: syslogSocket, tag: tag}, nil
}

// info sends msg at LOG_DAEMON|LOG_INFO.
func (w *syslogWriter) info(msg string) error {
	const daemonInfo = 3<<3 | 6
	line := fmt.Sprintf("<%d>%s %s[%d]: %s\n", daemonInfo, time.Now().Format(time.Stamp), w.tag, os.Getpid(), msg)
	return sock.SendDatagram(w.path, []byte(line))
}
