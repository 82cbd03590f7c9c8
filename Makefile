# goiscsi: build, install and test. Plain "go build ." works as well.
VERSION    ?= 2.1.8
PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
DESTDIR    ?=
GO         ?= go
ROLES      := iscsiadm iscsid iscsistart iscsi-iname
LDFLAGS    := -s -w -X github.com/goiscsi/goiscsi/internal/buildinfo.version=$(VERSION)
# Fuzz targets run briefly in "make test": package and function.
FUZZ       := ./records:FuzzRecord ./records:FuzzParsePortal ./records:FuzzValidateTargetName \
              ./internal/getopt:FuzzParse ./internal/compat:FuzzParseScript
FUZZTIME   ?= 4s

.PHONY: all build install test unit fuzz host deps clean

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

# test runs every tier: unit tests (anywhere), short fuzzing, and the
# host tier (root: open-iscsi's own iscsiadm as the reference).
test: deps build unit fuzz

unit:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) test -count=1 ./...

fuzz:
	@for t in $(FUZZ); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg >/dev/null || exit 1; done

# deps installs what the host tier needs when it can (root, apt), and
# says what will be skipped when it cannot.
deps:
	@sh dist/test-deps.sh

clean:
	rm -rf bin
