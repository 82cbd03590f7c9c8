package login

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTarget is the target's end of a connection, played by a script
// written in terms of the PDUs it reads and writes.
type fakeTarget struct {
	conn   net.Conn
	statSN uint32
}

// script is what a fake target does; its error is the target's verdict
// on the initiator.
type script func(*fakeTarget) error

// startTarget runs s as the target on one end of a net.Pipe and returns
// the initiator's end, and wait, which closes the initiator's end (so
// that a target blocked on it gives up) and returns the script's error.
// wait also runs at cleanup; a script still running 2s later fails the
// test.
func startTarget(t *testing.T, s script) (net.Conn, func() error) {
	t.Helper()
	client, server := net.Pipe()
	return client, runTarget(t, client, server, s)
}

// runTarget runs s on server in the background; see startTarget.
func runTarget(t *testing.T, client io.Closer, server net.Conn, s script) func() error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer server.Close()
		done <- s(&fakeTarget{conn: server, statSN: 0x100})
	}()
	wait := sync.OnceValue(func() error {
		client.Close()
		select {
		case err := <-done:
			return err
		case <-time.After(2 * time.Second):
			t.Errorf("fake target still running 2s after the initiator finished")
			return errors.New("fake target hung")
		}
	})
	t.Cleanup(func() { _ = wait() })
	return wait
}

// read reads one PDU from the initiator and parses its text.
func (f *fakeTarget) read() (*PDU, Text, error) {
	p, err := ReadPDU(f.conn, MaxTextData, Digests{})
	if err != nil {
		return nil, nil, err
	}
	t, err := ParseText(p.Data, false)
	return p, t, err
}

// readOp reads one PDU and requires opcode op.
func (f *fakeTarget) readOp(op byte) (*PDU, Text, error) {
	p, t, err := f.read()
	if err != nil {
		return nil, nil, err
	}
	if got := p.BHS.Opcode(); got != op {
		return nil, nil, fmt.Errorf("initiator sent opcode %#02x, want %#02x", got, op)
	}
	return p, t, nil
}

// send writes one PDU.
func (f *fakeTarget) send(p *PDU) error { return WritePDU(f.conn, p, Digests{}) }

// write sends raw bytes.
func (f *fakeTarget) write(b []byte) error {
	_, err := f.conn.Write(b)
	return err
}

// drain reads until the initiator closes the connection.
func (f *fakeTarget) drain() error {
	_, err := io.Copy(io.Discard, f.conn)
	return err
}

// loginFlags builds byte 1 of a login PDU.
func loginFlags(transit bool, csg, nsg byte) byte {
	f := csg<<2 | nsg
	if transit {
		f |= FlagFinal
	}
	return f
}

// loginResp builds a login response to req.
func (f *fakeTarget) loginResp(req *PDU, flags, class, detail byte, data []byte) *PDU {
	var p PDU
	p.BHS.SetOpcode(OpLoginResp, false)
	p.BHS[1] = flags
	copy(p.BHS[8:14], req.BHS[8:14]) // ISID
	if flags&FlagFinal != 0 && flags&3 == StageFullFeature {
		p.BHS.Put16(14, 0x0100) // TSIH
	}
	p.BHS.SetITT(req.BHS.ITT())
	p.BHS.Put32(24, f.statSN)
	p.BHS.Put32(28, req.BHS.U32(24))
	p.BHS.Put32(32, req.BHS.U32(24)+8)
	p.BHS[36], p.BHS[37] = class, detail
	p.Data = data
	f.statSN++
	return &p
}

// respond sends a successful login response to req.
func (f *fakeTarget) respond(req *PDU, flags byte, t Text) error {
	return f.send(f.loginResp(req, flags, 0, 0, t.Encode()))
}

// status sends a login response with a non-zero status to req.
func (f *fakeTarget) status(req *PDU, class, detail byte, t Text) error {
	return f.send(f.loginResp(req, 0, class, detail, t.Encode()))
}

// textResp sends a text response to req.
func (f *fakeTarget) textResp(req *PDU, flags byte, ttt uint32, data []byte) error {
	return f.send(f.textPDU(req, flags, ttt, data))
}

