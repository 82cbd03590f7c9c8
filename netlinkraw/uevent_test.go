package netlinkraw

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestUnmarshalShort(t *testing.T) {
	for n := 0; n < UeventLen; n += 7 {
		var u Uevent
		if err := u.UnmarshalBinary(make([]byte, n)); !errors.Is(err, ErrShort) {
			t.Errorf("UnmarshalBinary(%d bytes) = %v, want ErrShort", n, err)
		}
	}
	var u Uevent
	if err := u.UnmarshalBinary(make([]byte, UeventLen+MaxPayload+1)); !errors.Is(err, ErrTooLong) {
		t.Errorf("UnmarshalBinary(oversized) = %v, want ErrTooLong", err)
	}
	big := Uevent{Type: UeventSendPDU, Payload: make([]byte, MaxPayload+1)}
	if _, err := big.MarshalBinary(); !errors.Is(err, ErrTooLong) {
		t.Errorf("MarshalBinary(oversized) = %v, want ErrTooLong", err)
	}
}

// TestLayout checks each union member at its offset in the uevent.
func TestLayout(t *testing.T) {
	type field struct {
		off   int
		size  int
		value uint64
	}
	tests := []struct {
		name   string
		u      Uevent
		fields []field
	}{
		{"header", Uevent{Type: UeventStartConn, IfError: -22, TransportHandle: 0x1122334455667788},
			[]field{{0, 4, 17}, {4, 4, 0xffffffea}, {8, 8, 0x1122334455667788}}},
		{"c_session", Uevent{Type: UeventCreateSession, Request: Request{InitialCmdSN: 7, CmdsMax: 128, QueueDepth: 32}},
			[]field{{16, 4, 7}, {20, 2, 128}, {22, 2, 32}}},
		{"b_conn", Uevent{Type: UeventBindConn, Request: Request{Sid: 1, Cid: 2, TransportEph: 9, IsLeading: 1}},
			[]field{{16, 4, 1}, {20, 4, 2}, {24, 8, 9}, {32, 4, 1}}},
		{"stop_conn", Uevent{Type: UeventStopConn, Request: Request{Sid: 3, Cid: 4, ConnHandle: 5, Flag: StopConnRecover}},
			[]field{{16, 4, 3}, {20, 4, 4}, {24, 8, 5}, {32, 4, 3}}},
		{"set_param", Uevent{Type: UeventSetParam, Request: Request{Sid: 1, Param: ParamTargetName, Len: 22}},
			[]field{{16, 4, 1}, {24, 4, 15}, {28, 4, 22}}},
		{"send_pdu", Uevent{Type: UeventSendPDU, Request: Request{Sid: 1, Cid: 2, HdrSize: 48, DataSize: 424}},
			[]field{{24, 4, 48}, {28, 4, 424}}},
		{"d_session", Uevent{Type: UeventDestroySession, Request: Request{Sid: 6, Cid: 99}},
			[]field{{16, 4, 6}, {20, 4, 0}}},
		{"retcode", Uevent{Type: UeventBindConn, Reply: Reply{Retcode: -17}}, []field{{40, 4, 0xffffffef}}},
		{"c_session_ret", Uevent{Type: KeventCreateSession, Reply: Reply{Sid: 1, HostNo: 5}},
			[]field{{40, 4, 1}, {44, 4, 5}}},
		{"session_destroyed", Uevent{Type: KeventDestroySession, Reply: Reply{Sid: 1, HostNo: 5}},
			[]field{{40, 4, 5}, {44, 4, 1}}},
		{"c_conn_ret", Uevent{Type: UeventCreateConn, Reply: Reply{Sid: 2, Cid: 3}}, []field{{40, 4, 2}, {44, 4, 3}}},
		{"recv_req", Uevent{Type: KeventRecvPDU, Reply: Reply{Sid: 1, Cid: 2, RecvHandle: 3}},
			[]field{{40, 4, 1}, {44, 4, 2}, {48, 8, 3}}},
		{"connerror", Uevent{Type: KeventConnError, Reply: Reply{Sid: 1, Cid: 2, Error: ErrConnFailed}},
			[]field{{40, 4, 1}, {44, 4, 2}, {48, 4, 1011}}},
		{"conn_login", Uevent{Type: KeventConnLoginState, Reply: Reply{Sid: 1, Cid: 2, State: ConnFailed}},
			[]field{{48, 4, 2}}},
		{"raw", Uevent{Type: KeventIfError, Request: Request{Raw: [RequestLen]byte{0: 1, 23: 2}}, Reply: Reply{Raw: [ReplyLen]byte{15: 3}}},
			[]field{{16, 1, 1}, {39, 1, 2}, {55, 1, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.u.MarshalBinary()
			if err != nil || len(b) != UeventLen {
				t.Fatalf("MarshalBinary() = %d bytes, %v, want %d, nil", len(b), err, UeventLen)
			}
			for _, f := range tt.fields {
				if got := readField(b[f.off:], f.size); got != f.value {
					t.Errorf("bytes %d..%d = %#x, want %#x", f.off, f.off+f.size, got, f.value)
				}
			}
			want := tt.u
			if requestLayoutOf(want.Type) == reqSid {
				want.Request.Cid = 0 // not part of d_session
			}
			var back Uevent
			if err := back.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(back, want) {
				t.Errorf("UnmarshalBinary(MarshalBinary(%+v)) = %+v, %v, want %+v", tt.u, back, err, want)
			}
		})
	}
}

func readField(b []byte, size int) uint64 {
	ne := binary.NativeEndian
	switch size {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(ne.Uint16(b))
	case 4:
		return uint64(ne.Uint32(b))
	}
	return ne.Uint64(b)
}

func TestBuildersRefuse(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"set_param NUL", second(NewSetParam(1, 1, 0, ParamUsername, "a\x00b"))},
		{"set_param long", second(NewSetParam(1, 1, 0, ParamUsername, strings.Repeat("x", MaxParamLen)))},
		{"bind negative fd", second(NewBindConn(1, 1, 0, -1, true))},
		{"pdu short header", second(NewSendPDU(1, 1, 0, make([]byte, 47), nil))},
		{"pdu unaligned header", second(NewSendPDU(1, 1, 0, make([]byte, 50), nil))},
		{"pdu huge header", second(NewSendPDU(1, 1, 0, make([]byte, 48+1024), nil))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, ErrBadRequest) {
				t.Errorf("builder = %v, want ErrBadRequest", tt.err)
			}
		})
	}
	if u, err := NewSetParam(1, 1, 0, ParamUsername, strings.Repeat("x", MaxParamLen-1)); err != nil || u.Request.Len != MaxParamLen {
		t.Errorf("NewSetParam(longest) = %v, want Len %d", err, MaxParamLen)
	}
}

func second(_ *Uevent, err error) error { return err }

func TestSendPDUPadding(t *testing.T) {
	for n := 0; n < 9; n++ {
		u, err := NewSendPDU(1, 2, 3, make([]byte, 48), make([]byte, n))
		want := 48 + (n+3)/4*4
		if err != nil || len(u.Payload) != want || u.Request.DataSize != uint32(want-48) {
			t.Errorf("NewSendPDU(data %d) = payload %d, data_size %d, %v; want %d, %d", n, len(u.Payload), u.Request.DataSize, err, want, want-48)
		}
	}
}
