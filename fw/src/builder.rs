// SPDX-License-Identifier: GPL-2.0

//! Builders of the resource table: the entries and tables the tests, the
//! fuzzers and `tools/mkfw` write, laid out by the same constants
//! [`super::rsc`] parses them with.
//!
//! Each builder writes into an [`Out`]: a `Vec<u8>` on the host (cargo
//! feature `builder`, which adds the functions returning `Vec`s), or a
//! [`Cursor`] over a fixed buffer, which needs only `core`. The kernel
//! module's test build compiles this file through `#[path]` for its KUnit
//! selftests (`rust/selftests.rs`), where only the `core` part exists; the
//! shipped module does not include it (`rust/fw.rs`).
//!
//! Inputs are trusted (a test's or a tool's own values): on the host a
//! table too large for its 32-bit offsets is a bug of the caller, and
//! panics; a [`Cursor`] records a buffer too small instead of panicking.

// Builders of test data: a value that does not fit its field is the
// caller's bug, reported by a panic, not an input to survive.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing,
    clippy::expect_used
)]

#[cfg(feature = "builder")]
use super::rsc::{RSC_CARVEOUT, RSC_DEVMEM, RSC_TRACE};
use super::rsc::{RSC_NAME_SIZE, RSC_OFFSET_SIZE, RSC_TABLE_HDR_SIZE, RSC_TABLE_VERSION, RSC_VDEV};
#[cfg(feature = "builder")]
use alloc::vec::Vec;

/// A vring descriptor (`fw_rsc_vdev_vring`): `{da, align, num, notifyid,
/// pa}`.
pub type VringDesc = [u32; 5];

/// Where a builder writes its bytes, in order.
pub trait Out {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
    /// How many bytes have been appended so far.
    fn written(&self) -> usize;
}

#[cfg(feature = "builder")]
impl Out for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn written(&self) -> usize {
        self.len()
    }
}

/// An [`Out`] over a fixed buffer; what does not fit is counted, not
/// written.
#[derive(Debug)]
pub struct Cursor<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Cursor { buf, len: 0 }
    }

    /// The bytes written, or `None` if they did not all fit.
    pub fn finish(self) -> Option<&'a [u8]> {
        let Cursor { buf, len } = self;
        let buf: &'a [u8] = buf;
        buf.get(..len)
    }
}

impl Out for Cursor<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }
    fn written(&self) -> usize {
        self.len
    }
}

/// Appends little-endian words.
fn words(out: &mut impl Out, ws: &[u32]) {
    for w in ws {
        out.put(&w.to_le_bytes());
    }
}

/// A 32-byte name field holding `name` followed by NULs (`name` is cut at
/// 32 bytes).
pub fn name32(name: &[u8]) -> [u8; RSC_NAME_SIZE] {
    let mut n = [0u8; RSC_NAME_SIZE];
    for (d, s) in n.iter_mut().zip(name) {
        *d = *s;
    }
    n
}

/// A carveout (`RSC_CARVEOUT`) or devmem (`RSC_DEVMEM`) entry of type
/// `kind`, type word included, every field given.
#[cfg(feature = "builder")]
pub fn mem_entry(
    kind: u32,
    da: u32,
    pa: u32,
    len: u32,
    flags: u32,
    reserved: u32,
    name: [u8; RSC_NAME_SIZE],
) -> Vec<u8> {
    let mut e = Vec::new();
    words(&mut e, &[kind, da, pa, len, flags, reserved]);
    e.extend_from_slice(&name);
    e
}

/// A carveout entry, type word included.
#[cfg(feature = "builder")]
pub fn carveout(da: u32, pa: u32, len: u32, flags: u32, name: &[u8]) -> Vec<u8> {
    mem_entry(RSC_CARVEOUT, da, pa, len, flags, 0, name32(name))
}

/// A devmem entry, type word included.
#[cfg(feature = "builder")]
pub fn devmem(da: u32, pa: u32, len: u32, flags: u32, name: &[u8]) -> Vec<u8> {
    mem_entry(RSC_DEVMEM, da, pa, len, flags, 0, name32(name))
}

/// A trace entry, type word included, every field given.
#[cfg(feature = "builder")]
pub fn trace_entry(da: u32, len: u32, reserved: u32, name: [u8; RSC_NAME_SIZE]) -> Vec<u8> {
    let mut e = Vec::new();
    words(&mut e, &[RSC_TRACE, da, len, reserved]);
    e.extend_from_slice(&name);
    e
}

/// A trace entry, type word included.
#[cfg(feature = "builder")]
pub fn trace(da: u32, len: u32, name: &[u8]) -> Vec<u8> {
    trace_entry(da, len, 0, name32(name))
}

/// The fields of a `fw_rsc_vdev` after its type word and before its
/// vrings, each as written (`num_of_vrings` and `config_len` need not
/// match what follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VdevHeader {
    /// `id` (virtio device id).
    pub id: u32,
    /// `notifyid`.
    pub notifyid: u32,
    /// `dfeatures`.
    pub dfeatures: u32,
    /// `gfeatures`.
    pub gfeatures: u32,
    /// `config_len`.
    pub config_len: u32,
    /// `status`.
    pub status: u8,
    /// `num_of_vrings`.
    pub num_of_vrings: u8,
    /// `reserved[2]`.
    pub reserved: [u8; 2],
}

