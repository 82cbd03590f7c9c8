// Package ipc owns the request protocol between iscsiadm (the client) and
// iscsid (the server): the frame codec, the request and response types,
// the server's accept loop with its peer-credential check, and the
// client's Call.
//
// # Transport
//
// iscsid listens on an abstract unix stream socket, by default
// "@goiscsi/iscsid" (DefaultName). Each connection carries exactly one
// request: the client connects, writes one request frame, reads one
// response frame and closes. The server checks the peer's credentials
// with SO_PEERCRED; by default only uid 0 may talk to iscsid.
//
// # Wire format, version 1
//
// A frame is a 12-byte header followed by a body:
//
//	bytes 0..3   magic "iSCd"
//	bytes 4..5   version, uint16 big endian (Version, 1)
//	bytes 6..7   reserved, written as zero, ignored when read
//	bytes 8..11  body length, uint32 big endian, at most MaxBody (1 MiB)
//	bytes 12..   body: a Request or a Response as fields
//
// The body is a sequence of fields: a one-byte tag, a 32-bit big-endian
// length, the value (strings as their bytes, integers as 8 bytes big
// endian, a session of a Response as nested fields); the tags are in
// codec.go. Zero values are left out, and unknown tags are skipped so
// that newer peers may add fields; a logout of session 3 is op "logout"
// (tag 1) and sid 3 (tag 2). A frame
// with another version is never decoded as version 1: its body is
// skipped and the reader gets a *VersionError. The server answers a
// request of another version with a version 1 Response whose code is
// ISCSI_ERR_INVALID_MGMT_REQ.
//
// Lengths are checked before anything is read, and the body buffer grows
// only with the bytes that actually arrive, so a peer cannot make either
// side allocate more than MaxBody for a frame.
package ipc
