package login

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"time"
)

// Login stages (CSG/NSG values).
const (
	StageSecurity    = 0
	StageOperational = 1
	StageFullFeature = 3
)

// maxRounds bounds the number of login request/response exchanges.
const maxRounds = 32

// Config is what a login needs to know.
type Config struct {
	InitiatorName  string
	InitiatorAlias string // "" is sent as "(none)", as open-iscsi does
	TargetName     string // empty for discovery sessions
	Discovery      bool
	ISID           [6]byte
	TSIH           uint16
	CID            uint16
	CmdSN          uint32
	Auth           Auth
	// Operational is the offer of the Operational stage (see Offer).
	Operational Text
	// Random supplies CHAP identifiers and challenges; nil is crypto/rand.
	Random io.Reader
	// Challenges, when set, remembers the CHAP challenges of recent
	// logins sharing it, so that none is answered if a target reflects
	// it; nil checks only the login's own challenge.
	Challenges *ChallengeLog
}

// Result is a completed login.
type Result struct {
	Params   Params
	TSIH     uint16
	StatSN   uint32 // the last StatSN received
	ExpCmdSN uint32
	MaxCmdSN uint32
	CmdSN    uint32
}

// deadliner is implemented by net.Conn.
type deadliner interface{ SetDeadline(time.Time) error }

// watchContext applies ctx to rw when rw supports deadlines: ctx's
// deadline becomes rw's, and cancelling ctx interrupts blocked reads and
// writes. The returned function undoes both and clears rw's deadline.
func watchContext(ctx context.Context, rw io.ReadWriter) (release func()) {
	d, ok := rw.(deadliner)
	if !ok {
		return func() {}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = d.SetDeadline(dl)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = d.SetDeadline(time.Now())
		close(fired)
	})
	return func() {
		if !stop() {
			<-fired
		}
		_ = d.SetDeadline(time.Time{})
	}
}

// session holds the state of one login exchange.
type session struct {
	rw          io.ReadWriter
	cfg         Config
	expStatSN   uint32
	gotStat     bool
	values      values
	targetMRDSL string
	pending     Text // our answers to the target's proposals
	res         Result
}

// Login runs the login phase on rw up to Full Feature Phase. When rw
// supports deadlines (a net.Conn), ctx's deadline is set on it and
// cancelling ctx interrupts the login.
func Login(ctx context.Context, rw io.ReadWriter, cfg Config) (*Result, error) {
	defer watchContext(ctx, rw)()
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	s := &session{rw: rw, cfg: cfg, values: defaults(), targetMRDSL: "8192"}
	s.res.TSIH, s.res.CmdSN = cfg.TSIH, cfg.CmdSN
	if cfg.Auth.Method == "CHAP" {
		if err := s.security(); err != nil {
			return nil, err
		}
	}
	if err := s.operational(); err != nil {
		return nil, err
	}
	ours, _ := cfg.Operational.Get("MaxRecvDataSegmentLength")
	if ours == "" {
		ours = "8192"
	}
	s.res.Params = s.values.params(ours, s.targetMRDSL)
	if s.res.Params.FirstBurstLength > s.res.Params.MaxBurstLength {
		return nil, fmt.Errorf("%w: FirstBurstLength %d exceeds MaxBurstLength %d", ErrProtocol, s.res.Params.FirstBurstLength, s.res.Params.MaxBurstLength)
	}
	return &s.res, nil
}

// leadingKeys are sent in the first login request.
func (s *session) leadingKeys() Text {
	alias := s.cfg.InitiatorAlias
	if alias == "" {
		alias = "(none)"
	}
	t := Text{{"InitiatorName", s.cfg.InitiatorName}, {"InitiatorAlias", alias}}
	if s.cfg.Discovery {
		return append(t, Pair{"SessionType", "Discovery"})
	}
	return append(t, Pair{"TargetName", s.cfg.TargetName}, Pair{"SessionType", "Normal"})
}

// security runs the CHAP exchange of the Security stage.
func (s *session) security() error {
	chap := &chapState{auth: s.cfg.Auth, log: s.cfg.Challenges}
	if len(chap.auth.Algs) == 0 {
		chap.auth.Algs = []ChapAlg{ChapMD5}
	}
	if err := chap.auth.checkSecrets(); err != nil {
		return err
	}
	t, _, err := s.exchange(append(s.leadingKeys(), Pair{"AuthMethod", "CHAP"}), StageSecurity, StageSecurity, false)
	if err != nil {
		return err
	}
	s.declared(t)
	if m, _ := t.Get("AuthMethod"); m != "CHAP" {
		return &AuthError{Reason: fmt.Sprintf("target answered AuthMethod=%.20q to our CHAP", m)}
	}
	t, _, err = s.exchange(Text{{"CHAP_A", chap.offerAlgs()}}, StageSecurity, StageSecurity, false)
	if err != nil {
		return err
	}
	reply, err := chap.answer(t, s.cfg.Random)
	if err != nil {
		return err
	}
	t, transit, err := s.exchange(reply, StageSecurity, StageOperational, true)
	if err != nil {
		return err
	}
	if chap.auth.Mutual() {
		if err := chap.verify(t); err != nil {
			return err
		}
	}
	for i := 0; !transit; i++ {
		if i == maxRounds {
			return fmt.Errorf("%w: target never left the Security stage", ErrProtocol)
		}
		if _, transit, err = s.exchange(nil, StageSecurity, StageOperational, true); err != nil {
			return err
		}
	}
	return nil
}

// operational negotiates the operational keys and enters Full Feature
// Phase.
func (s *session) operational() error {
	offer := s.cfg.Operational
	if s.cfg.Auth.Method != "CHAP" {
		offer = append(s.leadingKeys(), offer...)
	}
	offered := map[string]string{}
	for _, p := range s.cfg.Operational {
		offered[p.Key] = p.Value
	}
	send := offer
	for i := 0; i < maxRounds; i++ {
		t, transit, err := s.exchange(send, StageOperational, StageFullFeature, true)
		if err != nil {
			return err
		}
		if err := s.absorb(t, offered); err != nil {
			return err
		}
		if transit && len(s.pending) == 0 {
			return nil
		}
		send, s.pending = s.pending, nil
	}
	return fmt.Errorf("%w: operational negotiation did not finish in %d rounds", ErrProtocol, maxRounds)
}

// declared keeps the target's declarative keys (TargetPortalGroupTag
// comes in the first response, whatever the stage).
func (s *session) declared(t Text) {
	for _, p := range t {
		if targetDeclarative(p.Key) {
			s.values[p.Key] = p.Value
		}
	}
}

// absorb processes the target's keys in the Operational stage.
func (s *session) absorb(t Text, offered map[string]string) error {
	for _, p := range t {
		switch {
		case targetDeclarative(p.Key):
			s.values[p.Key] = p.Value
		case p.Key == "MaxRecvDataSegmentLength":
			k, _ := lookupKey(p.Key)
			if _, err := k.number(p.Value); err != nil {
				return err
			}
			s.targetMRDSL = p.Value
		default:
			k, known := lookupKey(p.Key)
			ours, wasOffered := offered[p.Key]
			switch {
			case !known:
				s.pending = append(s.pending, Pair{p.Key, "NotUnderstood"})
			case wasOffered:
				v, err := k.result(ours, p.Value)
				if err != nil {
					return err
				}
				s.values[p.Key] = v
			default:
				v := k.respond(k.def, p.Value)
				s.values[p.Key] = v
				s.pending = append(s.pending, Pair{p.Key, v})
			}
		}
	}
	return nil
}
