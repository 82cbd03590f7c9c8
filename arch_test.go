package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/goiscsi/goiscsi"

// listPackages runs "go list" with a format printing "path dep dep …".
func listPackages(t *testing.T, format string, patterns ...string) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-f", format}, patterns...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			pkgs[f[0]] = f[1:]
		}
	}
	return pkgs
}

func rel(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// adminMayLink lists the daemon packages iscsiadm may link: protocol
// libraries, as open-iscsi's iscsiadm links its iscsi_lib_srcs (login,
// discovery) but never the initiator itself.
var adminMayLink = map[string]bool{"daemon/login": true, "daemon/ipc": true}

func isLeaf(p string) bool {
	return under(p, "netlinkraw") || under(p, "sysfs") || under(p, "records") || under(p, "internal")
}

// sameLeaf reports whether p and i are in the same leaf's tree, as a
// leaf's test fake (netlinkraw/nltest) and the leaf itself are.
func sameLeaf(p, i string) bool {
	top, _, _ := strings.Cut(p, "/")
	return top != "internal" && under(i, top)
}

// TestArchitecture enforces the import rules of the design card:
// leaves import nothing of ours but internal/* (and their own tree); admin never reaches the
// daemon (only its protocol libraries); only initramfs may use u-root's image builder, and nothing in
// the binary imports initramfs.
func TestArchitecture(t *testing.T) {
	direct := listPackages(t, `{{.ImportPath}} {{join .Imports " "}}`, "./...")
	deps := listPackages(t, `{{.ImportPath}} {{join .Deps " "}}`, "./...")
	for pkg, imports := range direct {
		p := rel(pkg)
		for _, imp := range imports {
			if !strings.HasPrefix(imp, module) {
				if strings.HasPrefix(imp, "github.com/u-root/") && strings.Contains(imp, "uroot") && !under(p, "initramfs") {
					t.Errorf("%s imports u-root's image builder %s; only initramfs may", p, imp)
				}
				if imp == "golang.org/x/sys/unix" && !under(p, "netlinkraw") && p != "daemon" && p != "boot" && p != "internal/sock" {
					t.Errorf("%s imports %s; system calls belong in netlinkraw, internal/sock, daemon and boot", p, imp)
				}
				continue
			}
			i := rel(imp)
			if isLeaf(p) && !under(i, "internal") && !sameLeaf(p, i) {
				t.Errorf("leaf package %s imports %s; leaves import only internal/*", p, i)
			}
			if under(i, "initramfs") && !under(p, "initramfs") {
				t.Errorf("%s imports %s; initramfs is a build tool, not part of the binary", p, i)
			}
		}
	}
	for pkg, all := range deps {
		p := rel(pkg)
		if p == "" && slices.Contains(all, "net") {
			t.Errorf("the binary links package net; sockets go through internal/sock (net is a tenth of the binary)")
		}
		if !under(p, "admin") && !adminMayLink[p] {
			continue
		}
		for _, d := range all {
			if !strings.HasPrefix(d, module) || !under(rel(d), "daemon") || adminMayLink[rel(d)] {
				continue
			}
			t.Errorf("%s depends on %s; iscsiadm must not link the daemon", p, rel(d))
		}
	}
}
