// SPDX-License-Identifier: GPL-2.0

//! Checks shared by the fuzz targets of `imx_rproc_fw`.
//!
//! A fuzz target that only calls the parser finds panics; these checks also
//! find a wrong answer. Each module holds an independent, deliberately
//! naive reference implementation (plain indexing of a `u64`/`u128` view of
//! the bytes, written from the documentation, not from the code under
//! test), and a `check_*` function that runs the real parser, compares the
//! two results exactly, and asserts the documented guarantees of every `Ok`
//! (slices inside the input, sizes consistent, entries inside the table,
//! translations inside their ATT entry).
//!
//! - [`elf`]: `Elf32::parse`, the program headers, `load_segment(s)`,
//!   `validate_segments`, `load_into`, `find_section`.
//! - [`rsc`]: `ResourceTable::parse` under several [`Limits`], every entry
//!   and every vring.
//! - [`att`]: `da_to_sys`, `map_segment`, `sys_in_regions`, against `u128`
//!   arithmetic.
//! - [`image`]: the valid base images and the field mutations of the
//!   structure-aware `image` target, and the driver's pipeline.
//!
//! A failed check panics, which libFuzzer reports as a crash.
//!
//! [`Limits`]: imx_rproc_fw::rsc::Limits

pub mod att;
pub mod elf;
pub mod image;
pub mod rsc;

use imx_rproc_fw::error::Error;

/// Reads a little-endian `u32` at `off`, or `None` if out of bounds.
pub fn rd32(b: &[u8], off: u64) -> Option<u32> {
    let off = usize::try_from(off).ok()?;
    let end = off.checked_add(4)?;
    b.get(off..end)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
}

/// Reads a little-endian `u16` at `off`, or `None` if out of bounds.
pub fn rd16(b: &[u8], off: u64) -> Option<u16> {
    let off = usize::try_from(off).ok()?;
    let end = off.checked_add(2)?;
    b.get(off..end).map(|w| u16::from_le_bytes([w[0], w[1]]))
}

/// `b[off..off + len]` computed in `u64`, or `None` if not inside `b`.
pub fn range(b: &[u8], off: u64, len: u64) -> Option<&[u8]> {
    let end = off.checked_add(len)?;
    if end > b.len() as u64 {
        return None;
    }
    b.get(usize::try_from(off).ok()?..usize::try_from(end).ok()?)
}

/// Asserts that `inner` is `outer[off..off + inner.len()]` (the same bytes,
/// not a copy), where `off` is the expected offset.
pub fn assert_subslice_at(outer: &[u8], inner: &[u8], off: u64) {
    let o = outer.as_ptr() as usize;
    let i = inner.as_ptr() as usize;
    if inner.is_empty() {
        return;
    }
    assert_eq!(
        i.wrapping_sub(o) as u64,
        off,
        "slice is not at the expected offset of the input"
    );
    assert!(
        off + inner.len() as u64 <= outer.len() as u64,
        "slice extends past the end of the input"
    );
}

/// Asserts the generic guarantee of an error: a description (every variant
/// has a [`imx_rproc_fw::error::Kind`], which the type system guarantees).
pub fn check_error(e: &Error) {
    assert!(!e.describe().is_empty(), "{e:?}: empty description");
}
