package login

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
)

// maxSendTargetsText bounds a whole SendTargets answer.
const maxSendTargetsText = 16 << 20

// maxSendTargetsPairs bounds the keys of a SendTargets answer: far above
// what a real answer of maxSendTargetsText bytes holds (a TargetName or
// TargetAddress pair takes some 25 bytes at least), while keeping a
// hostile answer of short pairs from costing more than the text itself.
const maxSendTargetsPairs = maxSendTargetsText / 16

// maxTextRounds bounds the text requests of one SendTargets exchange.
const maxTextRounds = 4096

// Portal is an address a target can be reached at.
type Portal struct {
	Addr string // IP address or host name, IPv6 without brackets
	Port int
	TPGT int
}

// Target is one SendTargets entry: a name and its portals.
type Target struct {
	Name    string
	Portals []Portal
}

// SendTargets asks a discovery session for every target ("SendTargets=
// All") and collects the answer across as many text responses as the
// target uses. Entries whose names fail validate, or whose addresses do
// not parse, are skipped and reported through warn. ctx applies to rw as
// in Login.
func SendTargets(ctx context.Context, rw io.ReadWriter, res *Result, validate func(string) error, warn func(string)) ([]Target, error) {
	defer watchContext(ctx, rw)()
	maxData := int(res.Params.MaxRecvDataSegmentLength)
	if maxData <= 0 || maxData > MaxTextData {
		maxData = MaxTextData
	}
	var text []byte
	ttt := uint32(0xffffffff)
	data := Text{{"SendTargets", "All"}}.Encode()
	for round := 0; ; round++ {
		if round == maxTextRounds {
			return nil, fmt.Errorf("%w: SendTargets answer did not end in %d responses", ErrProtocol, maxTextRounds)
		}
		var p PDU
		p.BHS.SetOpcode(OpTextReq, true)
		p.BHS[1] = FlagFinal
		p.BHS.SetITT(1)
		p.BHS.Put32(20, ttt)
		p.BHS.Put32(24, res.CmdSN)
		p.BHS.Put32(28, res.StatSN+1)
		p.Data = data
		if err := WritePDU(rw, &p, Digests{}); err != nil {
			return nil, err
		}
		rsp, err := readExpect(rw, OpTextResp, maxData)
		if err != nil {
			return nil, err
		}
		if rsp.BHS.ITT() != 1 {
			return nil, fmt.Errorf("%w: text response for ITT %#x", ErrProtocol, rsp.BHS.ITT())
		}
		res.StatSN = rsp.BHS.StatSN()
		text = append(text, rsp.Data...)
		if len(text) > maxSendTargetsText {
			return nil, fmt.Errorf("%w: SendTargets answer longer than %d bytes", ErrProtocol, maxSendTargetsText)
		}
		f := rsp.BHS.Flags()
		if f&FlagFinal != 0 && f&FlagContinue == 0 {
			break
		}
		ttt, data = rsp.BHS.U32(20), nil
	}
	t, err := parseText(text, true, maxSendTargetsPairs)
	if err != nil {
		return nil, err
	}
	return collectTargets(t, validate, warn), nil
}

// readExpect reads a PDU and requires opcode op; a Reject or an
// unexpected opcode is an error.
func readExpect(r io.Reader, op byte, maxData int) (*PDU, error) {
	rsp, err := ReadPDU(r, maxData, Digests{})
	if err != nil {
		return nil, err
	}
	if got := rsp.BHS.Opcode(); got != op {
		if got == OpReject {
			return nil, fmt.Errorf("%w: target rejected the request (reason %#02x)", ErrProtocol, rsp.BHS[2])
		}
		return nil, fmt.Errorf("%w: expected opcode %#02x, got %#02x", ErrProtocol, op, got)
	}
	return rsp, nil
}

// collectTargets groups TargetAddress entries under the TargetName before
// them.
func collectTargets(t Text, validate func(string) error, warn func(string)) []Target {
	var out []Target
	var cur *Target
	for _, p := range t {
		switch p.Key {
		case "TargetName":
			cur = nil
			if err := validate(p.Value); err != nil {
				warn(fmt.Sprintf("skipping target with invalid name: %v", err))
				continue
			}
			out = append(out, Target{Name: p.Value})
			cur = &out[len(out)-1]
		case "TargetAddress":
			if cur == nil {
				continue
			}
			pt, err := ParseTargetAddress(p.Value)
			if err != nil {
				warn(fmt.Sprintf("skipping address of %s: %v", cur.Name, err))
				continue
			}
			cur.Portals = append(cur.Portals, pt)
		}
	}
	return out
}

// ParseTargetAddress reads "domainname[:port][,tpgt]" where domainname
// is a host name, an IPv4 address or a bracketed IPv6 address.
func ParseTargetAddress(s string) (Portal, error) {
	p := Portal{Port: 3260, TPGT: 1}
	if len(s) > 300 {
		return p, fmt.Errorf("TargetAddress longer than 300 bytes")
	}
	hostport, tpgt, hasTPGT := strings.Cut(s, ",")
	if hasTPGT {
		n, err := strconv.Atoi(tpgt)
		if err != nil || n < 0 || n > 65535 {
			return p, fmt.Errorf("bad portal group tag in %.60q", s)
		}
		p.TPGT = n
	}
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return p, fmt.Errorf("unterminated [ in %.60q", s)
		}
		host, port = hostport[1:end], hostport[end+1:]
		if port != "" && port[0] != ':' {
			return p, fmt.Errorf("junk after ] in %.60q", s)
		}
		port = strings.TrimPrefix(port, ":")
		if !isIP(host) {
			return p, fmt.Errorf("bad IPv6 address in %.60q", s)
		}
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i+1:]
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return p, fmt.Errorf("bad port in %.60q", s)
		}
		p.Port = n
	}
	// A host name is at most 255 bytes (RFC 1035), which also keeps the
	// full "[host]:port,tpgt" form of any accepted address within 300.
	if host == "" || len(host) > 255 || strings.ContainsAny(host, "/,[]") || strings.ContainsFunc(host, badHostRune) || (strings.Contains(host, ":") && !isIP(host)) {
		return p, fmt.Errorf("bad address in %.60q", s)
	}
	p.Addr = host
	return p, nil
}

// badHostRune reports control characters and white space, which have no
// place in a host name or address.
func badHostRune(r rune) bool { return r <= ' ' || r == 0x7f || unicode.IsSpace(r) }

// Logout closes the session of a logged-in connection.
func Logout(ctx context.Context, rw io.ReadWriter, res *Result, cid uint16) error {
	defer watchContext(ctx, rw)()
	var p PDU
	p.BHS.SetOpcode(OpLogoutReq, true)
	p.BHS[1] = FlagFinal // reason 0: close the session
	p.BHS.SetITT(2)
	p.BHS.Put16(20, cid)
	p.BHS.Put32(24, res.CmdSN)
	p.BHS.Put32(28, res.StatSN+1)
	if err := WritePDU(rw, &p, Digests{}); err != nil {
		return err
	}
	rsp, err := readExpect(rw, OpLogoutResp, MaxTextData)
	if err != nil {
		return err
	}
	if code := rsp.BHS[2]; code != 0 {
		return fmt.Errorf("logout refused with response %d", code)
	}
	return nil
}

// isIP reports whether host is an IPv4 or IPv6 address without a zone.
func isIP(host string) bool {
	a, err := netip.ParseAddr(host)
	return err == nil && a.Zone() == ""
}
