// Package netlinkraw will own the NETLINK_ISCSI codec (struct
// iscsi_uevent and its messages), the netlink socket and a fake kernel
// for tests. It is a leaf: it imports nothing of goiscsi's but
// internal packages.
package netlinkraw
