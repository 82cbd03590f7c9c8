package login

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"
)

// Opcodes (RFC 7143 section 11.1.1).
const (
	OpNOPOut       = 0x00
	OpSCSICommand  = 0x01
	OpTaskMgmt     = 0x02
	OpLoginReq     = 0x03
	OpTextReq      = 0x04
	OpDataOut      = 0x05
	OpLogoutReq    = 0x06
	OpSNACK        = 0x10
	OpNOPIn        = 0x20
	OpSCSIResponse = 0x21
	OpTaskMgmtResp = 0x22
	OpLoginResp    = 0x23
	OpTextResp     = 0x24
	OpDataIn       = 0x25
	OpLogoutResp   = 0x26
	OpR2T          = 0x31
	OpAsync        = 0x32
	OpReject       = 0x3f
)

// BHSLen is the size of the basic header segment.
const BHSLen = 48

// MaxTextData bounds the data segment of login and text PDUs when no
// smaller MaxRecvDataSegmentLength applies.
const MaxTextData = 16 << 20

// Flag bits of byte 1.
const (
	FlagFinal    = 0x80 // F (text, SCSI) and T (login, "transit")
	FlagContinue = 0x40 // C (login, text)
)

// BHS is a basic header segment, kept as the 48 wire bytes with
// accessors at the offsets RFC 7143 gives.
type BHS [BHSLen]byte

// Opcode returns the opcode without the immediate bit.
func (h *BHS) Opcode() byte { return h[0] & 0x3f }

// Immediate reports the I bit.
func (h *BHS) Immediate() bool { return h[0]&0x40 != 0 }

// SetOpcode sets the opcode and the I bit.
func (h *BHS) SetOpcode(op byte, immediate bool) {
	h[0] = op & 0x3f
	if immediate {
		h[0] |= 0x40
	}
}

// Flags is byte 1.
func (h *BHS) Flags() byte { return h[1] }

// TotalAHSLength is the AHS length in 4-byte words.
func (h *BHS) TotalAHSLength() int { return int(h[4]) }

// DataSegmentLength is the 24-bit data length, without padding.
func (h *BHS) DataSegmentLength() int {
	return int(h[5])<<16 | int(h[6])<<8 | int(h[7])
}

func (h *BHS) setDataSegmentLength(n int) {
	h[5], h[6], h[7] = byte(n>>16), byte(n>>8), byte(n)
}

// U16 and U32 read big-endian fields at off; Put16 and Put32 write them.
func (h *BHS) U16(off int) uint16          { return binary.BigEndian.Uint16(h[off:]) }
func (h *BHS) U32(off int) uint32          { return binary.BigEndian.Uint32(h[off:]) }
func (h *BHS) Put16(off int, v uint16)     { binary.BigEndian.PutUint16(h[off:], v) }
func (h *BHS) Put32(off int, v uint32)     { binary.BigEndian.PutUint32(h[off:], v) }
func (h *BHS) ITT() uint32                 { return h.U32(16) }
func (h *BHS) SetITT(v uint32)             { h.Put32(16, v) }
func (h *BHS) StatSN() uint32              { return h.U32(24) }
func (h *BHS) ExpCmdSN() uint32            { return h.U32(28) }
func (h *BHS) MaxCmdSN() uint32            { return h.U32(32) }
func (h *BHS) copyBytes(off int, b []byte) { copy(h[off:], b) }

// PDU is a header and its data segment (unpadded).
type PDU struct {
	BHS  BHS
	Data []byte
}

// Digests says which CRC32C digests a connection uses.
type Digests struct {
	Header, Data bool
}

// castagnoli is CRC32C's table, made on first use: login and discovery
// sessions seldom negotiate digests.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Errors of the codec; decoding errors wrap ErrProtocol.
var (
	ErrProtocol  = errors.New("iSCSI protocol error")
	ErrTooLarge  = fmt.Errorf("%w: data segment too large", ErrProtocol)
	ErrHeaderCRC = fmt.Errorf("%w: header digest mismatch", ErrProtocol)
	ErrDataCRC   = fmt.Errorf("%w: data digest mismatch", ErrProtocol)
)

func pad4(n int) int { return (n + 3) &^ 3 }

// ReadPDU reads one PDU. AHS are skipped; a data segment longer than
// maxData is refused before anything is allocated for it.
func ReadPDU(r io.Reader, maxData int, d Digests) (*PDU, error) {
	p := &PDU{}
	if _, err := io.ReadFull(r, p.BHS[:]); err != nil {
		return nil, fmt.Errorf("reading PDU header: %w", err)
	}
	ahs := make([]byte, p.BHS.TotalAHSLength()*4) // at most 1020 bytes
	if _, err := io.ReadFull(r, ahs); err != nil {
		return nil, fmt.Errorf("reading AHS: %w", err)
	}
	if d.Header {
		crc := crc32.Update(crc32.Update(0, castagnoli(), p.BHS[:]), castagnoli(), ahs)
		if err := readDigest(r, crc, ErrHeaderCRC); err != nil {
			return nil, err
		}
	}
	n := p.BHS.DataSegmentLength()
	if n > maxData {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, n, maxData)
	}
	if n == 0 {
		return p, nil
	}
	buf := make([]byte, pad4(n))
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("reading %d data bytes: %w", n, err)
	}
	if d.Data {
		if err := readDigest(r, crc32.Checksum(buf, castagnoli()), ErrDataCRC); err != nil {
			return nil, err
		}
	}
	p.Data = buf[:n]
	return p, nil
}

func readDigest(r io.Reader, want uint32, mismatch error) error {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return fmt.Errorf("reading digest: %w", err)
	}
	if binary.LittleEndian.Uint32(b[:]) != want {
		return mismatch
	}
	return nil
}

// Marshal returns the PDU's wire bytes: header, padded data and digests.
// It sets DataSegmentLength from Data.
func (p *PDU) Marshal(d Digests) ([]byte, error) {
	if len(p.Data) > 1<<24-1 {
		return nil, fmt.Errorf("data segment of %d bytes does not fit", len(p.Data))
	}
	p.BHS.setDataSegmentLength(len(p.Data))
	p.BHS[4] = 0 // no AHS on what we send
	out := make([]byte, 0, BHSLen+8+pad4(len(p.Data)))
	out = append(out, p.BHS[:]...)
	if d.Header {
		out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(p.BHS[:], castagnoli()))
	}
	if len(p.Data) > 0 {
		start := len(out)
		out = append(out, p.Data...)
		out = append(out, make([]byte, pad4(len(p.Data))-len(p.Data))...)
		if d.Data {
			out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out[start:], castagnoli()))
		}
	}
	return out, nil
}

// WritePDU writes p in one Write call.
func WritePDU(w io.Writer, p *PDU, d Digests) error {
	b, err := p.Marshal(d)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
