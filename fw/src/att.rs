// SPDX-License-Identifier: GPL-2.0

//! The i.MX address translation table (ATT): device addresses as seen by
//! the remote core, and the system (Cortex-A) addresses they map to.
//!
//! All bounds are inclusive of the region end: a range `[da, da + len)` is
//! inside a region `[start, start + size)` iff `len > 0`, `da >= start` and
//! `da + len <= start + size`, with every addition checked. (The C driver's
//! `imx_rproc_da_to_sys()` uses a strict `<` and so rejects a range ending
//! exactly at the region end.) Ends are computed in `u64`, so a region or
//! range ending exactly at 2^64 cannot be expressed and never matches.
//!
//! This file is compiled both as part of the host crate `imx_rproc_fw` and,
//! through `#[path]`, inside the kernel module: it must only use `core` and
//! refer to its siblings through `super::`.

use super::elf::LoadSegment;
use super::error::Error;

/// The region belongs to this remote core (ATT flag).
pub const ATT_OWN: u32 = 1 << 31;
/// The region is device memory and must be accessed as I/O memory (ATT
/// flag).
pub const ATT_IOMEM: u32 = 1 << 30;

/// One address translation table entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttEntry {
    /// Device address: start of the region as seen by the remote core.
    pub da: u32,
    /// System address: start of the region as seen by the Linux CPUs.
    pub sa: u64,
    /// Size of the region in bytes.
    pub size: u32,
    /// `ATT_OWN`, `ATT_IOMEM`.
    pub flags: u32,
}

impl AttEntry {
    /// Returns the offset of `[da, da + len)` inside this entry's device
    /// range, or `None` if the range is empty, wraps, or is not entirely
    /// inside the entry (the entry's end is inclusive).
    pub fn offset_of(&self, da: u64, len: u64) -> Option<u64> {
        range_offset(u64::from(self.da), u64::from(self.size), da, len)
    }
}

/// The Cortex-M7 ATT of the i.MX95.
pub const IMX95_M7_ATT: [AttEntry; 3] = [
    // ITCM
    AttEntry {
        da: 0x0000_0000,
        sa: 0x203C_0000,
        size: 0x0004_0000,
        flags: ATT_OWN | ATT_IOMEM,
    },
    // DTCM
    AttEntry {
        da: 0x2000_0000,
        sa: 0x2040_0000,
        size: 0x0004_0000,
        flags: ATT_OWN | ATT_IOMEM,
    },
    // DDR, identity-mapped
    AttEntry {
        da: 0x8000_0000,
        sa: 0x8000_0000,
        size: 0x5000_0000,
        flags: 0,
    },
];

/// Returns `addr - start` if `[addr, addr + len)` lies inside
/// `[start, start + size)`, with `len > 0` and all arithmetic checked.
fn range_offset(start: u64, size: u64, addr: u64, len: u64) -> Option<u64> {
    if len == 0 || addr < start {
        return None;
    }
    let end = addr.checked_add(len)?;
    let region_end = start.checked_add(size)?;
    if end > region_end {
        return None;
    }
    addr.checked_sub(start)
}

/// Translates the device range `[da, da + len)` to a system address.
///
/// Returns the system address of `da` and the first `table` entry that
/// contains the whole range (inclusive end). Errors: [`Error::ZeroLength`]
/// if `len == 0`, [`Error::AddressRangeWraps`] if `da + len` overflows,
/// [`Error::AddressNotMapped`] if no entry contains the whole range.
///
/// # Examples
///
/// ```
/// use imx_rproc_fw::att::{da_to_sys, ATT_IOMEM, IMX95_M7_ATT};
/// use imx_rproc_fw::error::Error;
///
/// // The M7 sees its DTCM at 0x2000_0000; Linux at 0x2040_0000.
/// let (sa, entry) = da_to_sys(&IMX95_M7_ATT, 0x2000_1000, 0x100)?;
/// assert_eq!(sa, 0x2040_1000);
/// assert_ne!(entry.flags & ATT_IOMEM, 0);
/// // A range ending exactly at the end of the 256 KiB DTCM is inside.
/// assert!(da_to_sys(&IMX95_M7_ATT, 0x2003_ff00, 0x100).is_ok());
/// // One byte further is not, and neither is an empty range.
/// assert_eq!(da_to_sys(&IMX95_M7_ATT, 0x2003_ff00, 0x101), Err(Error::AddressNotMapped));
/// assert_eq!(da_to_sys(&IMX95_M7_ATT, 0x2000_0000, 0), Err(Error::ZeroLength));
/// # Ok::<(), Error>(())
/// ```
pub fn da_to_sys(table: &[AttEntry], da: u64, len: u64) -> Result<(u64, &AttEntry), Error> {
    if len == 0 {
        return Err(Error::ZeroLength);
    }
    if da.checked_add(len).is_none() {
        return Err(Error::AddressRangeWraps);
    }
    table
        .iter()
        .find_map(|e| {
            e.offset_of(da, len)
                .and_then(|off| e.sa.checked_add(off))
                .map(|sa| (sa, e))
        })
        .ok_or(Error::AddressNotMapped)
}

/// Translates a whole loadable segment (`[paddr, paddr + memsz)`) with
/// [`da_to_sys`].
///
/// Any translation failure is reported as [`Error::SegmentNotMapped`] with
/// the segment's index, address and memory size.
pub fn map_segment<'t>(
    table: &'t [AttEntry],
    seg: &LoadSegment<'_>,
) -> Result<(u64, &'t AttEntry), Error> {
    da_to_sys(table, u64::from(seg.paddr), u64::from(seg.memsz)).map_err(|_| {
        Error::SegmentNotMapped {
            index: seg.index,
            da: seg.paddr,
            len: seg.memsz,
        }
    })
}

/// A system-address region (for example a reserved-memory carveout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// System address of the start of the region.
    pub sa: u64,
    /// Size of the region in bytes.
    pub size: u64,
}

/// Finds the first region containing the whole system range
/// `[sa, sa + len)` (inclusive end, checked arithmetic, `len > 0`).
///
/// Returns the region's index in `regions` and the offset of `sa` inside
/// it, or `None`.
///
/// # Examples
///
/// ```
/// use imx_rproc_fw::att::{sys_in_regions, Region};
///
/// let carveouts = [
///     Region { sa: 0x8800_0000, size: 0x8000 },
///     Region { sa: 0x8801_0000, size: 0x1_0000 },
/// ];
/// assert_eq!(sys_in_regions(&carveouts, 0x8801_0400, 0x400), Some((1, 0x400)));
/// // Straddling the end of the first region: in neither.
/// assert_eq!(sys_in_regions(&carveouts, 0x8800_7f00, 0x200), None);
/// ```
pub fn sys_in_regions(regions: &[Region], sa: u64, len: u64) -> Option<(usize, u64)> {
    regions
        .iter()
        .enumerate()
        .find_map(|(i, r)| range_offset(r.sa, r.size, sa, len).map(|off| (i, off)))
}
