// SPDX-License-Identifier: GPL-2.0

//! Firmware-format support for the i.MX95 Cortex-M7 remoteproc driver
//! `imx_rproc_rs`: a zero-copy, allocation-free ELF32 parser ([`elf`]), the
//! address translation table ([`att`]), their error type ([`error`]) and
//! the roles of the M7's memory regions ([`region`]); behind the cargo
//! feature `builder` (host only, never in the kernel module), the
//! resource-table builders (`builder`) and the ELF writer (`elfw`) the
//! tests, the fuzzers and `tools/mkfw` write tables and images with;
//! also the test images' manifest ([`manifest`]), which only the host tools
//! and the simulator use.
//!
//! The modules are also compiled, unchanged, inside the kernel module via
//! `#[path]`, so they only use `core`, refer to each other through
//! `super::`, contain no `unsafe` and cannot panic on untrusted input. The
//! lints below enforce that on the host.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs, rust_2018_idioms)]
#![deny(
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    clippy::cast_lossless,
    clippy::cast_possible_truncation,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::unwrap_used
)]

#[cfg(feature = "builder")]
extern crate alloc;

pub mod att;
pub mod boot;
#[cfg(feature = "builder")]
pub mod builder;
pub mod elf;
#[cfg(feature = "builder")]
pub mod elfw;
pub mod error;
pub mod manifest;
pub mod region;
pub mod rsc;
pub mod vm7link;
