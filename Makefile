# SPDX-License-Identifier: GPL-2.0-only
#
# Top-level build. Delegates to driver/, lib/, smi/, selftests/ and bench/;
# vm/ boots the test VM, scripts/ runs the gates. `make` builds everything;
# `make check` runs every test and quality gate; `make demo` boots a VM
# with two simulated cards.
#
# The module is built for every supported Debian kernel line, 5.10 to 7.3
# (scripts/kernel-release), each in its own shadow directory
# build/kmod/<release>/, so the objects of two kernels never mix.

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
KSRC	:= $(BUILD)/linux-source-6.1
KSFT	:= $(KSRC)/tools/testing/selftests
VMROOT	:= $(BUILD)/vmroot
KRELS	 = $(shell $(TOP)/scripts/kernel-release all)

# Extra kbuild arguments, e.g. `make modules KBUILD_ARGS=C=2`
KBUILD_ARGS ?=

all: modules lib smi selftests bench-progs vmroot

deps:
	@$(TOP)/scripts/deps

# The kernel tree is read for kselftest_harness.h, lib.mk, checkpatch.pl and
# KUnit; extracted once from Debian's linux-source-6.1, never copied here.
$(KSRC)/.extracted: | deps
	@mkdir -p $(BUILD)
	@echo "  EXTRACT linux-source-6.1 -> $(KSRC)"
	@rm -rf $(KSRC) && tar -xf /usr/src/linux-source-6.1.tar.xz -C $(BUILD)
	@touch $@

linux-src: $(KSRC)/.extracted

modules: deps
	@for rel in $(KRELS); do \
		$(MAKE) --no-print-directory kmod KREL=$$rel || exit 1; \
	done

