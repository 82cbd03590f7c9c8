package login

import (
	"bytes"
	"sync"
)

// challengeLogSize is how many challenges a ChallengeLog remembers.
const challengeLogSize = 64

// ChallengeLog remembers the CHAP challenges we issued in recent
// mutual-CHAP logins. A target that sends one of them back as its own
// challenge is reflecting it to obtain our answer, and is refused (RFC
// 7143 section 12.1.3). The zero value is ready to use; a ChallengeLog
// is safe for concurrent use and must not be copied once used. Share one
// among the logins of a process.
type ChallengeLog struct {
	mu   sync.Mutex
	ring [challengeLogSize][]byte
	next int // where the next challenge goes, oldest first overwritten
}

// add records a challenge we issue. A nil log records nothing.
func (l *ChallengeLog) add(c []byte) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = bytes.Clone(c)
	l.next = (l.next + 1) % challengeLogSize
}

// contains reports whether c is one of the recorded challenges.
func (l *ChallengeLog) contains(c []byte) bool {
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.ring {
		if x != nil && bytes.Equal(x, c) {
			return true
		}
	}
	return false
}
