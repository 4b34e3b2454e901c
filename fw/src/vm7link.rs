// SPDX-License-Identifier: GPL-2.0

//! The layout of the vm7 link page: the one page of guest RAM through which
//! the virtual board's simulated System Manager and MU7 (the guest side,
//! `tests/sim/vm7link.rs`) and vm7, the executing Cortex-M7 on the host (the
//! host side, `tools/vm7/src/board.rs`), talk in board mode
//! (Documentation/design.rst, "Board mode").
//!
//! Both sides compile this file: the host side as `imx_rproc_fw::vm7link`,
//! the guest side through `#[path]`, so the page has one definition.
//!
//! The offsets are byte offsets of 32-bit words in the page; every word is
//! accessed with a single 32-bit access (`readl`/`writel` in the guest,
//! atomics in vm7), except the console ring's bytes, which vm7 stores one at
//! a time and the guest reads as whole words. Heads and tails are
//! free-running counters, each written by one side only:
//!
//! - vm7 writes [`MAGIC`], [`ACK_SEQ`], [`ACK_STATUS`], [`STATE`],
//!   [`FAULTS`], [`FAULT_TEXT`], [`TOM7_TAIL`], [`TOLX_HEAD`], [`CON_HEAD`]
//!   and the entries of [`TOLX_RING`] and [`CON_RING`];
//! - Linux writes [`CMD_SEQ`], [`CMD`], [`VEC_LO`], [`VEC_HI`],
//!   [`TOM7_HEAD`], [`TOLX_TAIL`], [`CON_TAIL`] and the entries of
//!   [`TOM7_RING`].

/// Size of the page in bytes.
pub const PAGE_SIZE: usize = 0x1000;

/// Offset of the magic word vm7 writes once it polls the page.
pub const MAGIC: usize = 0x000;
/// The value of [`MAGIC`] ("VM7L" in little-endian bytes).
pub const MAGIC_VALUE: u32 = 0x4c37_4d56;

/// Offset of the command sequence number: Linux writes the command and its
/// arguments first, then increments this.
pub const CMD_SEQ: usize = 0x008;
/// Offset of the command ([`CMD_START`], [`CMD_STOP`], [`CMD_POKE`]).
pub const CMD: usize = 0x00c;
/// Offset of the command's first argument: the reset vector of
/// [`CMD_START`], the M7 address of [`CMD_POKE`].
pub const VEC_LO: usize = 0x010;
/// Offset of the command's second argument: the upper half of the vector of
/// [`CMD_START`], the word [`CMD_POKE`] writes.
pub const VEC_HI: usize = 0x014;
/// Offset of the sequence number of the last command vm7 carried out.
pub const ACK_SEQ: usize = 0x018;
/// Offset of that command's status: 0 done, anything else failed.
pub const ACK_STATUS: usize = 0x01c;
/// Offset of the core's state ([`STATE_OFF`], [`STATE_RUNNING`],
/// [`STATE_FAULTED`]).
pub const STATE: usize = 0x020;
/// Offset of the count of firmware faults vm7 saw since it started.
pub const FAULTS: usize = 0x024;

/// Offset of the head of the Linux-to-M7 ring (entries Linux posted).
pub const TOM7_HEAD: usize = 0x030;
/// Offset of the tail of the Linux-to-M7 ring (entries vm7 took).
pub const TOM7_TAIL: usize = 0x034;
/// Offset of the head of the M7-to-Linux ring (entries vm7 posted).
pub const TOLX_HEAD: usize = 0x038;
/// Offset of the tail of the M7-to-Linux ring (entries Linux took).
pub const TOLX_TAIL: usize = 0x03c;
/// Offset of the head of the console ring (bytes vm7 wrote).
pub const CON_HEAD: usize = 0x040;
/// Offset of the tail of the console ring (bytes Linux read).
pub const CON_TAIL: usize = 0x044;

