package vmtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goiscsi/goiscsi/initramfs"
	"github.com/goiscsi/goiscsi/internal/tgttest"
)

// benchLoginScript logs in to RootIQN with the iscsistart at @BIN@,
// timed by kernel log marks written just before and after (µs
// timestamps), then to DataIQN under busybox "time -v" for its peak
// RSS; it prints the marks with dmesg.
const benchLoginScript = `
@PREP@
echo "<6>BENCH-A" >/dev/kmsg
@BIN@ -i @INITIATOR@ -t @ROOT@ -g 1 -a @ADDR@ -p @PORT@ >/tmp/login.out 2>&1
rc=$?
echo "<6>BENCH-B" >/dev/kmsg
echo "BENCH-LOGIN-RC $rc"
[ $rc = 0 ] || cat /tmp/login.out
busybox time -v @BIN@ -i @INITIATOR@ -t @DATA@ -g 1 -a @ADDR@ -p @PORT@ >/tmp/data.out 2>/tmp/data.err
echo "BENCH-DATA-RC $?"
echo "BENCH-RSS-KB $(sed -n 's/.*Maximum resident set size (kbytes): //p' /tmp/data.err)"
echo "BENCH-FLOOR-KB $(busybox time -v true 2>&1 | sed -n 's/.*Maximum resident set size (kbytes): //p')"
dmesg | grep BENCH-
exit $rc
`

// benchSide is what one initiator gave over the runs.
type benchSide struct {
	login, mounted, rssKB []float64
	floorKB               []float64 // busybox "time -v true": what time -v reports for the smallest process
}

// benchReport is everything BENCHMARKS.md shows.
type benchReport struct {
	runs                   int
	kernel, tgt, qemu      string
	g, o                   benchSide
	gImage, oImage         int64 // uncompressed cpio bytes
	gImageGz, oImageGz     int64
	gModules               int
	gBin                   int64
	oBins, oLibs           int64
	oNLibs                 int
	oStartBin, oStartLibs  int64
	oStartNLibs            int
	debs                   map[string]string
	gImageText, oImageText string
	loginRan               bool              // the login part ran to its end
	d                      benchDaemonReport // the daemon part
	took                   time.Duration     // the whole benchmark, set-up included
}

