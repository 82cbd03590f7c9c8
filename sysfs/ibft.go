package sysfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// The iSCSI Boot Firmware Table as the kernel's iscsi_ibft module shows
// it under firmware/ibft: one initiator, ethernetN and targetN
// directories of attribute files. The kernel creates a file only for a
// field the table sets, so an absent file reads as "" (or 0).
//
// IBFT validates what it reads, since the firmware is outside the
// initiator's control and its strings end up in messages, records and
// network configuration: no value may hold a control character, target
// names must look like iSCSI names (iqn./eui./naa., at most 223 bytes,
// no '/' or ".."), addresses and MAC addresses must parse. The full
// RFC 3720 name check is the callers' (records.ValidateTargetName).

// IBFTInitiator is firmware/ibft/initiator.
type IBFTInitiator struct {
	Name  string // initiator-name
	ISID  string // isid
	Flags int
	Index int
}

// IBFTNIC is firmware/ibft/ethernetN.
type IBFTNIC struct {
	ID           int // the N of ethernetN
	Index        int
	Flags        int
	Origin       int // 3 is DHCP
	PrefixLen    int
	IPAddr       string
	SubnetMask   string
	Gateway      string
	PrimaryDNS   string
	SecondaryDNS string
	DHCP         string
	VLAN         string
	MAC          string
	Hostname     string
	// NetDev is the network interface of the NIC's PCI function, from
	// ethernetN/device/net, or found by MAC; "" when the table names
	// no device. DevLinked says whether ethernetN/device exists.
	NetDev    string
	DevLinked bool
}

// IBFTTarget is firmware/ibft/targetN. Its String masks the secrets.
type IBFTTarget struct {
	ID            int // the N of targetN
	Index         int
	Flags         int
	Port          int // 3260 when the table has none
	NICAssoc      int
	HasNICAssoc   bool
	ChapType      int // 0 none, 1 CHAP, 2 mutual CHAP
	IPAddr        string
	LUN           string // as the kernel prints it, e.g. "01000000"
	Name          string // target-name
	ChapName      string
	ChapSecret    string
	RevChapName   string
	RevChapSecret string // rev-chap-name-secret (rev-chap-secret accepted)
}

func (t IBFTTarget) String() string {
	return fmt.Sprintf("target%d %s %s:%d lun %s chap %d user %q secret %s user_in %q secret_in %s",
		t.ID, t.Name, t.IPAddr, t.Port, t.LUN, t.ChapType, t.ChapName, masked(t.ChapSecret),
		t.RevChapName, masked(t.RevChapSecret))
}

func masked(s string) string {
	if s == "" {
		return `""`
	}
	return "********"
}

// IBFT is the whole table.
type IBFT struct {
	Initiator IBFTInitiator
	NICs      []IBFTNIC
	Targets   []IBFTTarget
}

// IBFT reads firmware/ibft. Without a table (no firmware/ibft/initiator)
// the error wraps fs.ErrNotExist.
func (r Root) IBFT() (IBFT, error) {
	var t IBFT
	if _, err := r.stat("firmware", "ibft", "initiator"); err != nil {
		return t, fmt.Errorf("sysfs: no iBFT in %s: %w", r.path("firmware", "ibft"), err)
	}
	a := ibftReader{r: r, dir: "initiator"}
	t.Initiator = IBFTInitiator{
		Name: a.text("initiator-name"), ISID: a.text("isid"),
		Flags: a.num("flags"), Index: a.num("index"),
	}
	if t.Initiator.Name != "" {
		a.check("initiator-name", checkName(t.Initiator.Name))
	}
	if a.err != nil {
		return t, a.err
	}
	nics, err := r.numbered("firmware/ibft", "ethernet")
	if err != nil {
		return t, fmt.Errorf("sysfs: list iBFT NICs: %w", err)
	}
	for _, n := range nics {
		nic, err := r.ibftNIC(n)
		if err != nil {
			return t, err
		}
		t.NICs = append(t.NICs, nic)
	}
	tgts, err := r.numbered("firmware/ibft", "target")
	if err != nil {
		return t, fmt.Errorf("sysfs: list iBFT targets: %w", err)
	}
	for _, n := range tgts {
		tgt, err := r.ibftTarget(n)
		if err != nil {
			return t, err
		}
		t.Targets = append(t.Targets, tgt)
	}
	return t, nil
}

func (r Root) ibftNIC(n int) (IBFTNIC, error) {
	a := ibftReader{r: r, dir: "ethernet" + strconv.Itoa(n)}
	nic := IBFTNIC{
		ID: n, Index: a.num("index"), Flags: a.num("flags"), Origin: a.num("origin"),
		PrefixLen: a.num("prefix-len"), IPAddr: a.addr("ip-addr"), SubnetMask: a.addr("subnet-mask"),
		Gateway: a.addr("gateway"), PrimaryDNS: a.addr("primary-dns"), SecondaryDNS: a.addr("secondary-dns"),
		DHCP: a.addr("dhcp"), VLAN: a.text("vlan"), MAC: a.text("mac"), Hostname: a.text("hostname"),
	}
	if nic.MAC != "" {
		if _, err := ParseMAC(nic.MAC); err != nil {
			a.check("mac", err)
		}
	}
	if nic.VLAN != "" {
		if v, err := strconv.Atoi(nic.VLAN); err != nil || v < 0 || v > 4095 {
			a.check("vlan", errors.New("not a VLAN id"))
		}
	}
	if nic.PrefixLen < 0 || nic.PrefixLen > 128 {
		a.check("prefix-len", errors.New("out of range"))
	}
	a.check("hostname", checkName(nic.Hostname))
	if a.err != nil {
		return nic, a.err
	}
	nic.NetDev, nic.DevLinked = r.ibftNetDev(a.dir, nic.MAC)
	return nic, nil
}