// textPDU builds a text response to req.
func (f *fakeTarget) textPDU(req *PDU, flags byte, ttt uint32, data []byte) *PDU {
	var p PDU
	p.BHS.SetOpcode(OpTextResp, false)
	p.BHS[1] = flags
	p.BHS.SetITT(req.BHS.ITT())
	p.BHS.Put32(20, ttt)
	p.BHS.Put32(24, f.statSN)
	p.BHS.Put32(28, req.BHS.U32(24))
	p.BHS.Put32(32, req.BHS.U32(24)+8)
	p.Data = data
	f.statSN++
	return &p
}

// operational plays a target through the Operational stage: the first
// request gets extra and a transit to Full Feature Phase; when extra is
// not empty the initiator must answer it, and its answer gets a bare
// transit. check sees every request's keys.
func (f *fakeTarget) operational(extra Text, check func(Text) error) error {
	send := append(Text{{"TargetPortalGroupTag", "1"}, {"MaxRecvDataSegmentLength", "8192"}}, extra...)
	rounds := 1
	if len(extra) > 0 {
		rounds = 2
	}
	for range rounds {
		req, keys, err := f.readOp(OpLoginReq)
		if err != nil {
			return err
		}
		if c := (req.BHS.Flags() >> 2) & 3; c != StageOperational {
			return fmt.Errorf("login request in stage %d, want %d", c, StageOperational)
		}
		if check != nil {
			if err := check(keys); err != nil {
				return err
			}
		}
		if err := f.respond(req, loginFlags(true, StageOperational, StageFullFeature), send); err != nil {
			return err
		}
		send = nil
	}
	return nil
}

// noAuthLogin is a target that logs the initiator in without
// authentication.
func noAuthLogin(f *fakeTarget) error { return f.operational(nil, nil) }

// chapTarget is a target that logs the initiator in with CHAP,
// computing and checking responses with the crypto packages directly.
type chapTarget struct {
	alg              ChapAlg
	id               byte
	challenge        string // CHAP_C as sent; "" is 0x and 16 fixed bytes
	user, secret     string // what the initiator must prove
	userIn, secretIn string // how we prove ourselves in mutual CHAP
	// response turns our correct CHAP_R into what we send; nil sends it.
	response func(correct []byte) string
	// gotChallenge is the initiator's challenge (mutual CHAP).
	gotChallenge []byte
}

func (c *chapTarget) ourChallenge() string {
	if c.challenge == "" {
		return "0x" + strings.Repeat("a5", 16)
	}
	return c.challenge
}

// serve plays the Security and then the Operational stage.
func (c *chapTarget) serve(f *fakeTarget) error {
	req, keys, err := f.readOp(OpLoginReq)
	if err != nil {
		return err
	}
	if m, _ := keys.Get("AuthMethod"); m != "CHAP" {
		return fmt.Errorf("initiator offered AuthMethod=%q, want CHAP", m)
	}
	if err := f.respond(req, loginFlags(false, StageSecurity, StageSecurity), Text{{"TargetPortalGroupTag", "1"}, {"AuthMethod", "CHAP"}}); err != nil {
		return err
	}
	if req, keys, err = f.readOp(OpLoginReq); err != nil {
		return err
	}
	if offer, _ := keys.Get("CHAP_A"); !slices.Contains(strings.Split(offer, ","), strconv.Itoa(int(c.alg))) {
		return fmt.Errorf("initiator offered CHAP_A=%s, want %d among them", offer, c.alg)
	}
	chal := Text{{"CHAP_A", strconv.Itoa(int(c.alg))}, {"CHAP_I", strconv.Itoa(int(c.id))}, {"CHAP_C", c.ourChallenge()}}
	if err := f.respond(req, loginFlags(false, StageSecurity, StageSecurity), chal); err != nil {
		return err
	}
	if req, keys, err = f.readOp(OpLoginReq); err != nil {
		return err
	}
	if err := c.check(keys); err != nil {
		_ = f.status(req, 2, 1, nil)
		return err
	}
	proof, err := c.prove(keys)
	if err != nil {
		return err
	}
	if err := f.respond(req, loginFlags(true, StageSecurity, StageOperational), proof); err != nil {
		return err
	}
	return f.operational(nil, nil)
}

