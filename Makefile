# goiscsi: build, install and test. Plain "go build ." works as well.
VERSION    ?= 2.1.8
PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
DESTDIR    ?=
GO         ?= go
ROLES      := iscsiadm iscsid iscsistart iscsi-iname
LDFLAGS    := -s -w -X github.com/goiscsi/goiscsi/internal/buildinfo.version=$(VERSION)
# Fuzz targets run briefly in "make test": package and function.
FUZZ       := ./records:FuzzRecord ./records:FuzzParsePortal ./records:FuzzValidateTargetName \
              ./internal/getopt:FuzzParse ./internal/compat:FuzzParseScript \
              ./daemon/login:FuzzReadPDU ./daemon/login:FuzzParseText \
              ./daemon/login:FuzzParseTargetAddress ./daemon/login:FuzzChapBinary \
              ./daemon/login:FuzzParseChapAlgs ./netlinkraw:FuzzUevent \
              ./boot:FuzzParseCmdline ./boot:FuzzParseRootPath ./boot:FuzzParseInitramfsConf \
              ./boot:FuzzParseDHCP ./daemon/ipc:FuzzReadFrame ./daemon/ipc:FuzzCodecRoundTrip ./admin:FuzzJSONString \
              ./netlinkraw/rtnl:FuzzAnswer ./internal/sock:FuzzParseAnswer
FUZZTIME   ?= 4s

.PHONY: all build check-binary install test unit vmtest fuzz deps clean initramfs demo bench

all: build

build:
	CGO_ENABLED=0 GOAMD64=v1 $(GO) build -trimpath -tags netgo,osusergo -ldflags "$(LDFLAGS)" -o bin/goiscsi .
	@for r in $(ROLES); do ln -sfn goiscsi bin/$$r; done

install: build
	install -D -m 0755 bin/goiscsi $(DESTDIR)$(SBINDIR)/goiscsi
	@for r in $(ROLES); do ln -sfn goiscsi $(DESTDIR)$(SBINDIR)/$$r; done
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/iscsi
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/iscsi/iscsid.conf ]; then \
		install -m 0644 dist/iscsid.conf $(DESTDIR)$(SYSCONFDIR)/iscsi/iscsid.conf; fi
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/iscsi/initiatorname.iscsi ]; then \
		umask 077; echo "InitiatorName=$$(bin/goiscsi iscsi-iname)" > $(DESTDIR)$(SYSCONFDIR)/iscsi/initiatorname.iscsi; fi
	@for u in iscsid.service iscsid.socket iscsi.service; do \
		sed 's|/usr/sbin/|$(SBINDIR)/|g' dist/systemd/$$u > dist/systemd/$$u.tmp && \
		install -D -m 0644 dist/systemd/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u && rm -f dist/systemd/$$u.tmp || exit 1; done

# initramfs writes a reproducible newc cpio initramfs that boots from an
# iSCSI root disk (initramfs/cmd/mkinitramfs): MODULES is the kernel's
# lib/modules/KVER directory, OUTPUT the archive (bin/initramfs.cpio by
# default); INITIATORNAME, RESCUE_SHELL and EXTRA_MODULES (a,b) are optional.
initramfs: build
	@test -n "$(MODULES)" || { echo "usage: make initramfs MODULES=<dir of lib/modules/KVER> OUTPUT=<file.cpio>"; exit 2; }
	$(GO) run ./initramfs/cmd/mkinitramfs -binary bin/goiscsi -modules "$(MODULES)" -o "$(or $(OUTPUT),bin/initramfs.cpio)" \
		$(if $(INITIATORNAME),-initiatorname "$(INITIATORNAME)") $(if $(RESCUE_SHELL),-shell "$(RESCUE_SHELL)") \
		$(if $(EXTRA_MODULES),-extra-modules "$(EXTRA_MODULES)")

# demo boots a QEMU guest from an iSCSI root disk served by tgtd, with
# goiscsi as PID 1 of its initramfs, and shows the guest's console (root;
# it installs QEMU and tgt and fetches a Debian kernel the first time).
demo: deps build
	GOISCSI_DEMO=1 $(GO) test -count=1 -v -run '^TestDemo$$' ./internal/vmtest/

# bench boots goiscsi and open-iscsi alternately in the VM tier's QEMU
# setup (BENCH_RUNS times each, default 5; root): the boot path
# (iscsistart, PID 1) and the daemon path (iscsid's memory, a login to
# 64 targets, a discovery of 1,000), and writes BENCHMARKS.md and
# BENCHMARKS.svg with the medians and ratios. It is not part of "make test".
bench: deps build
	GOISCSI_BENCH=1 $(GO) test -count=1 -v -timeout 60m -run '^TestBench$$' ./internal/vmtest/

# test runs every tier: unit tests (anywhere), short fuzzing, the host
# tier (root: open-iscsi's own iscsiadm as the reference) and the VM
# tier (root: QEMU guests running goiscsi against tgtd).
test: deps build check-binary unit vmtest fuzz

# check-binary: the built binary is static and every role answers, by
# symlink and as "goiscsi <role>".
check-binary: build
	@if readelf -l bin/goiscsi 2>/dev/null | grep -q INTERP; then echo "bin/goiscsi is not static"; exit 1; fi
	@bin/iscsiadm --version | grep -qx 'iscsiadm version $(VERSION)'
	@bin/goiscsi iscsiadm -V | grep -qx 'iscsiadm version $(VERSION)'
	@bin/iscsistart -v | grep -qx 'iscsistart version $(VERSION)'
	@bin/goiscsi iscsid -v | grep -qx 'iscsid version $(VERSION)'
	@bin/iscsi-iname | grep -Eqx 'iqn\.2016-04\.com\.open-iscsi:[0-9a-f]{12}'
	@bin/goiscsi iscsi-iname -g | grep -q '^InitiatorName=iqn\.'
	@! bin/goiscsi frobnicate 2>/dev/null
	@echo "check-binary: static, all roles answer"

unit:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) test -count=1 -skip '^TestVM' ./...

# vmtest runs the VM tier, the TestVM* tests (internal/vmtest: QEMU
# guests under TCG, wired into a network namespace of their own, booting
# a Debian kernel cached in /var/cache/goiscsi-vmtest), and lists what
# passed, failed or was skipped and why; its full log is bin/vmtest.log.
vmtest:
	@mkdir -p bin; $(GO) test -count=1 -v -run '^TestVM' ./... >bin/vmtest.log 2>&1; rc=$$?; \
		grep -E '^ *--- |^(ok|FAIL)[[:space:]]|SKIPPED' bin/vmtest.log | grep -v 'no tests to run'; \
		if [ $$rc != 0 ]; then cat bin/vmtest.log; exit $$rc; fi

fuzz:
	@GO="$(GO)" sh dist/fuzz.sh $(FUZZTIME) $(FUZZ)

# deps installs what the host tier needs when it can (root, apt), and
# says what will be skipped when it cannot.
deps:
	@sh dist/test-deps.sh

clean:
	rm -rf bin
