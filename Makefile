# SPDX-License-Identifier: GPL-2.0
#
# imx_rproc_rs — user entry points.
#
#   make                      build imx_rproc_rs.ko against KDIR
#   make KDIR=/path/to/linux  ... against any configured tree of a release of kernels.list
#                             (Linux 7.2, 7.3) with CONFIG_RUST=y
#   make KERNEL=7.3           ... against the bootstrap's tree of that release
#                             (KERNEL_SRC=... is accepted too, as Yocto passes it)
#   make demo                 boot the virtual i.MX95 under QEMU and show the driver at work
#   make check                run every test (host, build checks, QEMU scenarios) on one
#                             kernel of kernels.list, a named subset on the others
#   make check KERNELS=all    ... everything on every kernel
#   make check TARGET=ssh://root@board [KDIR=its kernel tree]
#                             the scenarios on a board through SSH (tests/host/ssh_target.py)
#   make check-host           the host stages that take seconds (no fuzzing, shipping, QEMU)
#   make check-scenario S=probe  one QEMU scenario (tests/guest/scenarios.toml)
#   make bootstrap            install the tools and build the cached kernel tree
#   make tests-tools          the guest's rpmsg_tool (static aarch64 C, for QEMU scenarios)
#   make tests-firmware       the test firmware images out/fw/*.elf (tools/mkfw)
#   make tests-vm7            the executing virtual M7 target/release/vm7 (tools/vm7)
#   make bench-vm7            real Zephyr firmware on vm7: C and Rust side by side
#   make clippy / fmt-check   lints
#   make rust-analyzer        rust-project.json (kernel crates, the module, fw)
#   make rustdoc              the module's docs with Kbuild's flags, -D warnings
#   make mutation-check       each bug of tests/mutations/catalogue.toml must fail its test; cargo-mutants over fw/
#   make soak                 the stress scenario with its full counts, per driver
#   make modules_install      install the module (honours INSTALL_MOD_PATH)
#   make clean

ARCH ?= arm64
CROSS_COMPILE ?= aarch64-linux-gnu-
IMX_RPROC_RS_CACHE ?= $(HOME)/.cache/imx_rproc_rs
export IMX_RPROC_RS_CACHE

# KDIR: command line, else KERNEL_SRC, else the tree scripts/bootstrap.sh built
# (KERNEL=7.3: that release's, of kernels.list).
env_mk := $(IMX_RPROC_RS_CACHE)/env$(if $(KERNEL),-$(KERNEL)).mk
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
		echo "or pass KDIR=/path/to/a/configured/linux (a release of kernels.list, CONFIG_RUST=y)." >&2; \
		exit 1; fi

modules: need-kdir
	+$(kmake) modules

# The driver and the virtual board's simulated hardware.
tests-modules: need-kdir
	+$(kmake) IMX_RPROC_RS_TESTS=1 modules

# The guest tool of the QEMU scenarios (not part of tests-modules).
TOOLS_CC ?= $(CROSS_COMPILE)gcc
tests-tools: tests/guest/tools/rpmsg_tool tests/guest/tools/rpmsg_bench tests/guest/tools/failnth

tests/guest/tools/rpmsg_tool: tests/guest/tools/rpmsg_tool.c
	$(TOOLS_CC) -static -O2 -Wall -Wextra -o $@ $<

tests/guest/tools/rpmsg_bench: tests/guest/tools/rpmsg_bench.c
	$(TOOLS_CC) -static -O2 -Wall -Wextra -o $@ $<

tests/guest/tools/failnth: tests/guest/tools/failnth.c
	$(TOOLS_CC) -static -O2 -Wall -Wextra -o $@ $<

# The executing virtual M7 (tools/vm7), for the scenarios that need "vm7"
# (scripts/run-qemu.sh --vm7).
.PHONY: tests-vm7
tests-vm7:
	cargo build --quiet --release -p vm7

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
	$(mkfw) -o $(fw_out)/zephyr-ready.elf --trace --ready-doorbell >/dev/null
	$(mkfw) -o $(fw_out)/ready-silent.elf --trace --ready-ms 300 >/dev/null
	$(mkfw) -o $(fw_out)/outside.elf --base 0x90000000 >/dev/null
	$(mkfw) layouts --out $(fw_out) >/dev/null

# `make check-firmware FIRMWARE=/path/to/zephyr.elf`: the user's own image
# through load, start, rpmsg and stop with both drivers on the virtual board
# (tests/guest/scenarios/firmware.sh; FIRMWARE_EXPECT=rpmsg by default).
.PHONY: check-firmware
check-firmware:
	@[ -n "$(FIRMWARE)" ] || { echo "usage: make check-firmware FIRMWARE=/path/to/image.elf" >&2; exit 2; }
	bash scripts/bootstrap.sh
	FIRMWARE=$(abspath $(FIRMWARE)) bash scripts/check.sh firmware

clippy: need-kdir
	+$(kmake) IMX_RPROC_RS_TESTS=1 CLIPPY=1 modules

fmt:
	rustfmt --edition 2021 --config-path $(KDIR)/.rustfmt.toml $(rs_sources)
	cargo fmt --all

fmt-check:
	rustfmt --check --edition 2021 --config-path $(KDIR)/.rustfmt.toml $(rs_sources)
	cargo fmt --all --check

modules_install install: need-kdir
	+$(kmake) modules_install

bootstrap:
	bash scripts/bootstrap.sh

