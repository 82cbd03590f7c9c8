package admin

import (
	"encoding/binary"
	"fmt"

	"github.com/goiscsi/goiscsi/daemon/ipc"
	"github.com/goiscsi/goiscsi/internal/iscsierr"
	"github.com/goiscsi/goiscsi/sysfs"
)

// Layout of the kernel's struct iscsi_stats (include/scsi/iscsi_if.h):
// two 64-bit octet counters, 19 PDU counters and two error counters of
// 32 bits, custom_length, then custom entries aligned to 8 bytes, each
// a 64-byte description and a 64-bit value.
const (
	statsFixedLen   = 96
	statsCustomLen  = 72
	statsCustomDesc = 64
	statsMaxCustom  = 128
)

var statsNames = [...]string{
	"noptx_pdus", "scsicmd_pdus", "tmfcmd_pdus", "login_pdus", "text_pdus", "dataout_pdus", "logout_pdus",
	"snack_pdus", "noprx_pdus", "scsirsp_pdus", "tmfrsp_pdus", "textrsp_pdus", "datain_pdus",
	"logoutrsp_pdus", "r2t_pdus", "async_pdus", "rjt_pdus", "digest_err", "timeout_err",
}

// formatStats prints struct iscsi_stats as iscsiadm -s does.
func formatStats(b []byte) (string, error) {
	if len(b) < statsFixedLen {
		return "", fmt.Errorf("statistics of %d bytes, want at least %d", len(b), statsFixedLen)
	}
	ne := binary.NativeEndian
	out := "iSCSI SNMP:\n"
	out += fmt.Sprintf("\ttxdata_octets: %d\n\trxdata_octets: %d\n", ne.Uint64(b[0:]), ne.Uint64(b[8:]))
	for i, name := range statsNames {
		out += fmt.Sprintf("\t%s: %d\n", name, ne.Uint32(b[16+4*i:]))
	}
	n := int(ne.Uint32(b[92:]))
	if n > statsMaxCustom || statsFixedLen+n*statsCustomLen > len(b) {
		return "", fmt.Errorf("statistics claim %d custom counters in %d bytes", n, len(b))
	}
	out += "iSCSI Extended:\n"
	for i := 0; i < n; i++ {
		e := b[statsFixedLen+i*statsCustomLen:]
		desc := e[:statsCustomDesc]
		if j := indexZero(desc); j >= 0 {
			desc = desc[:j]
		}
		out += fmt.Sprintf("\t%s: %d\n", printableOnly(string(desc)), ne.Uint64(e[statsCustomDesc:]))
	}
	return out, nil
}

func indexZero(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// printableOnly drops bytes a terminal would act on.
func printableOnly(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x20 && s[i] < 0x7f {
			out = append(out, s[i])
		}
	}
	return string(out)
}

// printStats asks iscsid for a session's statistics and prints them.
func (c *cmd) printStats(s sysfs.Session) error {
	rep, err := c.call(&ipc.Request{Op: ipc.OpStats, SID: s.SID})
	if err != nil {
		return err
	}
	text, err := formatStats(rep.Stats)
	if err != nil {
		return &iscsierr.Error{Code: iscsierr.Internal, Op: "stats", Err: err}
	}
	c.printf("Stats for session %s\n%s", sessionName(s), text)
	return nil
}
