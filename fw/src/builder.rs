// SPDX-License-Identifier: GPL-2.0

//! Builders of the resource table (cargo feature `builder`, host only):
//! the entries and tables the tests, the fuzzers and `tools/mkfw` write,
//! laid out by the same constants [`super::rsc`] parses them with. The
//! kernel module never compiles this file (`rust/fw.rs` does not include
//! it), so the driver carries none of it.
//!
//! Inputs are trusted (a test's or a tool's own values): a table too large
//! for its 32-bit offsets is a bug of the caller, and panics.

// Builders of test data: a value that does not fit its field is the
// caller's bug, reported by a panic, not an input to survive.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing,
    clippy::expect_used
)]

use super::rsc::{
    RSC_CARVEOUT, RSC_DEVMEM, RSC_NAME_SIZE, RSC_OFFSET_SIZE, RSC_TABLE_HDR_SIZE,
    RSC_TABLE_VERSION, RSC_TRACE, RSC_VDEV,
};
use alloc::vec::Vec;

/// A vring descriptor (`fw_rsc_vdev_vring`): `{da, align, num, notifyid,
/// pa}`.
pub type VringDesc = [u32; 5];

/// Appends little-endian words.
fn words(out: &mut Vec<u8>, ws: &[u32]) {
    for w in ws {
        out.extend_from_slice(&w.to_le_bytes());
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
pub fn carveout(da: u32, pa: u32, len: u32, flags: u32, name: &[u8]) -> Vec<u8> {
    mem_entry(RSC_CARVEOUT, da, pa, len, flags, 0, name32(name))
}

/// A devmem entry, type word included.
pub fn devmem(da: u32, pa: u32, len: u32, flags: u32, name: &[u8]) -> Vec<u8> {
    mem_entry(RSC_DEVMEM, da, pa, len, flags, 0, name32(name))
}

/// A trace entry, type word included, every field given.
pub fn trace_entry(da: u32, len: u32, reserved: u32, name: [u8; RSC_NAME_SIZE]) -> Vec<u8> {
    let mut e = Vec::new();
    words(&mut e, &[RSC_TRACE, da, len, reserved]);
    e.extend_from_slice(&name);
    e
}

/// A trace entry, type word included.
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

/// A vdev entry, type word included: `header`, then `vrings`, then
/// `config`, as given.
pub fn vdev_entry(header: &VdevHeader, vrings: &[VringDesc], config: &[u8]) -> Vec<u8> {
    let h = header;
    let mut e = Vec::new();
    words(
        &mut e,
        &[
            RSC_VDEV,
            h.id,
            h.notifyid,
            h.dfeatures,
            h.gfeatures,
            h.config_len,
        ],
    );
    e.extend_from_slice(&[h.status, h.num_of_vrings, h.reserved[0], h.reserved[1]]);
    for v in vrings {
        words(&mut e, v);
    }
    e.extend_from_slice(config);
    e
}

/// A well-formed vdev entry, type word included: `gfeatures`, `status` and
/// the reserved bytes zero, `num_of_vrings` and `config_len` those of
/// `vrings` and `config`.
pub fn vdev(
    id: u32,
    notifyid: u32,
    dfeatures: u32,
    vrings: &[VringDesc],
    config: &[u8],
) -> Vec<u8> {
    let header = VdevHeader {
        id,
        notifyid,
        dfeatures,
        gfeatures: 0,
        config_len: u32::try_from(config.len()).expect("config space fits in 32 bits"),
        status: 0,
        num_of_vrings: u8::try_from(vrings.len()).expect("fewer than 256 vrings"),
        reserved: [0; 2],
    };
    vdev_entry(&header, vrings, config)
}

/// A vendor entry: type `kind`, then `payload`.
pub fn vendor(kind: u32, payload: &[u8]) -> Vec<u8> {
    let mut e = kind.to_le_bytes().to_vec();
    e.extend_from_slice(payload);
    e
}

/// A built table and where its entries are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table's bytes.
    pub bytes: Vec<u8>,
    /// Offset of each entry's type word.
    pub offsets: Vec<usize>,
}

/// Lays out a version-1 table: header (`num` = the number of entries,
/// reserved words zero), offset array, then the entries in order, each
/// 4-byte aligned, then `pad` zero bytes.
pub fn table(entries: &[Vec<u8>], pad: usize) -> Table {
    let n = entries.len();
    let mut bytes = Vec::new();
    words(&mut bytes, &[RSC_TABLE_VERSION, n as u32, 0, 0]);
    bytes.resize(RSC_TABLE_HDR_SIZE + RSC_OFFSET_SIZE * n, 0);
    let mut offsets = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        while bytes.len() % 4 != 0 {
            bytes.push(0);
        }
        let off = bytes.len();
        offsets.push(off);
        let slot = RSC_TABLE_HDR_SIZE + RSC_OFFSET_SIZE * i;
        bytes[slot..slot + RSC_OFFSET_SIZE].copy_from_slice(&(off as u32).to_le_bytes());
        bytes.extend_from_slice(e);
    }
    bytes.resize(bytes.len() + pad, 0);
    Table { bytes, offsets }
}

/// Overwrites the little-endian word at `off` of `buf`.
pub fn put32(buf: &mut [u8], off: usize, v: u32) {
    buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
}
