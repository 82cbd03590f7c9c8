// Command mkinitramfs writes the reproducible newc cpio initramfs that
// boots a diskless machine from an iSCSI root disk (see package
// initramfs):
//
//	mkinitramfs -binary bin/goiscsi -modules /lib/modules/KVER -o initramfs.cpio \
//		[-initiatorname iqn...] [-iscsid-conf dist/iscsid.conf] [-shell busybox] \
//		[-extra-modules a,b]
//
// It is a build-time tool: "make initramfs" runs it.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/goiscsi/goiscsi/initramfs"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

// run parses args, writes the archive and reports on stderr; it returns
// the exit status: 0, 1 on failure, 2 on bad usage.
func run(args []string, stderr io.Writer) int {
	fl := flag.NewFlagSet("mkinitramfs", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var cfg initramfs.Config
	var out, extra string
	fl.StringVar(&cfg.Binary, "binary", "bin/goiscsi", "static goiscsi `binary`, shipped as /sbin/goiscsi and /init")
	fl.StringVar(&cfg.Modules, "modules", "", "kernel module tree `dir`, /lib/modules/KVER (required)")
	fl.StringVar(&out, "o", "", "output cpio `file` (required)")
	fl.StringVar(&cfg.InitiatorName, "initiatorname", "", "write /etc/iscsi/initiatorname.iscsi with this `iqn`")
	fl.StringVar(&cfg.ISCSIDConf, "iscsid-conf", "dist/iscsid.conf", "`file` shipped as /etc/iscsi/iscsid.conf (\"\" for none)")
	fl.StringVar(&cfg.Shell, "shell", "", "static rescue shell `binary` (busybox, elvish, gosh), shipped in /bin with /bin/sh")
	fl.StringVar(&extra, "extra-modules", "", "comma-separated `modules` to ship as well as the defaults ("+
		strings.Join(initramfs.DefaultModules(), ",")+")")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 || cfg.Modules == "" || out == "" {
		fmt.Fprintln(stderr, "usage: mkinitramfs -binary bin/goiscsi -modules /lib/modules/KVER -o file.cpio [flags]")
		fl.PrintDefaults()
		return 2
	}
	for _, m := range strings.Split(extra, ",") {
		if m = strings.TrimSpace(m); m != "" {
			cfg.ExtraModules = append(cfg.ExtraModules, m)
		}
	}
	res, err := write(out, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mkinitramfs: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "mkinitramfs: wrote %s: %d bytes, %d entries, %d modules for kernel %s\n",
		out, res.Size, res.Entries, len(res.Modules.Paths), res.Version)
	if len(res.Modules.Builtin) > 0 {
		fmt.Fprintf(stderr, "mkinitramfs: built in, skipped: %s\n", strings.Join(res.Modules.Builtin, " "))
	}
	if len(res.Modules.Absent) > 0 {
		fmt.Fprintf(stderr, "mkinitramfs: not in the module tree, skipped: %s\n", strings.Join(res.Modules.Absent, " "))
	}
	return 0
}

// write builds the archive into a temporary file beside out and renames
// it into place, so out is never left half written.
func write(out string, cfg initramfs.Config) (*initramfs.Result, error) {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", out, err)
	}
	defer os.Remove(f.Name()) // no-op once renamed
	bw := bufio.NewWriterSize(f, 1<<20)
	res, err := initramfs.Build(bw, cfg)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	err = f.Chmod(0o644)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), out)
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", out, err)
	}
	return res, nil
}
