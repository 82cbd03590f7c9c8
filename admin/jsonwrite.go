package admin

import (
	"strconv"
	"unicode/utf8"
)

// This file writes SessionJSON by hand, byte for byte as
// json.MarshalIndent(v, "", "  ") writes it, so that the binary does not
// carry the standard library's JSON package (and the reflection it
// uses). The json tags on the types stay the schema: each appendJSON
// method writes the fields in their declared order under their tag
// names, honouring omitempty, and jsonwrite_test.go compares the bytes
// with json.MarshalIndent's.

// jsonWriter appends indented JSON to b. Containers are opened and
// closed with open and close; each member of an object starts with key,
// each element of an array with elem.
type jsonWriter struct {
	b     []byte
	depth int  // open containers
	empty bool // nothing written yet in the innermost open container
}

func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.empty = true
}

// close ends the innermost container with c; an empty one stays "[]"
// or "{}" on one line.
func (w *jsonWriter) close(c byte) {
	w.depth--
	if !w.empty {
		w.newline()
	}
	w.b = append(w.b, c)
	w.empty = false
}

func (w *jsonWriter) newline() {
	w.b = append(w.b, '\n')
	for range w.depth {
		w.b = append(w.b, ' ', ' ')
	}
}

// elem starts a value in the open container.
func (w *jsonWriter) elem() {
	if !w.empty {
		w.b = append(w.b, ',')
	}
	w.newline()
	w.empty = false
}

// key starts the member name of the open object.
func (w *jsonWriter) key(name string) {
	w.elem()
	w.b = appendJSONString(w.b, name)
	w.b = append(w.b, ':', ' ')
}

func (w *jsonWriter) null() { w.b = append(w.b, "null"...) }

func (w *jsonWriter) str(s string) { w.b = appendJSONString(w.b, s) }

func (w *jsonWriter) int(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) }

func (w *jsonWriter) uint64(n uint64) { w.b = strconv.AppendUint(w.b, n, 10) }

func (w *jsonWriter) bool(v bool) { w.b = strconv.AppendBool(w.b, v) }

func (w *jsonWriter) strPtr(p *string) {
	if p == nil {
		w.null()
		return
	}
	w.str(*p)
}

func (w *jsonWriter) intPtr(p *int) {
	if p == nil {
		w.null()
		return
	}
	w.int(*p)
}

func (w *jsonWriter) boolPtr(p *bool) {
	if p == nil {
		w.null()
		return
	}
	w.bool(*p)
}

// marshalSessionsJSON is json.MarshalIndent(ss, "", "  "): no final
// newline, "null" for a nil slice, "[]" for an empty one.
func marshalSessionsJSON(ss []SessionJSON) []byte {
	w := &jsonWriter{}
	if ss == nil {
		w.null()
		return w.b
	}
	w.open('[')
	for i := range ss {
		w.elem()
		ss[i].appendJSON(w)
	}
	w.close(']')
	return w.b
}

func (s *SessionJSON) appendJSON(w *jsonWriter) {
	w.open('{')
	w.key("sid")
	w.int(s.SID)
	w.key("target")
	w.str(s.Target)
	w.key("tpgt")
	w.intPtr(s.TPGT)
	w.key("flash")
	w.bool(s.Flash)
	w.key("transport")
	w.strPtr(s.Transport)
	w.key("host")
	w.int(s.Host)
	w.key("portal")
	s.Portal.appendJSON(w)
	w.key("current_portal")
	s.CurrentPortal.appendJSON(w)
	w.key("iface")
	s.Iface.appendJSON(w)
	w.key("connection_state")
	w.strPtr(s.ConnectionState)
	w.key("session_state")
	w.strPtr(s.SessionState)
	w.key("internal_state")
	w.strPtr(s.InternalState)
	w.key("kernel_connection_state")
	w.strPtr(s.KernelConnectionState)
	w.key("timeouts")
	s.Timeouts.appendJSON(w)
	w.key("chap")
	s.CHAP.appendJSON(w)
	w.key("negotiated")
	s.Negotiated.appendJSON(w)
	w.key("host_state")
	w.strPtr(s.HostState)
	w.key("luns")
	if s.LUNs == nil {
		w.null()
	} else {
		w.open('[')
		for i := range s.LUNs {
			w.elem()
			s.LUNs[i].appendJSON(w)
		}
		w.close(']')
	}
	w.close('}')
}

