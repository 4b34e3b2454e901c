// SPDX-License-Identifier: GPL-2.0

//! Address translation with arbitrary tables, addresses and lengths:
//! `da_to_sys`, `AttEntry::offset_of`, `map_segment` and `sys_in_regions`,
//! each compared with a u128 oracle (imx_rproc_fw_fuzz::att), on the
//! i.MX95 table and on a table and regions decoded from the input.
//!
//! Input: `[n: u8]`, then `n % 5` entries (`da: u32, sa: u64, size: u32,
//! flags: u32`), `n / 5 % 4` regions (`sa: u64, size: u64`), then
//! `(mode: u8, da: u64, len: u64)` queries. Mode bits pick addresses near
//! an entry's or region's edges so that the boundaries are reached fast.

#![no_main]

use imx_rproc_fw::att::{AttEntry, Region, IMX95_M7_ATT};
use imx_rproc_fw::elf::LoadSegment;
use imx_rproc_fw_fuzz::att::{
    check_da_to_sys, check_map_segment, check_offset_of, check_sys_in_regions,
};
use libfuzzer_sys::fuzz_target;

struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0u8; N];
        let n = N.min(self.0.len());
        b[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        b
    }
    fn u8(&mut self) -> u8 {
        self.bytes::<1>()[0]
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.bytes())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.bytes())
    }
}

/// `raw`, or a small signed delta (`raw as i16`) from `anchor`.
fn near(relative: bool, anchor: u64, raw: u64) -> u64 {
    if relative {
        anchor.wrapping_add(i64::from(raw as u16 as i16) as u64)
    } else {
        raw
    }
}

fn query(table: &[AttEntry], regions: &[Region], mode: u8, a: u64, l: u64) {
    // Anchors: an entry of the table (or of the i.MX95 table), a region.
    let k = usize::from(mode >> 4);
    let e = table
        .get(k % table.len().max(1))
        .copied()
        .unwrap_or(IMX95_M7_ATT[k % IMX95_M7_ATT.len()]);
    let (start, end) = match regions.get(k % regions.len().max(1)) {
        Some(r) if mode & 8 != 0 => (r.sa, r.sa.wrapping_add(r.size)),
        _ => (u64::from(e.da), u64::from(e.da) + u64::from(e.size)),
    };
    let da = near(mode & 1 != 0, if mode & 4 != 0 { end } else { start }, a);
    // The length, possibly relative to the distance to the end.
    let len = near(mode & 2 != 0, end.wrapping_sub(da), l);

    for t in [table, &IMX95_M7_ATT[..]] {
        let _ = check_da_to_sys(t, da, len);
        for e in t {
            check_offset_of(e, da, len);
        }
    }
    check_sys_in_regions(regions, da, len);
    if let (Ok(paddr), Ok(memsz)) = (u32::try_from(da), u32::try_from(len)) {
        let seg = LoadSegment {
            index: usize::from(mode),
            paddr,
            memsz,
            filesz: 0,
            data: &[],
        };
        for t in [table, &IMX95_M7_ATT[..]] {
            check_map_segment(t, &seg);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let n = input.u8();
    let table: Vec<AttEntry> = (0..n % 5)
        .map(|_| AttEntry {
            da: input.u32(),
            sa: input.u64(),
            size: input.u32(),
            flags: input.u32(),
        })
        .collect();
    let regions: Vec<Region> = (0..n / 5 % 4)
        .map(|_| Region {
            sa: input.u64(),
            size: input.u64(),
        })
        .collect();
    loop {
        let mode = input.u8();
        let (a, l) = (input.u64(), input.u64());
        query(&table, &regions, mode, a, l);
        if input.0.is_empty() {
            break;
        }
    }
});