demo:
	bash scripts/bootstrap.sh
	$(MAKE) tests-modules
	bash scripts/demo.sh

check:
	bash scripts/check.sh

.PHONY: check-host check-scenario
check-host:
	bash scripts/check.sh --host

check-scenario:
	@[ -n "$(S)" ] || { echo "usage: make check-scenario S=NAME [S='NAME NAME']" >&2; exit 2; }
	bash scripts/check.sh $(S)

clean:
	@if [ -n "$(KDIR)" ] && [ -f "$(KDIR)/Makefile" ]; then $(kmake) IMX_RPROC_RS_TESTS=1 clean; fi
	rm -f rust/bindings_generated.rs tests/guest/tools/rpmsg_tool tests/guest/tools/rpmsg_bench \
		tests/guest/tools/failnth
	cargo clean 2>/dev/null || true

# --- device-tree overlays and shipping checks (Documentation/shipping.rst) ---
#   make dtbo            both overlays into out/dts/ (cpp as the kernel does, dtc -@)
#   make dt-check        Verdin DTBs + overlay, virtual board, dt-schema validation
#   make dkms-check      DKMS cross build/install in a scratch tree, INSTALL_MOD_PATH
#   make headers-check   build against a minimal copy of KDIR (headers package)

IMX_DTC ?= dtc
dtbo_out := out/dts
dtbo_cpp = cpp -nostdinc $(if $(KDIR),-I $(KDIR)/include -I $(KDIR)/arch/arm64/boot/dts \
	-I $(KDIR)/scripts/dtc/include-prefixes) -undef -D__DTS__ -x assembler-with-cpp
cmd_dtbo = mkdir -p $(dtbo_out) && $(dtbo_cpp) -o $@.pre.dts $< && \
	$(IMX_DTC) -@ -I dts -O dtb -o $@ $@.pre.dts && rm -f $@.pre.dts
shipping_check_args = $(if $(KDIR),--kdir $(KDIR))

.PHONY: dtbo dt-check dkms-check headers-check

dtbo: $(dtbo_out)/verdin-imx95_cm7-remoteproc_overlay.dtbo $(dtbo_out)/imx95-virtual.dtbo

$(dtbo_out)/%.dtbo: dts/%.dts
	$(cmd_dtbo)

$(dtbo_out)/%.dtbo: dts/%.dtso
	$(cmd_dtbo)

dt-check: need-kdir
	bash scripts/dt-check.sh $(shipping_check_args)

dkms-check: need-kdir
	bash scripts/dkms-check.sh $(shipping_check_args)

headers-check: need-kdir
	bash scripts/headers-check.sh $(shipping_check_args)

# `make bench`: the C imx_rproc and imx_rproc_rs in one boot of the virtual
# i.MX95, interleaved rounds; the table goes to out/bench/bench.md
# (scripts/bench.sh --help). BENCH_ARGS: its options, e.g.
# `make bench BENCH_ARGS=--icount`.
.PHONY: bench
bench:
	bash scripts/bootstrap.sh
	$(MAKE) tests-modules tests-tools
	bash scripts/bench.sh $(BENCH_ARGS)

# `make bench-vm7`: the real Zephyr openamp_rsc_table on vm7 (board mode),
# C and Rust in one boot: start to first endpoint, rpmsg-tty echo, vm7's
# M instr/s; the table goes to out/bench-vm7/bench.md (scripts/bench-vm7.sh
# --help). BENCH_VM7_ARGS: its options.
.PHONY: bench-vm7
bench-vm7:
	bash scripts/bootstrap.sh
	bash scripts/bench-vm7.sh $(BENCH_VM7_ARGS)

# `make rust-analyzer`: rust-project.json for the module, the virtual board
# and the fw crate: the kernel's own generator (make -C KDIR M=...
# rust-analyzer) for the kernel's crates and cfgs, then
# scripts/rust_analyzer.py adds ours. Needs rust/bindings_generated.rs,
# which `make` generates.
.PHONY: rust-analyzer
rust-analyzer: need-kdir
	@[ -f rust/bindings_generated.rs ] || $(MAKE) modules
	+$(kmake) rust-analyzer
	python3 scripts/rust_analyzer.py add rust-project.json
	python3 scripts/rust_analyzer.py check rust-project.json

# `make rustdoc`: the module's docs with the flags Kbuild compiled it with
# (private items, -D warnings, every kernel_ext item documented) into
# out/rustdoc/imx_rproc_rs/index.html (scripts/rustdoc.py).
.PHONY: rustdoc
rustdoc: need-kdir
	@[ -f rust/.imx_rproc_rs.o.cmd ] || $(MAKE) modules
	python3 scripts/rustdoc.py

# Each plausible bug of tests/mutations/catalogue.toml applied in turn: a
# test it names must fail (one build and one QEMU boot per entry); then
# cargo-mutants over fw/ (installed if missing). Not in `make check`, which
# only checks that every entry still applies (scripts/mutation.py selfcheck).
.PHONY: mutation-check
mutation-check:
	bash scripts/bootstrap.sh
	$(MAKE) tests-modules tests-tools tests-firmware
	bash scripts/mutation-check.sh

# `make soak`: tests/guest/scenarios/stress.sh with the full counts (1000
# start/stop, 200 insmod/rmmod, 100 crash cycles each way, ...), one boot
# per driver; summary in out/check/reliability.md (scripts/soak.sh --help).
.PHONY: soak
soak:
	bash scripts/bootstrap.sh
	bash scripts/soak.sh
