// SPDX-License-Identifier: GPL-2.0

//! The firmware-format crate (`fw/`), compiled into the simulation as it is into the driver
//! (`rust/fw.rs`): the simulated M7 parses resource tables and, for its pre-boot (`m7_boot`, what
//! U-Boot's `bootaux` does), ELF images with the same no_std code, and reads the test images'
//! manifest with the module `mkfw` writes it with; it classifies its memory regions by the
//! driver's rules.

#[path = "../../fw/src/error.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod error;

#[path = "../../fw/src/elf.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod elf;

#[path = "../../fw/src/rsc.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod rsc;

#[path = "../../fw/src/manifest.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod manifest;

#[path = "../../fw/src/region.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod region;
