package sysfs

import (
	"fmt"
	"strconv"
)

func hostDir(hostNo int) string { return "host" + strconv.Itoa(hostNo) }

// Host is what sysfs says about one iSCSI host: its iscsi_host
// attributes and, from scsi_host, the driver and host state. A transport
// shows only some iscsi_host attributes (iscsi_tcp: initiatorname,
// ipaddress, hwaddress, netdev); those it does not show, or does not
// set, are empty.
type Host struct {
	No            int
	InitiatorName string
	IPAddress     string
	HWAddress     string
	NetDev        string
	PortState     string
	PortSpeed     string
	ProcName      string // SCSI driver, "iscsi_tcp" for software iSCSI
	State         string // SCSI host state: running, recovery, ...
}

// Host reads iSCSI host hostNo. It is an error wrapping fs.ErrNotExist
// when the kernel has no such iSCSI host.
func (r Root) Host(hostNo int) (Host, error) {
	h := Host{No: hostNo}
	if hostNo < 0 {
		return h, fmt.Errorf("sysfs: invalid host number %d", hostNo)
	}
	dir := hostDir(hostNo)
	if _, err := r.stat("class/iscsi_host", dir); err != nil {
		return h, fmt.Errorf("sysfs: iscsi host %d: %w", hostNo, err)
	}
	attr := func(name string) string { return r.optAttr("class/iscsi_host", dir, name) }
	h.InitiatorName = attr("initiatorname")
	h.IPAddress = attr("ipaddress")
	h.HWAddress = attr("hwaddress")
	h.NetDev = attr("netdev")
	h.PortState = attr("port_state")
	h.PortSpeed = attr("port_speed")
	h.ProcName = r.optAttr("class/scsi_host", dir, "proc_name")
	h.State = r.optAttr("class/scsi_host", dir, "state")
	return h, nil
}