# One module build for kernel release KREL in build/kmod/KREL/driver, whose
# files are links to driver/ (uapi/ is found at ../uapi from there too).
# KMOD_KDIR (not KDIR, which a kernel developer may have in the
# environment) defaults to the release's installed headers, and KMOD_TREE
# to the kernel tree they are in. A release the machine has not installed
# (5.10, 7.3) is built inside its kernel tree (scripts/kernel-roots), with
# that Debian release's own compiler and kbuild: scripts/kroot-run.
kmod:
	@test -n "$(KREL)" || { echo "kmod: set KREL=<kernel release>" >&2; exit 1; }
	@mkdir -p $(BUILD)/kmod/$(KREL)/driver
	@ln -sfn $(TOP)/uapi $(BUILD)/kmod/$(KREL)/uapi
	@ln -sf $(TOP)/driver/* $(BUILD)/kmod/$(KREL)/driver/
	@echo "  KMOD    $(KREL)"
	@tree=$$($(if $(KMOD_TREE),echo $(KMOD_TREE),$(if $(KMOD_KDIR),echo /,$(TOP)/scripts/kernel-release tree $(KREL)))) && \
	cd $(BUILD)/kmod/$(KREL)/driver && \
	$$(test "$$tree" = / || echo $(TOP)/scripts/kroot-run $$tree) \
	$(MAKE) --no-print-directory $(if $(V),,-s) \
		KDIR=$(or $(KMOD_KDIR),/lib/modules/$(KREL)/build) W=1 $(KBUILD_ARGS)

# The debug kernel (scripts/debug-kernel: KASAN, lockdep, kmemleak, UBSAN,
# fault injection; built once per machine from the newest line's source,
# in that line's kernel tree) and the module built against it, in that tree
# too, with the same compiler (trixie's gcc-14), in build/kmod/debug.
kmod-debug: deps
	@kdir=$$($(TOP)/scripts/debug-kernel) && tree=$$($(TOP)/scripts/debug-kernel --tree) && \
	$(MAKE) --no-print-directory kmod KREL=debug KMOD_TREE=$$tree KMOD_KDIR=$${kdir#$$tree} \
		KBUILD_ARGS="CC=gcc-14 $(KBUILD_ARGS)"

# libttkmd (lib/): shared and static library, pkg-config file, example.
lib: deps
	@$(MAKE) --no-print-directory -s -C lib O=$(BUILD)/lib

# tt-smi (smi/): the monitor, linked against libudev, libsmartcols and
# libttkmd's static library.
smi: deps lib
	@$(MAKE) --no-print-directory -s -C smi O=$(BUILD)/smi

# The kselftests link libttkmd's static library.
selftests: linux-src lib
	@mkdir -p $(BUILD)/selftests
	@$(MAKE) --no-print-directory -C selftests KSFT_DIR=$(KSFT) \
		OUTPUT=$(BUILD)/selftests

# The benchmarks' programs that run in the VM (bench/), static like the
# kselftests but no part of their collection.
bench-progs: lib
	@$(MAKE) --no-print-directory -s -C bench O=$(BUILD)/bench/bin

# What the VM sees besides busybox, udevd and the module: test programs
# (installed the kselftest way: a collection directory with its settings)
# with a runner that busybox can run, the benchmarks, the demo, and tt-smi.
vmroot: selftests bench-progs smi
	@rm -rf $(VMROOT)
	@$(MAKE) --no-print-directory -C selftests KSFT_DIR=$(KSFT) \
		OUTPUT=$(BUILD)/selftests \
		INSTALL_PATH=$(VMROOT)/usr/lib/tenstorrent/selftests/tenstorrent \
		install >/dev/null
	@$(MAKE) -s --no-print-directory -C selftests KSFT_DIR=$(KSFT) \
		OUTPUT=$(BUILD)/selftests COLLECTION=tenstorrent emit_tests \
		> $(VMROOT)/usr/lib/tenstorrent/selftests/tenstorrent/kselftest-list.txt
	@install -D -m 0755 -t $(VMROOT)/usr/lib/tenstorrent/selftests \
		vm/ktap-run vm/vm-suite
	@$(MAKE) --no-print-directory -s -C bench O=$(BUILD)/bench/bin \
		INSTALL_PATH=$(VMROOT)/usr/lib/tenstorrent/bench install
	@install -D -m 0755 vm/demo.sh $(VMROOT)/usr/lib/tenstorrent/demo.sh
	@install -D -m 0755 $(BUILD)/smi/tt-smi $(VMROOT)/usr/bin/tt-smi
	@install -D -m 0644 smi/tt-smi.1 $(VMROOT)/usr/share/man/man1/tt-smi.1
	@# util-linux script (essential bsdutils): a pseudo-terminal for tests
	@install -D -m 0755 /usr/bin/script $(VMROOT)/usr/bin/script
	@# trace-cmd decodes the tracepoints as user space does (libtraceevent);
	@# vm-run brings its libraries along
	@install -D -m 0755 /usr/bin/trace-cmd $(VMROOT)/usr/bin/trace-cmd

check: all
	@$(TOP)/scripts/check

# The whole kselftest suite on the debug kernel, failing on any report of
# its checkers (scripts/check's debug gate).
check-debug: all kmod-debug
	@$(TOP)/scripts/check --only debug

demo: all
	@$(TOP)/vm/vm-run --kernel 6.12 --load "sim_cards=2" -- \
		/usr/lib/tenstorrent/demo.sh

# The benchmarks: one table, results in build/bench/ (QUICK=1: small counts)
bench: all
	@$(TOP)/bench/bench $(if $(QUICK),--quick)

# The documentation (Documentation/, reStructuredText) with Debian's
# python3-sphinx, into build/docs/html; any warning fails the build (-W),
# also a reference that resolves nowhere (-n).
htmldocs:
	@sphinx-build -q -W --keep-going -n -b html -d $(BUILD)/docs/doctrees \
		Documentation $(BUILD)/docs/html
	@echo "  DOCS    $(BUILD)/docs/html/index.html"

.PHONY: htmldocs

# Installing (Documentation/admin-guide/tenstorrent/install.rst).
# `make install [PREFIX=/usr/local] [DESTDIR=]`: libttkmd (shared, static,
# pkg-config file, headers with the uapi header), tt-smi and its man page,
# the udev rules, the modprobe.d file, the systemd service and timer that
# write the Prometheus textfile, and the module's source for DKMS in
# /usr/src/tenstorrent-track-<version>. DKMS builds and installs the module
# itself: `make dkms-install [KERNELS="release..."]` (default: the running
# kernel). DKMS_ARGS passes options to every dkms command, e.g. the trees
# of scripts/check's dkms gate.
PREFIX		?= /usr/local
DESTDIR		?=
UDEVRULESDIR	?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)
MODPROBEDIR	?= /etc/modprobe.d
BINDIR		?= $(PREFIX)/bin
SYSTEMDUNITDIR	?= $(if $(filter /usr,$(PREFIX)),/usr/lib/systemd/system,/etc/systemd/system)
METRICS_UNITS	:= tenstorrent-metrics.service tenstorrent-metrics.timer
DKMS_NAME	:= tenstorrent-track
DKMS_VERSION	:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(TOP)/driver/dkms.conf)
DKMS_SRC	:= /usr/src/$(DKMS_NAME)-$(DKMS_VERSION)
DKMS_ARGS	?=
KERNELS		?= $(shell uname -r)
DKMS		 = dkms $(DKMS_ARGS)
# the module's source as DKMS builds it: dkms.conf at the root, driver/
# without the KUnit tests and benchmarks, uapi/
DRIVER_SRC	 = $(filter-out %_test.c %_bench.c %_bench.h,$(wildcard driver/*.[ch])) \
		   driver/Kbuild driver/Makefile

install: install-dkms-src
	@$(MAKE) --no-print-directory -s -C lib O=$(BUILD)/lib install \
		PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	@$(MAKE) --no-print-directory -s -C smi O=$(BUILD)/smi install \
		PREFIX=$(PREFIX) BINDIR=$(BINDIR) DESTDIR=$(DESTDIR)
	@install -D -m 0644 udev/60-tenstorrent.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-tenstorrent.rules
	@install -D -m 0644 driver/modprobe.conf \
		$(DESTDIR)$(MODPROBEDIR)/tenstorrent.conf
	@mkdir -p $(BUILD)/contrib
	@sed 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/tenstorrent-metrics.service.in \
		> $(BUILD)/contrib/tenstorrent-metrics.service
	@install -D -m 0644 -t $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(BUILD)/contrib/tenstorrent-metrics.service \
		contrib/systemd/tenstorrent-metrics.timer
	@if [ -z "$(DESTDIR)" ]; then \
		ldconfig; \
		systemctl daemon-reload 2>/dev/null || true; \
		udevadm control --reload 2>/dev/null || true; \
	fi

install-dkms-src:
	@install -d $(DESTDIR)$(DKMS_SRC)/driver $(DESTDIR)$(DKMS_SRC)/uapi
	@install -m 0644 driver/dkms.conf $(DESTDIR)$(DKMS_SRC)/
	@install -m 0644 $(DRIVER_SRC) $(DESTDIR)$(DKMS_SRC)/driver/
	@install -m 0644 uapi/tenstorrent_track.h $(DESTDIR)$(DKMS_SRC)/uapi/

# On the machine itself (no DESTDIR) the module leaves DKMS as well.
uninstall:
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null; then \
		$(MAKE) --no-print-directory dkms-remove; \
	else \
		$(MAKE) --no-print-directory dkms-uninstall-src; \
	fi
	@$(MAKE) --no-print-directory -s -C lib uninstall \
		PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	@$(MAKE) --no-print-directory -s -C smi uninstall \
		PREFIX=$(PREFIX) BINDIR=$(BINDIR) DESTDIR=$(DESTDIR)
	@rm -f $(DESTDIR)$(UDEVRULESDIR)/60-tenstorrent.rules \
		$(DESTDIR)$(MODPROBEDIR)/tenstorrent.conf \
		$(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(METRICS_UNITS))

dkms-uninstall-src:
	@rm -rf $(DESTDIR)$(DKMS_SRC)

# tt-kmd's DKMS package is called "tenstorrent" and builds a module of the
# same name: refuse rather than have one overwrite the other. `dkms status
# -m` asks for one package: its output format differs between dkms 2 and 3.
dkms-install: install-dkms-src
	@if $(DKMS) status -m tenstorrent 2>/dev/null | grep -q .; then \
		echo "dkms-install: tt-kmd's DKMS package 'tenstorrent' is registered;" \
		     "its module has the same name. Remove it first:" \
		     "dkms remove tenstorrent/<version> --all" >&2; \
		exit 1; \
	fi
	@$(DKMS) status -m $(DKMS_NAME) -v $(DKMS_VERSION) 2>/dev/null | grep -q . || \
		$(DKMS) add -m $(DKMS_NAME) -v $(DKMS_VERSION)
	@for k in $(KERNELS); do \
		$(DKMS) install -m $(DKMS_NAME) -v $(DKMS_VERSION) -k $$k || exit 1; \
	done

dkms-remove:
	@if $(DKMS) status -m $(DKMS_NAME) -v $(DKMS_VERSION) 2>/dev/null | grep -q .; then \
		$(DKMS) remove -m $(DKMS_NAME) -v $(DKMS_VERSION) --all; \
	fi
	@$(MAKE) --no-print-directory dkms-uninstall-src

.PHONY: install install-dkms-src uninstall dkms-uninstall-src dkms-install \
	dkms-remove

clean:
	rm -rf $(BUILD)/kmod $(BUILD)/selftests $(VMROOT) $(BUILD)/lib \
		$(BUILD)/lib-san $(BUILD)/smi $(BUILD)/smi-san $(BUILD)/smi-check-plain $(BUILD)/bench $(BUILD)/docs

distclean:
	rm -rf $(BUILD)

.PHONY: all deps linux-src modules kmod lib smi selftests bench-progs vmroot check \
	demo bench clean distclean kmod-debug check-debug