/// Offset of the text of the last fault, NUL-terminated.
pub const FAULT_TEXT: usize = 0x100;
/// Length of [`FAULT_TEXT`] in bytes, the NUL included.
pub const FAULT_TEXT_LEN: usize = 0x100;

/// Offset of the Linux-to-M7 ring: [`RING_ENTRIES`] entries of
/// [`ENTRY_SIZE`] bytes, entry `n` at `n % RING_ENTRIES`.
pub const TOM7_RING: usize = 0x400;
/// Offset of the M7-to-Linux ring, laid out as [`TOM7_RING`].
pub const TOLX_RING: usize = 0x600;
/// Entries of each MU ring.
pub const RING_ENTRIES: u32 = 64;
/// Bytes of an MU ring entry: the word `kind << KIND_SHIFT | index`
/// ([`KIND_WORD`], [`KIND_DOORBELL`]; the MU register or doorbell index),
/// then the word's value (0 for a doorbell).
pub const ENTRY_SIZE: usize = 8;
/// Where an entry's kind starts in its first word.
pub const KIND_SHIFT: u32 = 8;
/// The entry's MU index in its first word.
pub const INDEX_MASK: u32 = 0xff;
/// Entry kind: a data word (TR on one side, RR on the other).
pub const KIND_WORD: u32 = 1;
/// Entry kind: a general-purpose interrupt (doorbell).
pub const KIND_DOORBELL: u32 = 2;

/// Offset of the console ring: [`CON_RING_LEN`] bytes of LPUART3 output,
/// byte `n` at `n % CON_RING_LEN`.
pub const CON_RING: usize = 0x800;
/// Bytes of the console ring.
pub const CON_RING_LEN: u32 = 0x800;

/// Command: reset the core at the vector in [`VEC_LO`], [`VEC_HI`] and run.
pub const CMD_START: u32 = 1;
/// Command: halt the core.
pub const CMD_STOP: u32 = 2;
/// Command: write the word [`VEC_HI`] at the M7 address [`VEC_LO`] while the
/// core runs (a test's stray write).
pub const CMD_POKE: u32 = 3;

/// [`STATE`]: no core.
pub const STATE_OFF: u32 = 0;
/// [`STATE`]: the core runs.
pub const STATE_RUNNING: u32 = 1;
/// [`STATE`]: the core faulted (the text is in [`FAULT_TEXT`]).
pub const STATE_FAULTED: u32 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field lies inside the page, and no two overlap.
    #[test]
    fn fields_fit_the_page_without_overlap() {
        let ring = usize::try_from(RING_ENTRIES).unwrap_or(usize::MAX);
        let con = usize::try_from(CON_RING_LEN).unwrap_or(usize::MAX);
        let mut fields = [
            (MAGIC, 4),
            (CMD_SEQ, 4),
            (CMD, 4),
            (VEC_LO, 4),
            (VEC_HI, 4),
            (ACK_SEQ, 4),
            (ACK_STATUS, 4),
            (STATE, 4),
            (FAULTS, 4),
            (TOM7_HEAD, 4),
            (TOM7_TAIL, 4),
            (TOLX_HEAD, 4),
            (TOLX_TAIL, 4),
            (CON_HEAD, 4),
            (CON_TAIL, 4),
            (FAULT_TEXT, FAULT_TEXT_LEN),
            (TOM7_RING, ring.saturating_mul(ENTRY_SIZE)),
            (TOLX_RING, ring.saturating_mul(ENTRY_SIZE)),
            (CON_RING, con),
        ];
        fields.sort_unstable();
        let mut end = 0;
        for (off, len) in fields {
            assert_eq!(off % 4, 0, "field at {off:#x} is not word aligned");
            assert!(off >= end, "field at {off:#x} overlaps the one before");
            end = off.saturating_add(len);
        }
        assert!(end <= PAGE_SIZE, "the last field ends at {end:#x}");
        const { assert!(INDEX_MASK < (1 << KIND_SHIFT)) };
    }
}
