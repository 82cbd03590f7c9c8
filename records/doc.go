// Package records owns goiscsi's record store: open-iscsi's on-disk
// database of node, discovery and interface records under /etc/iscsi
// (or another root), the initiator name file and iscsid.conf.
//
// Records are text files of "key = value" lines between "# BEGIN RECORD"
// and "# END RECORD", byte-compatible with open-iscsi 2.1.8, so that
// goiscsi and open-iscsi can share one database. Every key is described
// once, in the tables of fields.go; parsing, printing, updating and
// secret masking all work from those tables.
//
// Layout under the root:
//
//	nodes/<target>/<ip>,<port>,<tpgt>/<iface>   node record
//	nodes/<target>/<ip>,<port>                  node record without a tpgt (legacy layout)
//	send_targets/<ip>,<port>/st_config          SendTargets discovery record
//	send_targets/<ip>,<port>/<target>,<ip>,<port>,<tpgt>,<iface> -> node directory
//	static/<target>,<ip>,<port>,<tpgt>,<iface>  -> node directory (records made by hand)
//	ifaces/<name>                               interface record
//
// Every target name, address and interface name is validated before it
// becomes a path or a record line (see ValidateTargetName); a name from
// the network can never escape the root.
//
// # Locking
//
// Writers take the same lock open-iscsi's tools take: a hard link from
// <lockdir>/lock.write to <lockdir>/lock (lockdir /run/lock/iscsi), made
// with link(2), which fails while another holder has it. goiscsi and
// open-iscsi's iscsiadm therefore exclude each other. The price of that
// compatibility is open-iscsi's weakness: a holder that dies leaves the
// lock behind. Lock waits at most 30 seconds, as open-iscsi does, and
// then reports the lock file so an operator can remove it; a flock(2)
// lock would be released by the kernel but would not exclude open-iscsi.
// Files are written atomically (temporary file, fsync, rename, fsync of
// the directory), so readers never see half a record.
package records
