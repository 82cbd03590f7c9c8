package login

import (
	"fmt"
)

// maxLoginData is the most we send in one login PDU (the target's
// MaxRecvDataSegmentLength during login is at least 8192).
const maxLoginData = 8192

// maxLoginText bounds the text of one login response, continuations
// included, and so the data segment of any login response PDU.
const maxLoginText = 1 << 20

// maxLoginPDUs bounds the PDUs of one continued login response (empty
// ones would otherwise never reach maxLoginText).
const maxLoginPDUs = maxLoginText / maxLoginData

// exchange sends keys in one or more login requests (continuing when the
// text is long) with the given stages, and returns the target's keys and
// whether it agreed to transit to nsg.
func (s *session) exchange(keys Text, csg, nsg byte, transit bool) (Text, bool, error) {
	data := keys.Encode()
	for {
		chunk, rest := data, []byte(nil)
		if len(chunk) > maxLoginData {
			chunk, rest = data[:maxLoginData], data[maxLoginData:]
		}
		if err := s.send(chunk, csg, nsg, transit && rest == nil, rest != nil); err != nil {
			return nil, false, err
		}
		if rest == nil {
			break
		}
		// The target acknowledges each continued request with an empty response.
		if _, err := s.receive(csg); err != nil {
			return nil, false, err
		}
		data = rest
	}
	var text []byte
	for i := 0; ; i++ {
		if i == maxLoginPDUs {
			return nil, false, fmt.Errorf("%w: login response continued over %d PDUs", ErrProtocol, maxLoginPDUs)
		}
		rsp, err := s.receive(csg)
		if err != nil {
			return nil, false, err
		}
		text = append(text, rsp.Data...)
		if len(text) > maxLoginText {
			return nil, false, fmt.Errorf("%w: login text longer than %d bytes", ErrProtocol, maxLoginText)
		}
		if rsp.BHS.Flags()&FlagContinue == 0 {
			t, err := ParseText(text, false)
			if err != nil {
				return nil, false, err
			}
			f := rsp.BHS.Flags()
			agreed := f&FlagFinal != 0 && f&3 == nsg
			return t, agreed, nil
		}
		// Ask for the rest of the text with an empty request.
		if err := s.send(nil, csg, nsg, false, false); err != nil {
			return nil, false, err
		}
	}
}

// send writes one login request.
func (s *session) send(data []byte, csg, nsg byte, transit, cont bool) error {
	var p PDU
	p.BHS.SetOpcode(OpLoginReq, true)
	f := csg << 2
	if transit {
		f |= FlagFinal | nsg
	}
	if cont {
		f |= FlagContinue
	}
	p.BHS[1] = f
	p.BHS.copyBytes(8, s.cfg.ISID[:])
	p.BHS.Put16(14, s.res.TSIH)
	p.BHS.Put16(20, s.cfg.CID)
	p.BHS.Put32(24, s.cfg.CmdSN)
	p.BHS.Put32(28, s.expStatSN)
	p.Data = data
	return WritePDU(s.rw, &p, Digests{})
}

// receive reads one login response and checks it.
func (s *session) receive(csg byte) (*PDU, error) {
	rsp, err := ReadPDU(s.rw, maxLoginText, Digests{})
	if err != nil {
		return nil, err
	}
	if op := rsp.BHS.Opcode(); op != OpLoginResp {
		return nil, fmt.Errorf("%w: expected a login response, got opcode %#02x", ErrProtocol, op)
	}
	if rsp.BHS.U32(16) != 0 {
		return nil, fmt.Errorf("%w: login response for ITT %#x", ErrProtocol, rsp.BHS.U32(16))
	}
	class, detail := rsp.BHS[36], rsp.BHS[37]
	if class != 0 {
		e := &StatusError{Class: class, Detail: detail}
		if class == 1 {
			if t, err := ParseText(rsp.Data, false); err == nil {
				e.TargetAddress, _ = t.Get("TargetAddress")
			}
		}
		return nil, e
	}
	if f := rsp.BHS.Flags(); f&FlagFinal != 0 && f&FlagContinue != 0 {
		return nil, fmt.Errorf("%w: login response with both T and C set", ErrProtocol)
	}
	if c := (rsp.BHS.Flags() >> 2) & 3; c != csg {
		return nil, fmt.Errorf("%w: login response in stage %d, we are in %d", ErrProtocol, c, csg)
	}
	stat := rsp.BHS.StatSN()
	s.expStatSN = stat + 1
	s.res.StatSN, s.res.ExpCmdSN, s.res.MaxCmdSN = stat, rsp.BHS.ExpCmdSN(), rsp.BHS.MaxCmdSN()
	if tsih := rsp.BHS.U16(14); tsih != 0 {
		s.res.TSIH = tsih
	}
	return rsp, nil
}
