# SPDX-License-Identifier: GPL-2.0
#
# imx_rproc_rs — user entry points.
#
#   make                      build imx_rproc_rs.ko against KDIR
#   make KDIR=/path/to/linux  ... against any configured Linux 7.2 tree with CONFIG_RUST=y
#                             (KERNEL_SRC=... is accepted too, as Yocto passes it)
#   make demo                 boot the virtual i.MX95 under QEMU and show the driver at work
#   make check                run every test (host, build checks, QEMU scenarios)
#   make bootstrap            install the tools and build the cached kernel tree
#   make tests-tools          the guest's rpmsg_tool (static aarch64 C, for QEMU scenarios)
#   make tests-firmware       the test firmware images out/fw/*.elf (tools/mkfw)
#   make clippy / fmt-check   lints
#   make modules_install      install the module (honours INSTALL_MOD_PATH)
#   make clean

ARCH ?= arm64
CROSS_COMPILE ?= aarch64-linux-gnu-
IMX_RPROC_RS_CACHE ?= $(HOME)/.cache/imx_rproc_rs
export IMX_RPROC_RS_CACHE

# KDIR: command line, else KERNEL_SRC, else the tree scripts/bootstrap.sh built.
env_mk := $(IMX_RPROC_RS_CACHE)/env.mk
ifneq ($(KERNEL_SRC),)
KDIR ?= $(KERNEL_SRC)
endif
KDIR ?= $(shell sed -n 's/^KDIR=//p' $(env_mk) 2>/dev/null)
LIBCLANG_PATH ?= $(shell sed -n 's/^LIBCLANG_PATH=//p' $(env_mk) 2>/dev/null)
export LIBCLANG_PATH
export PATH := $(HOME)/.cargo/bin:$(PATH)

rs_sources = $(filter-out rust/bindings_generated.rs,$(wildcard rust/*.rs rust/kernel_ext/*.rs tests/sim/*.rs))

kmake = $(MAKE) -C $(KDIR) M=$(CURDIR) ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE)

.PHONY: all modules tests-modules tests-tools tests-firmware clippy fmt fmt-check demo \
	check bootstrap modules_install install clean need-kdir

all: modules

need-kdir:
	@if [ -z "$(KDIR)" ] || [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "imx_rproc_rs: no kernel tree. Run 'make bootstrap' (or scripts/bootstrap.sh)," >&2; \
		echo "or pass KDIR=/path/to/configured/linux-7.2 (CONFIG_RUST=y)." >&2; \
		exit 1; fi

modules: need-kdir
	$(kmake) modules

# The driver and the virtual board's simulated hardware.
tests-modules: need-kdir
	$(kmake) IMX_RPROC_RS_TESTS=1 modules

# The guest tool of the QEMU scenarios (not part of tests-modules).
TOOLS_CC ?= $(CROSS_COMPILE)gcc
tests-tools: tests/guest/tools/rpmsg_tool

tests/guest/tools/rpmsg_tool: tests/guest/tools/rpmsg_tool.c
	$(TOOLS_CC) -static -O2 -Wall -Wextra -o $@ $<

# Firmware images for the simulated M7 (tools/mkfw/README.md), copied to
# /lib/firmware/ in the guest by scripts/check.sh.
fw_out := out/fw
mkfw = cargo run --quiet --release -p mkfw --
tests-firmware:
	mkdir -p $(fw_out)
	$(mkfw) -o $(fw_out)/zephyr.elf --trace >/dev/null
	$(mkfw) -o $(fw_out)/zephyr-notrace.elf >/dev/null
	$(mkfw) -o $(fw_out)/idle.elf --behaviour idle >/dev/null
	$(mkfw) -o $(fw_out)/hang.elf --trace --hang >/dev/null
	$(mkfw) -o $(fw_out)/crash.elf --trace --crash-after 1000 >/dev/null

clippy: need-kdir
	$(kmake) IMX_RPROC_RS_TESTS=1 CLIPPY=1 modules

fmt:
	rustfmt --edition 2021 --config-path $(KDIR)/.rustfmt.toml $(rs_sources)
	cargo fmt --all

fmt-check:
	rustfmt --check --edition 2021 --config-path $(KDIR)/.rustfmt.toml $(rs_sources)
	cargo fmt --all --check

modules_install install: need-kdir
	$(kmake) modules_install

bootstrap:
	bash scripts/bootstrap.sh

demo:
	bash scripts/bootstrap.sh
	$(MAKE) tests-modules
	bash scripts/demo.sh

check:
	bash scripts/check.sh

clean:
	@if [ -n "$(KDIR)" ] && [ -f "$(KDIR)/Makefile" ]; then $(kmake) IMX_RPROC_RS_TESTS=1 clean; fi
	rm -f rust/bindings_generated.rs tests/guest/tools/rpmsg_tool
	cargo clean 2>/dev/null || true
