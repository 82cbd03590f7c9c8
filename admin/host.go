package admin

import (
	"sort"
	"strconv"
	"strings"

	"github.com/goiscsi/goiscsi/internal/iscsierr"
)

// hostView is one iSCSI host as open-iscsi's host listing shows it:
// what its iscsi_host attributes say ("" for those unset) and the
// transport of its driver.
type hostView struct {
	no                                  int
	transport                           string // unknownValue when not loaded
	iname, ipaddress, hwaddress, netdev string
}

// hostMode is -m host: the iSCSI hosts, read from sysfs.
func (c *cmd) hostMode(o *options) error {
	var f treeFlags
	level := o.printLevel
	switch level {
	case 0, -1:
		hosts := c.readHostViews()
		if len(hosts) == 0 {
			return c.fail(iscsierr.NoObjsFound, "No iSCSI hosts.")
		}
		for _, h := range hosts {
			c.printHostFlat(h)
		}
		return nil
	case 4:
		c.printVersionHeader()
		f.scsiDevs = true
		fallthrough
	case 3:
		f.params = true
		fallthrough
	case 2:
		f.state, f.iface = true, true
		fallthrough
	case 1:
	default:
		return c.fail(iscsierr.Inval, "Invalid info level %d. Try 0 - 4.", level)
	}
	if o.host != "" {
		no, err := c.parseHost(o.host)
		if err != nil {
			return err
		}
		c.printHostTree(c.readHostView(no), f)
		return nil
	}
	hosts := c.readHostViews()
	if len(hosts) == 0 {
		return c.fail(iscsierr.NoObjsFound, "No iSCSI hosts.")
	}
	for _, h := range hosts {
		c.printHostTree(h, f)
	}
	return nil
}

// parseHost reads -H: a host number, or a hardware address (with ':')
// matched against the hosts' hwaddress.
func (c *cmd) parseHost(arg string) (int, error) {
	if !strings.Contains(arg, ":") {
		return atoi(arg), nil
	}
	for _, h := range c.readHostViews() {
		if strings.EqualFold(h.hwaddress, arg) {
			return h.no, nil
		}
	}
	return 0, c.fail(iscsierr.HostNotFound, "Could not match hwaddress %s to host.", arg)
}

// readHostViews reads every iSCSI host in open-iscsi's order (sysfs
// names sorted as strings).
func (c *cmd) readHostViews() []hostView {
	nos, _ := c.sysfs().Hosts()
	sort.Slice(nos, func(i, j int) bool { return strconv.Itoa(nos[i]) < strconv.Itoa(nos[j]) })
	out := make([]hostView, 0, len(nos))
	for _, n := range nos {
		out = append(out, c.readHostView(n))
	}
	return out
}

// readHostView reads iSCSI host no; what it cannot read stays empty.
func (c *cmd) readHostView(no int) hostView {
	root := c.sysfs()
	str := func(name string) string {
		s, _ := sysfsStr(root.HostValue(no, name))
		return s
	}
	return hostView{
		no:        no,
		transport: c.transportName(no),
		iname:     str("initiatorname"),
		ipaddress: str("ipaddress"),
		hwaddress: str("hwaddress"),
		netdev:    str("netdev"),
	}
}

// printHostFlat prints a host's one-line form:
// transport: [N] ip,[hwaddress],netdev initiatorname.
func (c *cmd) printHostFlat(h hostView) {
	c.printf("%s: [%d] %s,[%s],%s %s\n", orEmpty(h.transport), h.no,
		bracketed(h.ipaddress), orEmpty(h.hwaddress), orEmpty(h.netdev), orEmpty(h.iname))
}

// printHostTree prints a host at -P 1 and, when f asks for sessions
// (-P 2 and above), the sessions on it.
func (c *cmd) printHostTree(h hostView, f treeFlags) {
	c.printf("Host Number: %d\n", h.no)
	state, _ := sysfsStr(c.sysfs().SCSIHostValue(h.no, "state"))
	c.printf("\tState: %s\n", orUnknown(state))
	c.printf("\tTransport: %s\n", orEmpty(h.transport))
	c.printf("\tInitiatorname: %s\n", orEmpty(h.iname))
	c.printf("\tIPaddress: %s\n", bracketed(h.ipaddress))
	c.printf("\tHWaddress: %s\n", orEmpty(h.hwaddress))
	c.printf("\tNetdev: %s\n", orEmpty(h.netdev))
	if f == (treeFlags{}) {
		return
	}
	var mine []sessionView
	for _, v := range c.readSessionViews() {
		if v.host == h.no {
			mine = append(mine, v)
		}
	}
	if len(mine) == 0 {
		return
	}
	c.printf("\t*********\n\tSessions:\n\t*********\n")
	c.printSessionTree(mine, "\t", f, false)
}
