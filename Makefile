# SPDX-License-Identifier: GPL-2.0
#
# zcopy: the human-facing build. Kbuild holds the kernel build rules.
#
#   make                  zcopy.ko for KVER, libzcopy, zcopyctl, zcopy-bench,
#                         the selftests
#   make lib              libzcopy: build/lib/ (.so, .a, pkgconfig/libzcopy.pc)
#   make examples         libzcopy's examples, built with pkg-config from build/
#   make lib-check        lib + examples, and only versioned symbols exported
#   make KVER=<kver>   (or KDIR=/path/to/kernel/build)
#   make deps             install everything the build, VM and tests need
#   make selftests-install INSTALL_PATH=DIR  the kselftest layout in DIR:
#                         DIR/run_kselftest.sh runs the suite
#   make check            run the selftests in a VM on both Debian kernels
#   make check-debug      the same on a KASAN/kmemleak/lockdep 6.12 kernel
#   make coverage         line and branch coverage of module/*.c from the
#                         latest check-debug (Documentation/coverage.md)
#   make fuzz             the KCOV fuzzer alone on the sanitizer kernel for
#                         FUZZ_SECS (1800), FUZZ_SEED: build/fuzz/{corpus,fail}
#   make shell            a bash in a VM with zcopy.ko loaded
#   make demo             zcopyctl send/recv over veth and vmxnet3 in a VM
#   make demo-serve       zcopyctl serve in a VM: curl fetches, the counters
#   make msg-zerocopy-peer
#                         build/msg_zerocopy: the kernel's MSG_ZEROCOPY
#                         selftest, built from $(KSRC): make bench's peer
#   make bench            zcopy-bench in a VM on both kernels, then
#                         zcopyctl serve beside nginx under wrk: build/bench/
#                         (and the cost curves of make bench-curves)
#   make bench-curves     cost per request against segments per call, body
#                         size, connections: build/bench/curves.md, curve-*.svg
#   make style            checkpatch.pl --strict and the layering of the module
#   make spec-check       the committed netlink code is what the spec
#                         generates, and it compiles (and YNL's client)
#   make nlgen            regenerate that code from the spec (after an edit)
#   make config-check     selftests/config lists what the tests need
#   make C=1              also run sparse on the module
#   make install          zcopyctl, libzcopy (.so, .a, headers, .pc), man pages
#                         (8 and 3), the udev rule and a modprobe.d example;
#                         PREFIX (/usr/local), DESTDIR, bindir, libdir, ...
#   make modules_install  zcopy.ko into /lib/modules/KVER/updates (KVER, KDIR,
#                         DESTDIR), then depmod; signed only if the kernel's
#                         signing key is there
#   make dkms-install     the module's source into /usr/src/zcopy-<version>,
#                         then dkms add, build and install for KVER
#   make dkms-remove      dkms remove for every kernel, and that source
#   make deb              the Debian packages in build/deb/ (zcopy-dkms,
#                         zcopyctl, libzcopy0, libzcopy-dev)
#   make check-packages   lintian, dkms build on both kernels, and a VM per
#                         kernel that loads the DKMS module with modprobe
#   make clean            remove every build product
#
# zcopyctl's manual, without installing it: man -l Documentation/zcopyctl.8
# (zcopy-bench's: Documentation/zcopy-bench.8)

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build

# Kernel: KDIR wins, then KVER, then the running kernel if its build
# directory exists, else the newest installed Debian cloud headers.
ifneq ($(KDIR),)
KVER ?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
else
KVER ?= $(shell tools/kvers default)
KDIR := /lib/modules/$(KVER)/build
endif

# Kernel source for the kselftest harness and checkpatch.pl (make deps).
KSRC ?= /usr/src/linux-source-6.12