func (r Root) ibftTarget(n int) (IBFTTarget, error) {
	a := ibftReader{r: r, dir: "target" + strconv.Itoa(n)}
	t := IBFTTarget{
		ID: n, Index: a.num("index"), Flags: a.num("flags"), Port: a.num("port"),
		ChapType: a.num("chap-type"), IPAddr: a.addr("ip-addr"), LUN: a.text("lun"),
		Name: a.text("target-name"), ChapName: a.text("chap-name"), ChapSecret: a.secret("chap-secret"),
		RevChapName: a.text("rev-chap-name"), RevChapSecret: a.secret("rev-chap-name-secret"),
	}
	if t.RevChapSecret == "" {
		t.RevChapSecret = a.secret("rev-chap-secret")
	}
	if _, err := r.stat("firmware", "ibft", a.dir, "nic-assoc"); err == nil {
		t.NICAssoc, t.HasNICAssoc = a.num("nic-assoc"), true
	}
	if t.Port == 0 {
		t.Port = 3260
	}
	if t.Port < 1 || t.Port > 65535 {
		a.check("port", errors.New("out of range"))
	}
	if t.Name != "" {
		a.check("target-name", checkTargetName(t.Name))
	}
	return t, a.err
}

// ibftNetDev finds the interface of a NIC: the first entry of
// device/net (or an old-style "net:NAME" entry of device), or else the
// interface whose address is mac. linked is whether device exists.
func (r Root) ibftNetDev(dir, mac string) (name string, linked bool) {
	dev := r.path("firmware", "ibft", dir, "device")
	entries, err := os.ReadDir(dev)
	if err != nil {
		return "", false
	}
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), "net:"); ok && validNetDev(n) {
			return n, true
		}
	}
	if nets, err := os.ReadDir(dev + "/net"); err == nil {
		for _, e := range nets {
			if validNetDev(e.Name()) {
				return e.Name(), true
			}
		}
	}
	return r.netDevByMAC(mac), true
}

// netDevByMAC returns the interface in class/net whose address is mac.
func (r Root) netDevByMAC(mac string) string {
	want, err := ParseMAC(mac)
	if err != nil {
		return ""
	}
	entries, err := os.ReadDir(r.path("class", "net"))
	if err != nil {
		return ""
	}
	for _, e := range entries {
		got, err := ParseMAC(r.optAttr("class", "net", e.Name(), "address"))
		if err == nil && bytes.Equal(got, want) && validNetDev(e.Name()) {
			return e.Name()
		}
	}
	return ""
}

// validNetDev accepts what Linux accepts as an interface name.
func validNetDev(n string) bool {
	if n == "" || len(n) > 15 || n == "." || n == ".." {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; c <= ' ' || c == '/' || c == ':' || c >= 0x7f {
			return false
		}
	}
	return true
}

// ibftReader reads the attributes of one iBFT directory, keeping the
// first error. An absent attribute is "" or 0.
type ibftReader struct {
	r   Root
	dir string
	err error
}

func (a *ibftReader) check(name string, err error) {
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("sysfs: iBFT %s/%s: %w", a.dir, name, err)
	}
}

func (a *ibftReader) raw(name string) string {
	v, err := a.r.Attr("firmware", "ibft", a.dir, name)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	a.check(name, err)
	if len(v) > 255 {
		a.check(name, errors.New("longer than 255 bytes"))
		return ""
	}
	return v
}

func (a *ibftReader) text(name string) string {
	v := a.raw(name)
	if hasControl(v) {
		a.check(name, fmt.Errorf("control character in %q", v))
		return ""
	}
	return v
}

// secret is text whose value never appears in an error.
func (a *ibftReader) secret(name string) string {
	v := a.raw(name)
	if hasControl(v) {
		a.check(name, errors.New("control character in secret"))
		return ""
	}
	return v
}

func (a *ibftReader) num(name string) int {
	v := a.text(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	a.check(name, err)
	return n
}

func (a *ibftReader) addr(name string) string {
	v := a.text(name)
	if v == "" {
		return ""
	}
	if _, err := netip.ParseAddr(v); err != nil {
		a.check(name, err)
		return ""
	}
	return v
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// checkName refuses a name that could be taken for a path.
func checkName(s string) error {
	if strings.Contains(s, "/") || strings.Contains(s, "..") {
		return fmt.Errorf("%q contains '/' or \"..\"", s)
	}
	return nil
}

// checkTargetName is the part of the iSCSI name rules a leaf can check.
func checkTargetName(s string) error {
	p := strings.ToLower(s[:min(4, len(s))])
	switch {
	case p != "iqn." && p != "eui." && p != "naa.":
		return fmt.Errorf("%q is not an iqn., eui. or naa. name", s)
	case len(s) > 223:
		return errors.New("target name longer than 223 bytes")
	}
	return checkName(s)
}
