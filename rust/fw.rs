// SPDX-License-Identifier: GPL-2.0

//! The firmware-format crate (`fw/`), compiled into the module.
//!
//! The same files build the host crate `imx_rproc_fw`, where they are unit
//! tested and fuzzed; here each is a sub-module, which is why they refer to
//! each other through `super::`.

#[path = "../fw/src/error.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod error;

#[path = "../fw/src/att.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod att;

#[path = "../fw/src/elf.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod elf;

#[path = "../fw/src/rsc.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod rsc;

#[path = "../fw/src/boot.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod boot;

#[path = "../fw/src/region.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod region;

// The resource-table builders, for the KUnit selftests only (the test build,
// `make tests-modules`): their `core` part, without the cargo feature
// `builder`'s `Vec` functions. The shipped module does not compile them.
#[cfg(all(CONFIG_KUNIT, imx_rproc_rs_tests))]
#[path = "../fw/src/builder.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod builder;
