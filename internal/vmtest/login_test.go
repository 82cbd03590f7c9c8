package vmtest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// guestHelpers are shell functions the login cases share: lun_dev
// prints the block device of a session's LUN once the kernel made it;
// uptime prints the guest's uptime in seconds.
const guestHelpers = `
lun_dev() {
	for i in $(seq 1 100); do
		for d in /sys/class/iscsi_session/session$1/device/target*/*:*:*:$2/block/*; do
			[ -e "$d" ] && { basename "$d"; return 0; }
		done
		sleep 0.1
	done
	return 1
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }
flusher_threads() { # threads of process $1 marked PR_SET_IO_FLUSHER (PF_MEMALLOC_NOIO|PF_LOCAL_THROTTLE), of all
	m=0 n=0
	for s in /proc/$1/task/*/stat; do
		f=$(cut -d' ' -f9 $s)
		n=$((n + 1))
		[ $((f & 1572864)) = 1572864 ] && m=$((m + 1))
	done
	echo "$m/$n"
}
`

// iscsistart is the command line of a login to target, with extra flags.
func iscsistart(target string, extra ...string) string {
	return strings.Join(append([]string{"iscsistart", "-i", InitiatorIQN, "-t", target, "-g", "1",
		"-a", TargetAddr, "-p", strconv.Itoa(TargetPort)}, extra...), " ")
}

