// SPDX-License-Identifier: GPL-2.0

//! `u128` oracles of the address translation and their checks.

use imx_rproc_fw::att::{da_to_sys, map_segment, sys_in_regions, AttEntry, Region};
use imx_rproc_fw::elf::LoadSegment;
use imx_rproc_fw::error::Error;

/// Whether `[addr, addr + len)` lies inside `[start, start + size)`, with a
/// non-empty range and both ends representable in `u64` (computed in
/// `u128`, so nothing can wrap).
pub fn inside(start: u64, size: u64, addr: u64, len: u64) -> bool {
    let (start, size, addr, len) = (
        u128::from(start),
        u128::from(size),
        u128::from(addr),
        u128::from(len),
    );
    let max = u128::from(u64::MAX);
    len > 0 && addr >= start && addr + len <= start + size && start + size <= max
}

/// The entry `da_to_sys` must pick: the first one containing the range
/// whose translated address is representable, and that address.
pub fn oracle_da_to_sys(table: &[AttEntry], da: u64, len: u64) -> Option<(usize, u64)> {
    table.iter().enumerate().find_map(|(i, e)| {
        if !inside(e.da.into(), e.size.into(), da, len) {
            return None;
        }
        let sa = u128::from(e.sa) + u128::from(da) - u128::from(e.da);
        u64::try_from(sa).ok().map(|sa| (i, sa))
    })
}

/// Checks `da_to_sys(table, da, len)` against the oracle; returns its
/// result.
pub fn check_da_to_sys(table: &[AttEntry], da: u64, len: u64) -> Result<(u64, AttEntry), Error> {
    let got = da_to_sys(table, da, len);
    let want = oracle_da_to_sys(table, da, len);
    match (got, want) {
        (Ok((sa, e)), Some((i, want_sa))) => {
            assert!(
                std::ptr::eq(e, &table[i]),
                "da_to_sys({da:#x}, {len:#x}) picked an entry other than the first matching one"
            );
            assert_eq!(sa, want_sa, "da_to_sys({da:#x}, {len:#x})");
            // The result is inside the entry, in u128.
            let off = u128::from(sa) - u128::from(e.sa);
            assert!(u128::from(e.da) + off == u128::from(da));
            assert!(off + u128::from(len) <= u128::from(e.size));
            assert_eq!(e.offset_of(da, len), Some(off as u64));
            Ok((sa, *e))
        }
        (Err(err), None) => {
            crate::check_error(&err);
            let expected = if len == 0 {
                Error::ZeroLength
            } else if da.checked_add(len).is_none() {
                Error::AddressRangeWraps
            } else {
                Error::AddressNotMapped
            };
            assert_eq!(err, expected, "da_to_sys({da:#x}, {len:#x})");
            Err(err)
        }
        (got, want) => panic!("da_to_sys({da:#x}, {len:#x}): got {got:?}, oracle {want:?}"),
    }
}

/// Checks `AttEntry::offset_of` against the oracle.
pub fn check_offset_of(e: &AttEntry, da: u64, len: u64) {
    let want = inside(e.da.into(), e.size.into(), da, len).then(|| da - u64::from(e.da));
    assert_eq!(
        e.offset_of(da, len),
        want,
        "{e:?}.offset_of({da:#x}, {len:#x})"
    );
}

/// Checks `map_segment(table, seg)`: `da_to_sys` of `[paddr, paddr +
/// memsz)`, with any failure reported as `SegmentNotMapped`.
pub fn check_map_segment(table: &[AttEntry], seg: &LoadSegment<'_>) -> Option<u64> {
    let want = check_da_to_sys(table, seg.paddr.into(), seg.memsz.into());
    match (map_segment(table, seg), want) {
        (Ok((sa, e)), Ok((want_sa, want_e))) => {
            assert_eq!((sa, *e), (want_sa, want_e), "map_segment({seg:?})");
            Some(sa)
        }
        (Err(e), Err(_)) => {
            assert_eq!(
                e,
                Error::SegmentNotMapped {
                    index: seg.index,
                    da: seg.paddr,
                    len: seg.memsz
                }
            );
            None
        }
        (got, want) => panic!("map_segment({seg:?}): got {got:?}, da_to_sys {want:?}"),
    }
}

/// Checks `sys_in_regions(regions, sa, len)` against the oracle.
pub fn check_sys_in_regions(regions: &[Region], sa: u64, len: u64) {
    let want = regions
        .iter()
        .position(|r| inside(r.sa, r.size, sa, len))
        .map(|i| (i, sa - regions[i].sa));
    let got = sys_in_regions(regions, sa, len);
    assert_eq!(got, want, "sys_in_regions({regions:?}, {sa:#x}, {len:#x})");
    if let Some((i, off)) = got {
        let r = &regions[i];
        assert!(u128::from(off) + u128::from(len) <= u128::from(r.size));
    }
}