// TestBench is "make bench": it boots goiscsi and open-iscsi alternately
// in the same QEMU setup (BENCH_RUNS times each, default 5) and writes
// BENCHMARKS.md and BENCHMARKS.svg at the module root. Its subtest
// "daemon" measures the daemon path (iscsid's memory with two sessions,
// "iscsiadm -m node -l" to 64 targets, a SendTargets discovery of 1,000
// targets), "login" the boot path (iscsistart's login time, /init →
// root mounted, image and binary sizes, iscsistart's peak RSS). The
// files are written only when both ran and passed (-run
// 'TestBench/daemon' logs its part of the report instead); the
// hand-written Observations section of the BENCHMARKS.md it replaces is
// kept. It runs only when GOISCSI_BENCH=1.
func TestBench(t *testing.T) {
	if os.Getenv("GOISCSI_BENCH") != "1" {
		t.Skip("the benchmark runs with GOISCSI_BENCH=1 (make bench)")
	}
	runs := 5
	if s := os.Getenv("BENCH_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("BENCH_RUNS=%q: want a positive number", s)
		}
		runs = n
	}
	start := time.Now()
	vm := New(t)
	ctx := context.Background()
	oi, err := FetchOpenISCSI(ctx, CacheDir(), t.Logf)
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	tg := vm.StartTargets(t)
	rep := &benchReport{runs: runs, kernel: vm.Kernel.Version, debs: oi.Deb}
	rep.tgt = hostOutput("dpkg-query", "-W", "-f", "${Version}", "tgt")
	rep.qemu = strings.TrimPrefix(firstLine(hostOutput("qemu-system-x86_64", "--version")), "QEMU emulator version ")
	// The daemon part first: its discovery must find root, data and its
	// 64 targets only, not the login part's boot target.
	luns := t.TempDir()
	t.Run("daemon", func(t *testing.T) { benchDaemon(t, vm, tg, oi, runs, luns, &rep.d) })
	t.Run("login", func(t *testing.T) { benchLoginPart(t, vm, tg, oi, rep) })
	rep.took = time.Since(start)
	if !rep.d.ran || !rep.loginRan || t.Failed() {
		t.Logf("not writing BENCHMARKS.md (daemon part ran: %v, login part ran: %v, failed: %v); the report would be:\n%s",
			rep.d.ran, rep.loginRan, t.Failed(), rep.markdown())
		return
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(filepath.Join(root, "BENCHMARKS.md"))
	md, svg := rep.markdown()+keptObservations(string(old)), rep.svg()
	for _, l := range strings.Split(rep.table()+"\n\n"+rep.daemonTable(), "\n") {
		t.Log(l)
	}
	if err := os.WriteFile(filepath.Join(root, "BENCHMARKS.md"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "BENCHMARKS.svg"), []byte(svg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s and BENCHMARKS.svg", filepath.Join(root, "BENCHMARKS.md"))
}

// keptObservations is the hand-written "## Observations" section of the
// BENCHMARKS.md being replaced, to the end of the file, or "".
func keptObservations(old string) string {
	i := strings.Index(old, "\n## Observations")
	if i < 0 {
		return ""
	}
	_, body, _ := strings.Cut(old[i+1:], "\n")
	return "\n## Observations (written by hand; `make bench` keeps this section)\n" + body
}

// benchLoginPart is TestBench's boot path: iscsistart logins and boots
// to the root disk, alternately for goiscsi and open-iscsi, and the
// sizes of images and binaries.
func benchLoginPart(t *testing.T, vm *VM, tg *tgttest.Target, oi *OpenISCSI, rep *benchReport) {
	runs := rep.runs
	benchRestart(t, tg) // without the daemon part's sessions
	tg.AddTarget(3, BootIQN)
	tg.AddLUN(3, 1, vm.RootFS(t, 32<<20))
	dir := t.TempDir()
	gImage, res := goiscsiImage(t, vm, func(c *initramfs.Config) { c.InitiatorName = InitiatorIQN })
	var names []string
	for _, p := range res.Modules.Paths {
		names = append(names, modName(p))
	}
	order, err := vm.mods.resolve(names)
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	oImage := filepath.Join(dir, "open-iscsi.cpio")
	if rep.oImage, err = oi.openISCSIImage(oImage, vm.busybox, vm.Kernel, order, BootIQN); err != nil {
		t.Fatalf("bench: %v", err)
	}
	rep.gImage, rep.gModules = res.Size, len(res.Modules.Paths)
	rep.gImageGz, rep.oImageGz = gzipSize(t, gImage), gzipSize(t, oImage)
	rep.gImageText = fmt.Sprintf("goiscsi's static binary as /sbin/goiscsi (/init and the four role names are symlinks to it), /etc/iscsi/initiatorname.iscsi, "+
		"%d kernel modules (initramfs.DefaultModules + virtio_rng with their dependencies), no shell", len(res.Modules.Paths))
	rep.oImageText = fmt.Sprintf("Debian's static busybox (/bin/busybox, /bin/sh), a %d-line /init script, open-iscsi's /sbin/iscsistart, the %d shared libraries "+
		"it needs and the dynamic loader, /etc/iscsi/initiatorname.iscsi, the same %d kernel modules", strings.Count(openISCSIInit, "\n"), len(oi.Libs["iscsistart"])-1, len(order))
	if st, err := os.Stat(vm.Goiscsi()); err == nil {
		rep.gBin = st.Size()
	}
	if rep.oBins, rep.oLibs, rep.oNLibs, err = oi.Sizes("iscsistart", "iscsiadm", "iscsid"); err != nil {
		t.Fatalf("bench: %v", err)
	}
	if rep.oStartBin, rep.oStartLibs, rep.oStartNLibs, err = oi.Sizes("iscsistart"); err != nil {
		t.Fatalf("bench: %v", err)
	}
	oFiles, err := oi.GuestFiles()
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	netroot := "netroot=iscsi:" + TargetAddr + "::3260::" + BootIQN + " rd.iscsi.initiator=" + InitiatorIQN +
		" ip=" + GuestAddr + "::" + HostAddr + ":255.255.255.0::eth0:off root=/dev/sda"
	for i := 1; i <= runs; i++ {
		benchLogin(t, vm, fmt.Sprintf("bench-login-goiscsi-%d", i), "iscsistart", "", nil, &rep.g)
		benchLogin(t, vm, fmt.Sprintf("bench-login-open-iscsi-%d", i), "/bin/open-iscsi/iscsistart",
			"chmod 755 /lib64/ld-linux-x86-64.so.2", oFiles, &rep.o)
		console, rc := vm.Boot(t, Config{Case: fmt.Sprintf("bench-boot-goiscsi-%d", i), Initramfs: gImage, Append: netroot})
		rep.g.mounted = append(rep.g.mounted, goiscsiMounted(t, console, rc))
		console, rc = vm.Boot(t, Config{Case: fmt.Sprintf("bench-boot-open-iscsi-%d", i), Initramfs: oImage})
		rep.o.mounted = append(rep.o.mounted, openISCSIMounted(t, console, rc))
		t.Logf("run %d/%d: login %.3f / %.3f s, /init → root mounted %.3f / %.3f s, peak RSS %.0f / %.0f kB (goiscsi / open-iscsi)", i, runs,
			last(rep.g.login), last(rep.o.login), last(rep.g.mounted), last(rep.o.mounted), last(rep.g.rssKB), last(rep.o.rssKB))
	}
	rep.loginRan = true
}

// benchLogin boots the busybox image once and logs in with the
// iscsistart at bin, adding its login time and peak RSS to side.
func benchLogin(t *testing.T, vm *VM, name, bin, prep string, files map[string][]byte, side *benchSide) {
	t.Helper()
	script := strings.NewReplacer("@PREP@", prep, "@BIN@", bin, "@INITIATOR@", InitiatorIQN, "@ROOT@", RootIQN,
		"@DATA@", DataIQN, "@ADDR@", TargetAddr, "@PORT@", strconv.Itoa(TargetPort)).Replace(benchLoginScript)
	console, rc := vm.Boot(t, Config{Case: name, Script: script, Files: files, Timeout: 240 * time.Second})
	marks := kmsgMarks(console)
	a, okA := marks["BENCH-A"]
	b, okB := marks["BENCH-B"]
	rss, err := strconv.ParseFloat(guestMark(console, "BENCH-RSS-KB "), 64)
	if rc != 0 || !okA || !okB || err != nil || guestMark(console, "BENCH-DATA-RC ") != "0" {
		t.Fatalf("%s: exit %d, marks %v, RSS %q, data login %q", name, rc, marks, guestMark(console, "BENCH-RSS-KB "), guestMark(console, "BENCH-DATA-RC "))
	}
	side.login = append(side.login, b-a)
	side.rssKB = append(side.rssKB, rss)
	if floor, err := strconv.ParseFloat(guestMark(console, "BENCH-FLOOR-KB "), 64); err == nil {
		side.floorKB = append(side.floorKB, floor)
	}
}

// kmsgMark is one kernel log line as busybox dmesg prints it.
var kmsgMark = regexp.MustCompile(`\[\s*([0-9]+\.[0-9]+)\] (BENCH-[A-Z]+|Run /init as init process)`)

// kmsgMarks maps each mark in the console to its kernel timestamp.
func kmsgMarks(console string) map[string]float64 {
	marks := map[string]float64{}
	for _, m := range kmsgMark.FindAllStringSubmatch(console, -1) {
		if v, err := strconv.ParseFloat(m[1], 64); err == nil {
			marks[m[2]] = v
		}
	}
	return marks
}

// goiscsiMountLine is goiscsi's PID-1 step line for the root mount; its
// time is from goiscsi's start as /init.
var goiscsiMountLine = regexp.MustCompile(`goiscsi: \[\s*([0-9.]+)s\] mounted /dev/\S+ on /newroot`)

func goiscsiMounted(t *testing.T, console string, rc int) float64 {
	t.Helper()
	m := goiscsiMountLine.FindStringSubmatch(console)
	if rc != 0 || m == nil || !strings.Contains(console, "ROOT-INIT pid 1: "+RootMarker) {
		t.Fatalf("goiscsi boot: exit %d, no root mount or root init in the console", rc)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func openISCSIMounted(t *testing.T, console string, rc int) float64 {
	t.Helper()
	marks := kmsgMarks(console)
	start, ok1 := marks["Run /init as init process"]
	end, ok2 := marks["BENCH-MOUNTED"]
	if rc != 0 || !ok1 || !ok2 || !strings.Contains(console, "ROOT-INIT pid 1: "+RootMarker) {
		t.Fatalf("open-iscsi boot: exit %d, marks %v, or no root init", rc, marks)
	}
	return end - start
}

func gzipSize(t *testing.T, file string) int64 {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return int64(buf.Len())
}

func hostOutput(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func last(v []float64) float64 { return v[len(v)-1] }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func hostCPUs() int { return runtime.NumCPU() }