// TestVMLogin logs in with goiscsi's iscsistart through the guest's
// kernel: the session appears in sysfs, its LUN becomes a block device
// whose data is the target's, 64 MiB written to the scratch LUN read
// back the same; then mutual CHAP, and a wrong secret failing as
// open-iscsi's iscsistart fails.
func TestVMLogin(t *testing.T) {
	vm := New(t)
	tg := vm.StartTargets(t)

	t.Run("none", func(t *testing.T) {
		console, rc := vm.Boot(t, Config{Case: "login", Timeout: 240e9, Script: guestHelpers + `
t0=$(uptime_s)
vmtest-run login ` + iscsistart(RootIQN) + `
t1=$(uptime_s)
echo "LOGIN-SECONDS $t0 $t1"
vmtest-run targetname cat /sys/class/iscsi_session/session1/targetname
vmtest-run state cat /sys/class/iscsi_session/session1/state
dev=$(lun_dev 1 1) || { echo "no block device for session 1"; exit 1; }
vmtest-run sector0 dd if=/dev/$dev bs=512 count=1
vmtest-run sector1000 dd if=/dev/$dev bs=512 skip=1000 count=1
vmtest-run login-data ` + iscsistart(DataIQN) + `
data=$(lun_dev 2 1) || { echo "no block device for session 2"; exit 1; }
dd if=/dev/urandom of=/tmp/pattern bs=1M count=64 2>/dev/null
want=$(md5sum </tmp/pattern)
dd if=/tmp/pattern of=/dev/$data bs=1M conv=fsync 2>/dev/null || { echo "write failed"; exit 1; }
echo 3 >/proc/sys/vm/drop_caches
got=$(dd if=/dev/$data bs=1M count=64 2>/dev/null | md5sum)
echo "DATA want=$want got=$got"
[ "$want" = "$got" ] || exit 1
`})
		r := result(t, console, "login")
		wantOut := "iscsistart: Logging into " + RootIQN + " " + TargetAddr + ":3260,1\n"
		wantErr := "iscsistart: version 2.1.8\niscsistart: Connection1:0 to [target: " + RootIQN +
			", portal: " + TargetAddr + ",3260] through [iface: default] is operational now\n"
		if r != (Run{Stdout: wantOut, Stderr: wantErr}) {
			t.Errorf("guest's %s = %+v,\nwant stdout %q stderr %q exit 0", iscsistart(RootIQN), r, wantOut, wantErr)
		}
		logLoginTime(t, console)
		if r := result(t, console, "targetname"); r.Stdout != RootIQN+"\n" {
			t.Errorf("session1/targetname = %q, want %q", r.Stdout, RootIQN)
		}
		if r := result(t, console, "state"); r.Stdout != "LOGGED_IN\n" {
			t.Errorf("session1/state = %q, want LOGGED_IN", r.Stdout)
		}
		for _, n := range []int64{0, 1000} {
			r := result(t, console, "sector"+strconv.FormatInt(n, 10))
			if r.RC != 0 || r.Stdout != string(RootSector(n)) {
				t.Errorf("sector %d of the root LUN = %q (exit %d), want %q", n, clip(r.Stdout), r.RC, clip(string(RootSector(n))))
			}
		}
		if r := result(t, console, "login-data"); r.RC != 0 || !strings.Contains(r.Stderr, "Connection2:0") {
			t.Errorf("login to the data target = %+v", r)
		}
		data := regexp.MustCompile(`DATA want=(\S+).*got=(\S+)`).FindStringSubmatch(console)
		if rc != 0 || data == nil || data[1] != data[2] {
			t.Errorf("guest exit %d; 64 MiB written to the data LUN did not read back the same (%q)", rc, data)
		} else {
			t.Logf("64 MiB of random data written to the data LUN read back with MD5 %s", data[1])
		}
	})

	t.Run("logout", func(t *testing.T) {
		console, rc := vm.Boot(t, Config{Case: "logout", Files: map[string][]byte{"/bin/daemon.test": BuildTest(t, "./daemon")},
			Script: `
export GOISCSI_TEST_TARGET=` + DataIQN + ` GOISCSI_TEST_PORTAL=` + TargetAddr + `:3260
vmtest-run logout daemon.test -test.run '^TestIntegrationLoginLogout$' -test.v
vmtest-run sessions ls /sys/class/iscsi_session
`})
		r := result(t, console, "logout")
		if r.RC != 0 || !strings.Contains(r.Stdout, "--- PASS: TestIntegrationLoginLogout") {
			t.Errorf("login, then logout, through the guest's kernel = exit %d:\n%s%s", r.RC, r.Stdout, r.Stderr)
		} else {
			t.Logf("in the guest:\n%s", r.Stdout)
		}
		if r := result(t, console, "sessions"); strings.TrimSpace(r.Stdout) != "" || rc != 0 {
			t.Errorf("sessions left after logout: %q (guest exit %d)", r.Stdout, rc)
		}
	})

	tg.AddAccount("tbuser", "tbsecret12345")
	tg.AddAccount("tbtarget", "tbmutual67890")
	tg.BindAccount(1, "tbuser", false)
	tg.BindAccount(1, "tbtarget", true)

	t.Run("chap", func(t *testing.T) {
		console, rc := vm.Boot(t, Config{Case: "chap", Script: guestHelpers + `
vmtest-run wrong ` + iscsistart(RootIQN, "-u", "tbuser", "-w", "not-the-secret", "-U", "tbtarget", "-W", "tbmutual67890") + `
vmtest-run sessions ls /sys/class/iscsi_session
vmtest-run mutual ` + iscsistart(RootIQN, "-u", "tbuser", "-w", "tbsecret12345", "-U", "tbtarget", "-W", "tbmutual67890") + `
dev=$(lun_dev 2 1) || dev=$(lun_dev 1 1) || { echo "no block device"; exit 1; }
vmtest-run sector0 dd if=/dev/$dev bs=512 count=1
`})
		r := result(t, console, "wrong")
		last := "iscsistart: initiator reported error (24 - iSCSI login failed due to authorization failure)\n"
		if r.RC != 1 || !strings.HasSuffix(r.Stderr, last) ||
			!strings.Contains(r.Stderr, "iscsistart: Login failed to authenticate with target "+RootIQN+"\n") {
			t.Errorf("login with a wrong secret = %+v, want exit 1 and stderr ending %q", r, last)
		}
		if strings.Contains(r.Stdout+r.Stderr, "not-the-secret") || strings.Contains(r.Stdout+r.Stderr, "tbmutual67890") {
			t.Errorf("iscsistart printed a secret: %+v", r)
		}
		if r := result(t, console, "sessions"); strings.TrimSpace(r.Stdout) != "" {
			t.Errorf("sessions left after the failed login: %q", r.Stdout)
		}
		if r := result(t, console, "mutual"); r.RC != 0 || !strings.Contains(r.Stderr, "is operational now") {
			t.Errorf("mutual CHAP login = %+v", r)
		}
		if r := result(t, console, "sector0"); r.Stdout != string(RootSector(0)) {
			t.Errorf("sector 0 after the mutual CHAP login = %q", clip(r.Stdout))
		}
		if rc != 0 {
			t.Errorf("guest exit %d", rc)
		}
	})
}

// logLoginTime reports how long iscsistart ran in the guest.
func logLoginTime(t *testing.T, console string) {
	m := regexp.MustCompile(`LOGIN-SECONDS ([0-9.]+) ([0-9.]+)`).FindStringSubmatch(console)
	if m == nil {
		return
	}
	t0, _ := strconv.ParseFloat(m[1], 64)
	t1, _ := strconv.ParseFloat(m[2], 64)
	t.Logf("iscsistart login (exec to exit, guest uptime clock): %.2f s", t1-t0)
}

func clip(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
