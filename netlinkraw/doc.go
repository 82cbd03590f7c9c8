// Package netlinkraw owns goiscsi's side of NETLINK_ISCSI, the netlink
// protocol between the iSCSI initiator in user space and the kernel's
// scsi_transport_iscsi (with iscsi_tcp underneath):
//
//   - the codec of struct iscsi_uevent (Uevent) and of the netlink
//     messages that carry it (Message, ParseMessages);
//   - the ISCSI_UEVENT_*/ISCSI_KEVENT_* types, the ISCSI_PARAM_*
//     parameters, the STOP_CONN_* flags and the other numbers of
//     include/scsi/iscsi_if.h, with their kernel names;
//   - the socket (Dial) and a connection (Conn) that pairs each request
//     with the kernel's reply and hands everything else to Events.
//
// The fake kernel for tests is in the nltest subpackage.
//
// Layout. The uevent is 56 bytes on LP64 kernels (x86_64, arm64, …),
// in host byte order: type (u32) at 0, iferror (s32) at 4,
// transport_handle (u64) at 8, the request union u (24 bytes) at 16 and
// the reply union r (16 bytes) at 40. Which union member is meant
// depends on the type; Request and Reply document it field by field.
// i386 kernels pack the unions differently and are not supported.
//
// Replies. The kernel answers each request with a copy of the request's
// uevent, nlmsg_type equal to the request type, and sent to our port
// alone; it fills r (retcode, or the new sid/cid) and, when the request
// fails outright, turns the type into ISCSI_KEVENT_IF_ERROR with a
// negative errno in iferror. GET_STATS is the exception: its answer is
// multicast, nlmsg_type 0, with uevent type GET_STATS. Kernel events
// (ISCSI_KEVENT_*) are multicast to group 1 with nlmsg_type 0; the
// kernel also announces a new session that way, before the reply to
// CREATE_SESSION.
//
// This package is a leaf: it imports nothing of goiscsi's.
package netlinkraw
