// Package login owns everything goiscsi says to an iSCSI target in
// userspace: the PDU codec (basic header segment, AHS, data segment,
// digests), text key=value parsing, login negotiation through the
// Security and Operational stages with a declarative key table (RFC
// 7143), CHAP, login redirection (Connect), SendTargets discovery and
// logout.
//
// It works over an io.ReadWriter (a TCP connection, or the kernel's
// SEND_PDU/RECV_PDU path) and treats every byte from the target as
// hostile: lengths are bounded before anything is allocated, text must
// be NUL-terminated key=value pairs, and names are validated before they
// reach callers.
package login