// check verifies the initiator's CHAP_N and CHAP_R.
func (c *chapTarget) check(keys Text) error {
	name, _ := keys.Get("CHAP_N")
	r, _ := keys.Get("CHAP_R")
	ours, err := hex.DecodeString(strings.TrimPrefix(c.ourChallenge(), "0x"))
	if err != nil {
		return err
	}
	want := "0x" + hex.EncodeToString(targetCHAP(c.alg, c.id, c.secret, ours))
	if name != c.user || r != want {
		return fmt.Errorf("initiator answered CHAP_N=%q CHAP_R=%s, want %q %s", name, r, c.user, want)
	}
	return nil
}

// prove answers the initiator's challenge in mutual CHAP.
func (c *chapTarget) prove(keys Text) (Text, error) {
	if c.userIn == "" {
		return nil, nil
	}
	iStr, _ := keys.Get("CHAP_I")
	cStr, _ := keys.Get("CHAP_C")
	id, err := strconv.ParseUint(iStr, 10, 8)
	if err != nil {
		return nil, fmt.Errorf("initiator sent CHAP_I=%q", iStr)
	}
	if c.gotChallenge, err = hex.DecodeString(strings.TrimPrefix(cStr, "0x")); err != nil {
		return nil, fmt.Errorf("initiator sent CHAP_C=%q", cStr)
	}
	sum := targetCHAP(c.alg, byte(id), c.secretIn, c.gotChallenge)
	r := "0x" + hex.EncodeToString(sum)
	if c.response != nil {
		r = c.response(sum)
	}
	return Text{{"CHAP_N", c.userIn}, {"CHAP_R", r}}, nil
}

// targetCHAP computes a CHAP response on the target's side, with its own
// choice of hash, independently of the package's ChapResponse.
func targetCHAP(alg ChapAlg, id byte, secret string, challenge []byte) []byte {
	var h hash.Hash
	switch alg {
	case ChapMD5:
		h = md5.New()
	case ChapSHA1:
		h = sha1.New()
	case ChapSHA256:
		h = sha256.New()
	case ChapSHA3256:
		h = sha3.New256()
	default:
		return nil
	}
	h.Write([]byte{id})
	h.Write([]byte(secret))
	h.Write(challenge)
	return h.Sum(nil)
}

// sendTargets answers one SendTargets=All request with answer, cut into
// text responses of at most chunk bytes continued with the C bit under
// target transfer tag ttt.
func (f *fakeTarget) sendTargets(answer []byte, chunk int, ttt uint32) error {
	req, keys, err := f.readOp(OpTextReq)
	if err != nil {
		return err
	}
	if v, _ := keys.Get("SendTargets"); v != "All" || req.BHS.U32(20) != 0xffffffff {
		return fmt.Errorf("initiator asked SendTargets=%q with TTT %#x, want All, 0xffffffff", v, req.BHS.U32(20))
	}
	for len(answer) > chunk {
		if err := f.textResp(req, FlagContinue, ttt, answer[:chunk]); err != nil {
			return err
		}
		answer = answer[chunk:]
		if req, keys, err = f.readOp(OpTextReq); err != nil {
			return err
		}
		if req.BHS.U32(20) != ttt || len(keys) != 0 || req.BHS.Flags()&FlagFinal == 0 {
			return fmt.Errorf("continuation request with TTT %#x, flags %#02x, keys %v; want TTT %#x, F, no keys", req.BHS.U32(20), req.BHS.Flags(), keys, ttt)
		}
	}
	return f.textResp(req, FlagFinal, 0xffffffff, answer)
}

// logout answers a logout request.
func (f *fakeTarget) logout() error {
	req, _, err := f.readOp(OpLogoutReq)
	if err != nil {
		return err
	}
	var p PDU
	p.BHS.SetOpcode(OpLogoutResp, false)
	p.BHS[1] = FlagFinal
	p.BHS.SetITT(req.BHS.ITT())
	p.BHS.Put32(24, f.statSN)
	return WritePDU(f.conn, &p, Digests{})
}