MODDIR := $(BUILD)/$(KVER)
# Written by ynl-gen-c (tools/nlgen), exempt from checkpatch: kernel style
# is the generator's business, and a hand fix would be lost.
NLGEN_KERNEL := module/genl-nl.c module/genl-nl.h
MODULE_SRCS := Kbuild VERSION $(wildcard module/*.c module/*.h module/uapi/linux/*.h)
# One release for zcopy.ko (Kbuild reads VERSION itself) and zcopyctl.
ZCOPY_VERSION := $(shell cat $(TOP)/VERSION)

CFLAGS ?= -O2 -g
USER_CFLAGS := $(CFLAGS) -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	       -I$(TOP)/module/uapi
LIBNL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0)
LIBNL_LIBS = $(shell pkg-config --libs libnl-genl-3.0)
# io_uring for zcopy-bench; without liburing-dev that technique is skipped.
URING_CFLAGS = $(shell pkg-config --exists liburing 2>/dev/null && \
		 echo -DZC_HAVE_LIBURING $$(pkg-config --cflags liburing))
URING_LIBS = $(shell pkg-config --libs liburing 2>/dev/null)
# SHA-256 (recv --expect-sha256) from nettle; mkinitramfs copies the .so.
NETTLE_LIBS = $(shell pkg-config --libs nettle)
# TLS 1.3 of zcopyctl serve --tls, with OpenSSL's kernel TLS (libssl-dev).
OPENSSL_CFLAGS = $(shell pkg-config --cflags openssl)
OPENSSL_LIBS = $(shell pkg-config --libs openssl)
# zcopy-bench's probes read the kernel's BTF with libbpf and are created,
# triggered and read through libtracefs.
BPF_CFLAGS = $(shell pkg-config --cflags libbpf)
BPF_LIBS = $(shell pkg-config --libs libbpf)
TRACEFS_CFLAGS = $(shell pkg-config --cflags libtracefs)
TRACEFS_LIBS = $(shell pkg-config --libs libtracefs)

# libzcopy (tools/lib/zcopy): shared with a version script, static, and a
# pkg-config file that points into the build tree.
LIBDIR := $(BUILD)/lib
LIB_SRC := tools/lib/zcopy
LIB_SRCS := $(wildcard $(LIB_SRC)/src/*.c)
LIB_HDRS := $(LIB_SRC)/include/libzcopy.h $(wildcard $(LIB_SRC)/src/*.h) \
	    module/uapi/linux/zcopy.h module/uapi/linux/zcopy_nl.h
LIB_CFLAGS := $(USER_CFLAGS) $(CPPFLAGS) -I$(TOP)/$(LIB_SRC)/include -fvisibility=hidden
LIB_SHARED := $(LIBDIR)/libzcopy.so.$(ZCOPY_VERSION)
LIB_STATIC := $(LIBDIR)/libzcopy.a
LIB_PC := $(LIBDIR)/pkgconfig/libzcopy.pc
LIB_PIC_OBJS := $(patsubst $(LIB_SRC)/src/%.c,$(LIBDIR)/obj/%.pic.o,$(LIB_SRCS))
LIB_OBJS := $(patsubst $(LIB_SRC)/src/%.c,$(LIBDIR)/obj/%.o,$(LIB_SRCS))
EXAMPLES := $(patsubst $(LIB_SRC)/examples/%.c,$(LIBDIR)/examples/%,\
	      $(wildcard $(LIB_SRC)/examples/*.c))

# The first rule is what a bare "make" builds.
all: module lib zcopyctl zcopy-bench selftests

FORCE:
.PHONY: FORCE all module lib examples lib-check zcopyctl zcopy-bench selftests \
	selftests-install deps check shell demo demo-serve style clean help spec-check nlgen \
	config-check bench bench-curves msg-zerocopy-peer coverage fuzz install modules_install dkms-source \
	dkms-install dkms-remove deb check-packages

# The example kernel is an installed one (tools/kvers), not a name that
# ages in this file.
help:
	@kvers=$$(tools/kvers check | grep -v '^missing:' | paste -s -d ' '); \
	sed -n 's/^#   //p' Makefile | sed "s/<kver>/$${kvers%% *}/"; \
	echo; echo "kernels for make check (tools/kvers check): $${kvers:-none}"; \
	echo "default KVER (tools/kvers default): $$(tools/kvers default)"

module: $(MODDIR)/zcopy.ko

# Kbuild builds external modules in their source directory, so each kernel
# gets its own copy of the sources under build/<kver>/: two kernels never
# share objects and the checkout stays clean.
# C=1 asks for sparse on every module file, not only on those kbuild
# happens to recompile: that is kbuild's C=2.
$(MODDIR)/zcopy.ko: $(MODULE_SRCS) FORCE
	@test -n "$(KVER)" || { echo "no kernel headers found: run 'make deps' or set KDIR" >&2; exit 1; }
	@test -d "$(KDIR)" || { echo "$(KDIR): no such kernel build directory (make deps?)" >&2; exit 1; }
	@mkdir -p $(MODDIR)
	@cp -p --parents $(MODULE_SRCS) $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(MODDIR) $(if $(C),C=2) modules

lib: $(LIB_SHARED) $(LIB_STATIC) $(LIB_PC)

$(LIBDIR)/obj/%.pic.o: $(LIB_SRC)/src/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(LIBNL_CFLAGS) -fPIC -c -o $@ $<

$(LIBDIR)/obj/%.o: $(LIB_SRC)/src/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(LIBNL_CFLAGS) -c -o $@ $<

$(LIB_SHARED): $(LIB_PIC_OBJS) $(LIB_SRC)/libzcopy.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libzcopy.so.0 \
		-Wl,--version-script,$(LIB_SRC)/libzcopy.map -Wl,-z,defs \
		-o $@ $(LIB_PIC_OBJS) $(LIBNL_LIBS)
	ln -sf $(@F) $(LIBDIR)/libzcopy.so.0
	ln -sf libzcopy.so.0 $(LIBDIR)/libzcopy.so

$(LIB_STATIC): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_PC): $(LIB_SRC)/libzcopy.pc.in VERSION
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(BUILD)|' -e 's|@INCLUDEDIR@|$(TOP)/$(LIB_SRC)/include|' \
	    -e 's|@UAPIDIR@|$(TOP)/module/uapi|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@VERSION@|$(ZCOPY_VERSION)|' $< >$@

# Built the way a user of the library builds: flags from pkg-config only.
examples: $(EXAMPLES)

$(LIBDIR)/examples/%: $(LIB_SRC)/examples/%.c lib
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wall -Wextra -Werror -o $@ $< \
		$$(PKG_CONFIG_PATH=$(LIBDIR)/pkgconfig pkg-config --cflags --libs libzcopy)

lib-check: lib examples
	tools/lib-check

zcopyctl: $(BUILD)/zcopyctl
zcopy-bench: $(BUILD)/zcopy-bench

# What zcopyctl and zcopy-bench share: the command table's machinery,
# output and parsing (tools/common).
TOOLS_COMMON := $(wildcard tools/common/*.c tools/common/*.h)
TOOLS_CFLAGS := $(USER_CFLAGS) $(CPPFLAGS) -DZCOPY_VERSION='"$(ZCOPY_VERSION)"' \
		-I$(TOP)/$(LIB_SRC)/include -I$(TOP)/tools/common

# Both link libzcopy statically: the VM's initramfs needs no new file.
$(BUILD)/zcopyctl: $(wildcard tools/zcopyctl/*.c tools/zcopyctl/*.h) $(TOOLS_COMMON) \
		  $(wildcard module/uapi/linux/zcopy*.h) VERSION $(LIB_STATIC)
	@mkdir -p $(BUILD)
	$(CC) $(TOOLS_CFLAGS) $(LIBNL_CFLAGS) $(OPENSSL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) \
		$(LIB_STATIC) $(LIBNL_LIBS) $(NETTLE_LIBS) $(OPENSSL_LIBS)

$(BUILD)/zcopy-bench: $(wildcard tools/zcopy-bench/*.c tools/zcopy-bench/*.h) $(TOOLS_COMMON) \
		     $(wildcard module/uapi/linux/zcopy*.h) VERSION $(LIB_STATIC)
	@mkdir -p $(BUILD)
	$(CC) $(TOOLS_CFLAGS) $(LIBNL_CFLAGS) $(URING_CFLAGS) $(BPF_CFLAGS) \
		$(TRACEFS_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(LIB_STATIC) \
		$(LIBNL_LIBS) $(URING_LIBS) $(BPF_LIBS) $(TRACEFS_LIBS)

# The kernel's own MSG_ZEROCOPY sender and receiver (its net selftest),
# built from the kernel source that make deps extracts, never copied into
# this tree: make bench runs it beside zcopy-bench (tools/vm/bench-guest.sh).
MSG_ZEROCOPY_SRC := $(KSRC)/tools/testing/selftests/net/msg_zerocopy.c
msg-zerocopy-peer: $(BUILD)/msg_zerocopy

$(BUILD)/msg_zerocopy: $(wildcard $(MSG_ZEROCOPY_SRC))
	@test -e $(MSG_ZEROCOPY_SRC) || { echo "$(MSG_ZEROCOPY_SRC) missing: run 'make deps'" >&2; exit 1; }
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) -Wall -o $@ $(MSG_ZEROCOPY_SRC)

SELFTESTS_ARGS = -C selftests OUTPUT=$(BUILD)/selftests KSRC=$(KSRC) \
	CFLAGS="$(USER_CFLAGS)" LIBZCOPY_DIR=$(LIBDIR)
# zcopy_lib links libzcopy.a.
selftests: $(LIB_STATIC)
	$(MAKE) $(SELFTESTS_ARGS)

# The kselftest layout (run_kselftest.sh, kselftest-list.txt, zcopy/) in
# INSTALL_PATH, for running the suite on another machine.
selftests-install: $(LIB_STATIC)
	$(MAKE) $(SELFTESTS_ARGS) install INSTALL_PATH=$(abspath $(INSTALL_PATH))

deps:
	tools/deps

check: zcopyctl selftests
	tools/vm/check $(if $(KVERS),$(KVERS))

# The sanitizer kernel is built once and cached (tools/vm/debug-kernel).
check-debug: zcopyctl selftests
	kver=$$(tools/vm/debug-kernel | tail -n 1) && \
	ZCOPY_VM_TIMEOUT=3000 tools/vm/check "$$kver"

coverage:
	kver=$$(tools/vm/debug-kernel | tail -n 1) && tools/coverage "$$kver"

# A long fuzzer run, its corpus kept across runs (tools/fuzz).
FUZZ_SECS ?= 1800
fuzz: zcopyctl selftests
	kver=$$(tools/vm/debug-kernel | tail -n 1) && tools/fuzz "$$kver" $(FUZZ_SECS) $(FUZZ_SEED)

shell: module zcopyctl selftests
	tools/vm/run --kernel $(KVER) --shell

demo: module zcopyctl selftests
	tools/vm/demo --kernel $(KVER)

demo-serve: module zcopyctl selftests
	tools/vm/demo --kernel $(KVER) --serve

# Every sending technique side by side, in the VM, on both kernels
# (tools/vm/bench): build/bench/<kver>.json, .txt and copies-cpu.svg.
bench: module zcopyctl zcopy-bench selftests msg-zerocopy-peer
	tools/vm/bench $(if $(KVERS),$(KVERS))
	tools/vm/bench --serve $(if $(KVERS),$(KVERS))
	tools/vm/bench --curves $(if $(KVERS),$(KVERS))

# How the cost per request grows with segments per call, body size and
# connections (tools/vm/bench --curves): build/bench/curves.md, curve-*.svg.
bench-curves: module zcopyctl zcopy-bench selftests
	tools/vm/bench --curves $(if $(KVERS),$(KVERS))

style:
	@test -x $(KSRC)/scripts/checkpatch.pl || { echo "$(KSRC)/scripts/checkpatch.pl missing: run 'make deps'" >&2; exit 1; }
	$(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse -f \
		$(filter-out $(NLGEN_KERNEL),$(wildcard module/*.c module/*.h)) \
		module/uapi/linux/zcopy.h
	tools/module-layers

# spec-check regenerates into a temporary directory and compares; it
# also compiles the generated code (the module via KDIR, libzcopy and
# zcopyctl here, and the kernel's YNL user-mode client).
spec-check:
	KSRC=$(KSRC) KDIR=$(KDIR) tools/spec-check

# Rewrite the files generated from Documentation/netlink/specs/zcopy.yaml.
nlgen:
	KSRC=$(KSRC) tools/nlgen

config-check:
	tools/config-check

# Installation. GNU-style directories under PREFIX, all staged under
# DESTDIR when it is set (packaging). udev and modprobe read their own
# directories whatever PREFIX is: under /usr the rule goes where packages
# put theirs, elsewhere where an administrator puts theirs.
PREFIX ?= /usr/local
bindir ?= $(PREFIX)/bin
libdir ?= $(PREFIX)/lib
includedir ?= $(PREFIX)/include
mandir ?= $(PREFIX)/share/man
pkgconfigdir ?= $(libdir)/pkgconfig
udevrulesdir ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)
modprobedir ?= /etc/modprobe.d
dkmssrcdir ?= /usr/src/zcopy-$(ZCOPY_VERSION)
INSTALL_MOD_DIR ?= updates

# The UAPI headers libzcopy.h includes (<linux/zcopy.h>) go to their own
# directory, which libzcopy.pc adds: /usr/include/linux is the kernel's.
install: lib zcopyctl
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(libdir) $(DESTDIR)$(pkgconfigdir) \
		$(DESTDIR)$(includedir)/libzcopy/linux $(DESTDIR)$(mandir)/man8 \
		$(DESTDIR)$(mandir)/man3 $(DESTDIR)$(udevrulesdir) $(DESTDIR)$(modprobedir)
	install -m 0755 $(BUILD)/zcopyctl $(DESTDIR)$(bindir)/
	install -m 0644 $(LIB_SHARED) $(LIB_STATIC) $(DESTDIR)$(libdir)/
	ln -sf $(notdir $(LIB_SHARED)) $(DESTDIR)$(libdir)/libzcopy.so.0
	ln -sf libzcopy.so.0 $(DESTDIR)$(libdir)/libzcopy.so
	install -m 0644 $(LIB_SRC)/include/libzcopy.h $(DESTDIR)$(includedir)/
	install -m 0644 module/uapi/linux/zcopy.h module/uapi/linux/zcopy_nl.h \
		$(DESTDIR)$(includedir)/libzcopy/linux/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(includedir)|' \
	    -e 's|@UAPIDIR@|$(includedir)/libzcopy|' -e 's|@LIBDIR@|$(libdir)|' \
	    -e 's|@VERSION@|$(ZCOPY_VERSION)|' $(LIB_SRC)/libzcopy.pc.in \
	    >$(DESTDIR)$(pkgconfigdir)/libzcopy.pc
	chmod 0644 $(DESTDIR)$(pkgconfigdir)/libzcopy.pc
	install -m 0644 Documentation/zcopyctl.8 $(DESTDIR)$(mandir)/man8/
	install -m 0644 $(LIB_SRC)/man/*.3 $(DESTDIR)$(mandir)/man3/
	install -m 0644 dist/60-zcopy.rules $(DESTDIR)$(udevrulesdir)/
	@# An administrator's edits are kept: the example is installed once.
	@if [ -z "$(DESTDIR)" ] && [ -e $(modprobedir)/zcopy.conf ]; then \
		echo "$(modprobedir)/zcopy.conf exists: left as it is"; \
	else \
		echo "install -m 0644 dist/zcopy.conf $(DESTDIR)$(modprobedir)/"; \
		install -m 0644 dist/zcopy.conf $(DESTDIR)$(modprobedir)/; \
	fi

# The kernel's modules_install signs when CONFIG_MODULE_SIG_ALL=y, with
# the key the kernel was built with; Debian's headers do not have it, and
# sign-file fails with OpenSSL errors for every module. So: signed when
# that key is there (or a PKCS#11 URI), else not, without the noise. Its
# depmod step needs System.map in KDIR, which the headers lack too: it is
# run here instead, with /boot's System.map if there is one, and left to
# the packager under DESTDIR.
modules_install: module
	@key=$$(sed -n 's/^CONFIG_MODULE_SIG_KEY=//p' $(KDIR)/include/config/auto.conf 2>/dev/null | tr -d '"'); \
	sign=; \
	case $$key in \
	pkcs11:*) sign=y ;; \
	/*) [ ! -r "$$key" ] || sign=y ;; \
	?*) [ ! -r "$(KDIR)/$$key" ] || sign=y ;; \
	esac; \
	$(MAKE) -C $(KDIR) M=$(MODDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) \
		$${sign:-CONFIG_MODULE_SIG_ALL=} quiet_cmd_depmod= cmd_depmod=: modules_install
ifeq ($(DESTDIR),)
	depmod -a $(if $(wildcard /boot/System.map-$(KVER)),-F /boot/System.map-$(KVER)) $(KVER)
endif

# The module's sources as DKMS builds them: Kbuild, VERSION, module/ and
# dkms.conf with the release filled in (the zcopy-dkms package, and
# make dkms-install).
dkms-source:
	@set -e; for f in $(MODULE_SRCS); do \
		install -D -m 0644 $$f $(DESTDIR)$(dkmssrcdir)/$$f; \
	done
	sed 's/#MODULE_VERSION#/$(ZCOPY_VERSION)/' dkms.conf >$(DESTDIR)$(dkmssrcdir)/dkms.conf
	@echo "dkms-source: $(DESTDIR)$(dkmssrcdir)"

# Fresh each time: what was added before (an older copy of these
# sources) is removed first. Not over the zcopy-dkms package's files.
dkms-install:
	@if dpkg -S $(dkmssrcdir) >/dev/null 2>&1; then \
		echo "$(dkmssrcdir) belongs to a package ($$(dpkg -S $(dkmssrcdir) | cut -d: -f1)): remove it first" >&2; exit 1; \
	fi
	@test -d "$(KDIR)" || { echo "$(KDIR): no such kernel build directory" >&2; exit 1; }
	if dkms status -m zcopy -v $(ZCOPY_VERSION) | grep -q .; then \
		dkms remove zcopy/$(ZCOPY_VERSION) --all; fi
	rm -rf $(dkmssrcdir)
	$(MAKE) --no-print-directory dkms-source DESTDIR=
	dkms add zcopy/$(ZCOPY_VERSION)
	dkms build zcopy/$(ZCOPY_VERSION) -k $(KVER)
	dkms install zcopy/$(ZCOPY_VERSION) -k $(KVER)

dkms-remove:
	@if dpkg -S $(dkmssrcdir) >/dev/null 2>&1; then \
		echo "$(dkmssrcdir) belongs to a package: remove that instead" >&2; exit 1; \
	fi
	if dkms status -m zcopy -v $(ZCOPY_VERSION) | grep -q .; then \
		dkms remove zcopy/$(ZCOPY_VERSION) --all; fi
	rm -rf $(dkmssrcdir)

# Debian packages from a copy of the tracked files (tools/deb): build/
# stays as it is. check-packages tests what deb built.
deb:
	tools/deb

check-packages:
	tools/vm/package-check $(if $(KVERS),$(KVERS))

clean:
	rm -rf $(BUILD)
