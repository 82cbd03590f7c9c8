// Package buildinfo owns the version the tools report. It is set at link
// time (go build -ldflags "-X github.com/goiscsi/goiscsi/internal/buildinfo.version=…")
// and never changed at run time.
package buildinfo

// version defaults to the open-iscsi release whose interfaces goiscsi
// implements, so scripts that check "iscsiadm --version" keep working.
var version = "2.1.8"

// Version returns the version string printed by --version.
func Version() string { return version }
