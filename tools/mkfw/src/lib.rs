// SPDX-License-Identifier: GPL-2.0

//! `mkfw`: writes ELF32 little-endian `EM_ARM` `ET_EXEC` firmware images for
//! the i.MX95 Cortex-M7, shaped like what Zephyr's
//! `samples/subsys/ipc/openamp_rsc_table` produces for the DDR build
//! (`imx95_evk/mimx9596/m7/ddr`), for the tests and the demo of
//! `imx_rproc_rs`.
//!
//! - [`firmware`]: the layout ([`firmware::plan`]) and the image
//!   ([`firmware::build`]); the module docs give the exact layout.
//! - [`manifest`]: the 64-byte manifest the simulated M7 checks, and the
//!   definition of its checksums.
//! - [`rsc`]: the resource table (encoder and decoder).
//! - The ELF32 images themselves are written with `imx_rproc_fw::elfw`
//!   (feature `builder`), the writer of the driver's own format crate.
//! - [`corpus`]: the malformed-image corpus (`mkfw corpus --out DIR`): one
//!   image per defect, the valid edge cases, and what the driver must answer.
//! - [`layouts`]: images in the layouts real i.MX95 M7 firmware is linked
//!   in, without the manifest (`mkfw layouts --out DIR`).
//! - [`describe`]: `mkfw --describe`, which parses an image with the
//!   driver's own parser (`imx_rproc_fw`).
//!
//! See `tools/mkfw/README.md` for the command line.

use std::fmt;

pub mod corpus;
pub mod describe;
pub mod errno;
pub mod firmware;
pub mod layouts;
pub mod manifest;
pub mod rsc;

/// Why an image could not be laid out or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A size or address is not a multiple of the required alignment.
    Unaligned {
        /// The option concerned.
        what: &'static str,
        /// Its value.
        value: u64,
        /// The required alignment.
        align: u32,
    },
    /// A size is below its minimum.
    TooSmall {
        /// The option concerned.
        what: &'static str,
        /// Its value.
        value: u64,
        /// The minimum.
        min: u64,
    },
    /// The region `[base, base + size)` is empty or leaves the 32-bit
    /// address space.
    RegionOutsideAddressSpace {
        /// Region start.
        base: u32,
        /// Region size.
        size: u64,
    },
    /// The image's footprint exceeds the region.
    DoesNotFit {
        /// Region start.
        base: u32,
        /// Region size.
        region_size: u64,
        /// Code segment size.
        code: u64,
        /// Resource table size, padded to 8 bytes.
        rsc: u64,
        /// `.data` size.
        data: u32,
        /// `.bss` size.
        bss: u32,
    },
    /// The image cannot be serialised (too large, inconsistent sections).
    Serialize(String),
}

fn human(v: u64) -> String {
    if v >= 1 << 20 {
        format!("{:.2} MiB", v as f64 / f64::from(1u32 << 20))
    } else {
        format!("{:.2} KiB", v as f64 / 1024.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unaligned { what, value, align } => write!(
                f,
                "{what} 0x{value:x} is not a multiple of 0x{align:x}{}",
                if *what == "--base" {
                    " (the reset vector is e_entry & 0xffff0000: the vector table must be 64 KiB aligned)"
                } else {
                    ""
                }
            ),
            Error::TooSmall { what, value, min } => {
                let why = match *what {
                    "--code-size" | "--image-size" => {
                        " (the code segment needs 0x408 bytes: vector table, manifest, IRQ vectors, handlers)"
                    }
                    "--bss-size" => " (.bss holds the trace buffer and at least 256 bytes of stack)",
                    _ => "",
                };
                write!(f, "{what} 0x{value:x} is below the minimum 0x{min:x}{why}")
            }
            Error::RegionOutsideAddressSpace { base, size } => write!(
                f,
                "region 0x{base:08x} + 0x{size:x} is empty or goes past the end of the 32-bit address space"
            ),
            Error::DoesNotFit {
                base,
                region_size,
                code,
                rsc,
                data,
                bss,
            } => {
                let total = code + rsc + u64::from(*data) + u64::from(*bss);
                let others = rsc + u64::from(*data) + u64::from(*bss);
                write!(
                    f,
                    "image does not fit: code 0x{code:x} + resource table 0x{rsc:x} + .data 0x{data:x} + .bss 0x{bss:x} \
                     = 0x{total:x} bytes ({}) > region 0x{base:08x}..0x{:08x} (0x{region_size:x} bytes, {}) by 0x{:x} bytes",
                    human(total),
                    u64::from(*base) + region_size,
                    human(*region_size),
                    total - region_size,
                )?;
                if others + u64::from(firmware::MIN_CODE_SIZE) <= *region_size {
                    let max = (region_size - others) / 8 * 8;
                    write!(
                        f,
                        "; the largest --code-size that fits is 0x{max:x}, or use --image-size 0x{region_size:x} \
                         for an image filling the region (size options are totals)"
                    )
                } else {
                    write!(f, "; reduce --data-size / --bss-size / --trace-len or raise --region-size")
                }
            }
            Error::Serialize(m) => write!(f, "cannot serialise image: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<imx_rproc_fw::elfw::SerializeError> for Error {
    fn from(e: imx_rproc_fw::elfw::SerializeError) -> Self {
        Error::Serialize(e.0)
    }
}