func (p *PortalJSON) appendJSON(w *jsonWriter) {
	w.open('{')
	w.key("address")
	w.strPtr(p.Address)
	w.key("port")
	w.intPtr(p.Port)
	w.close('}')
}

func (f *IfaceJSON) appendJSON(w *jsonWriter) {
	w.open('{')
	w.key("name")
	w.strPtr(f.Name)
	w.key("transport")
	w.strPtr(f.Transport)
	w.key("initiator_name")
	w.strPtr(f.InitiatorName)
	w.key("ipaddress")
	w.strPtr(f.IPAddress)
	w.key("hwaddress")
	w.strPtr(f.HWAddress)
	w.key("netdev")
	w.strPtr(f.Netdev)
	w.close('}')
}

func (t *TimeoutsJSON) appendJSON(w *jsonWriter) {
	w.open('{')
	w.key("recovery")
	w.intPtr(t.Recovery)
	w.key("target_reset")
	w.intPtr(t.TargetReset)
	w.key("lun_reset")
	w.intPtr(t.LUNReset)
	w.key("abort")
	w.intPtr(t.Abort)
	w.close('}')
}

// appendJSON leaves out a nil password or password_in (omitempty).
func (c *CHAPJSON) appendJSON(w *jsonWriter) {
	w.open('{')
	w.key("username")
	w.strPtr(c.Username)
	if c.Password != nil {
		w.key("password")
		w.str(*c.Password)
	}
	w.key("username_in")
	w.strPtr(c.UsernameIn)
	if c.PasswordIn != nil {
		w.key("password_in")
		w.str(*c.PasswordIn)
	}
	w.close('}')
}

func (n *NegotiatedJSON) appendJSON(w *jsonWriter) {
	w.open('{')
	w.key("header_digest")
	w.strPtr(n.HeaderDigest)
	w.key("data_digest")
	w.strPtr(n.DataDigest)
	w.key("max_recv_data_segment_length")
	w.intPtr(n.MaxRecvDataSegmentLength)
	w.key("max_xmit_data_segment_length")
	w.intPtr(n.MaxXmitDataSegmentLength)
	w.key("first_burst_length")
	w.intPtr(n.FirstBurstLength)
	w.key("max_burst_length")
	w.intPtr(n.MaxBurstLength)
	w.key("immediate_data")
	w.boolPtr(n.ImmediateData)
	w.key("initial_r2t")
	w.boolPtr(n.InitialR2T)
	w.key("max_outstanding_r2t")
	w.intPtr(n.MaxOutstandingR2T)
	w.close('}')
}

func (l *LUNJSON) appendJSON(w *jsonWriter) {
	w.open('{')
	w.key("host")
	w.int(l.Host)
	w.key("channel")
	w.int(l.Channel)
	w.key("target")
	w.int(l.Target)
	w.key("lun")
	w.uint64(l.LUN)
	w.key("type")
	w.intPtr(l.Type)
	w.key("state")
	w.strPtr(l.State)
	w.key("device")
	w.strPtr(l.Device)
	w.close('}')
}

// appendJSONString appends s as a JSON string the way json.Marshal
// writes it (with its default HTML escaping): '"' and '\\' after a
// backslash; \b, \f, \n, \r, \t; other bytes below 0x20 and '<', '>',
// '&' as \u00xx (lower-case hex); U+2028 and U+2029 as \u2028 and
// \u2029; each byte that is not part of valid UTF-8 as \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