/// Writes a vdev entry, type word included: `header`, then `vrings`, then
/// `config`, as given.
pub fn write_vdev_entry(
    e: &mut impl Out,
    header: &VdevHeader,
    vrings: &[VringDesc],
    config: &[u8],
) {
    let h = header;
    words(
        e,
        &[
            RSC_VDEV,
            h.id,
            h.notifyid,
            h.dfeatures,
            h.gfeatures,
            h.config_len,
        ],
    );
    e.put(&[h.status, h.num_of_vrings, h.reserved[0], h.reserved[1]]);
    for v in vrings {
        words(e, v);
    }
    e.put(config);
}

/// A vdev entry, type word included: `header`, then `vrings`, then
/// `config`, as given.
#[cfg(feature = "builder")]
pub fn vdev_entry(header: &VdevHeader, vrings: &[VringDesc], config: &[u8]) -> Vec<u8> {
    let mut e = Vec::new();
    write_vdev_entry(&mut e, header, vrings, config);
    e
}

/// The header of a well-formed vdev entry: `gfeatures`, `status` and the
/// reserved bytes zero, `num_of_vrings` and `config_len` those of `vrings`
/// and `config` (saturated, so a cursor-built entry that lies is the
/// caller's visible mistake rather than a panic).
pub fn vdev_header(
    id: u32,
    notifyid: u32,
    dfeatures: u32,
    vrings: &[VringDesc],
    config: &[u8],
) -> VdevHeader {
    VdevHeader {
        id,
        notifyid,
        dfeatures,
        gfeatures: 0,
        config_len: u32::try_from(config.len()).unwrap_or(u32::MAX),
        status: 0,
        num_of_vrings: u8::try_from(vrings.len()).unwrap_or(u8::MAX),
        reserved: [0; 2],
    }
}

/// A well-formed vdev entry, type word included: [`vdev_header`], then
/// `vrings` and `config`.
#[cfg(feature = "builder")]
pub fn vdev(
    id: u32,
    notifyid: u32,
    dfeatures: u32,
    vrings: &[VringDesc],
    config: &[u8],
) -> Vec<u8> {
    assert!(
        u32::try_from(config.len()).is_ok(),
        "config space fits in 32 bits"
    );
    assert!(u8::try_from(vrings.len()).is_ok(), "fewer than 256 vrings");
    let header = vdev_header(id, notifyid, dfeatures, vrings, config);
    vdev_entry(&header, vrings, config)
}

/// A vendor entry: type `kind`, then `payload`.
#[cfg(feature = "builder")]
pub fn vendor(kind: u32, payload: &[u8]) -> Vec<u8> {
    let mut e = kind.to_le_bytes().to_vec();
    e.extend_from_slice(payload);
    e
}

/// Writes a version-1 table: header (`num` = the number of entries,
/// reserved words zero), offset array, then the entries in order, each
/// 4-byte aligned, then `pad` zero bytes. Returns the offset of each entry's
/// type word (the first `N`; an `N` below the number of entries only
/// shortens what is returned).
pub fn write_table<const N: usize>(
    out: &mut impl Out,
    entries: &[&[u8]],
    pad: usize,
) -> [usize; N] {
    let n = entries.len();
    let start = out.written();
    let num = u32::try_from(n).unwrap_or(u32::MAX);
    words(out, &[RSC_TABLE_VERSION, num, 0, 0]);
    // Where each entry goes: after the offset array, 4-byte aligned.
    let mut offsets = [0usize; N];
    let mut at = RSC_TABLE_HDR_SIZE.saturating_add(RSC_OFFSET_SIZE.saturating_mul(n));
    for (i, e) in entries.iter().enumerate() {
        at = at.checked_next_multiple_of(4).unwrap_or(usize::MAX);
        if let Some(o) = offsets.get_mut(i) {
            *o = at;
        }
        words(out, &[u32::try_from(at).unwrap_or(u32::MAX)]);
        at = at.saturating_add(e.len());
    }
    for e in entries {
        while (out.written().saturating_sub(start)) % 4 != 0 {
            out.put(&[0]);
        }
        out.put(e);
    }
    for _ in 0..pad {
        out.put(&[0]);
    }
    offsets
}

/// A built table and where its entries are.
#[cfg(feature = "builder")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table's bytes.
    pub bytes: Vec<u8>,
    /// Offset of each entry's type word.
    pub offsets: Vec<usize>,
}

/// Lays out a version-1 table with [`write_table`].
#[cfg(feature = "builder")]
pub fn table(entries: &[Vec<u8>], pad: usize) -> Table {
    assert!(
        u32::try_from(entries.len()).is_ok(),
        "fewer than 2^32 entries"
    );
    let slices: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    let mut bytes = Vec::new();
    write_table::<0>(&mut bytes, &slices, pad);
    // The offsets, as written.
    let offsets = (0..entries.len())
        .map(|i| {
            let slot = RSC_TABLE_HDR_SIZE + RSC_OFFSET_SIZE * i;
            let off = u32::from_le_bytes(bytes[slot..slot + 4].try_into().expect("4 bytes"));
            assert!(off != u32::MAX, "a table too large for its 32-bit offsets");
            off as usize
        })
        .collect();
    Table { bytes, offsets }
}

/// Overwrites the little-endian word at `off` of `buf`.
#[cfg(feature = "builder")]
pub fn put32(buf: &mut [u8], off: usize, v: u32) {
    buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
}
