// SPDX-License-Identifier: GPL-2.0

//! Resource tables: Zephyr's `openamp_rsc_table` table and richer tables
//! parse to the right values, and one malformation per error.

mod common;

use common::rsc::{
    carveout, devmem, name32, put32, rich, table, trace, vdev, vendor, zephyr, zephyr_vdev,
    zephyr_with_trace, Table,
};
use imx_rproc_fw::error::{Error, Kind};
use imx_rproc_fw::rsc::*;

const ANY: u32 = FW_RSC_ADDR_ANY;

fn parse(bytes: &[u8]) -> Result<ResourceTable<'_>, Error> {
    ResourceTable::parse(bytes, &Limits::DEFAULT)
}

fn err(bytes: &[u8]) -> Error {
    parse(bytes).expect_err("parse should fail")
}

fn err_with(bytes: &[u8], limits: &Limits<'_>) -> Error {
    ResourceTable::parse(bytes, limits).expect_err("parse should fail")
}

/// A one-entry table.
fn one(entry: Vec<u8>) -> Table {
    table(&[entry], 0)
}

/// Offset of field `field` of entry `i` (counted from the entry's type
/// word).
fn at(t: &Table, i: usize, field: usize) -> usize {
    t.offsets[i] + field
}

/// Offset of word `field` of vring `v` of the vdev entry `i`.
fn vring_at(t: &Table, i: usize, v: usize, field: usize) -> usize {
    at(t, i, 4 + 24 + 20 * v + field)
}

mod vr {
    pub const DA: usize = 0;
    pub const ALIGN: usize = 4;
    pub const NUM: usize = 8;
    pub const NOTIFYID: usize = 12;
}

// ---------------------------------------------------------------------
// Constants.

#[test]
fn constants_match_rsc_table_h() {
    assert_eq!(
        (RSC_CARVEOUT, RSC_DEVMEM, RSC_TRACE, RSC_VDEV),
        (0, 1, 2, 3)
    );
    assert_eq!((RSC_VENDOR_START, RSC_VENDOR_END), (128, 512));
    assert_eq!(FW_RSC_ADDR_ANY, -1i32 as u32);
    assert_eq!(NOTIFYID_UNASSIGNED, -1i32 as u32);
    assert_eq!(VIRTIO_ID_RPMSG, 7);
    assert_eq!(RSC_TABLE_VERSION, 1);
    assert_eq!(RSC_TABLE_HDR_SIZE, 16);
    assert_eq!(RSC_OFFSET_SIZE, 4);
    assert_eq!(RSC_HDR_SIZE, 4);
    assert_eq!(RSC_NAME_SIZE, 32);
    // {da, pa, len, flags, reserved, name[32]}
    assert_eq!(FW_RSC_CARVEOUT_SIZE, 5 * 4 + 32);
    assert_eq!(FW_RSC_DEVMEM_SIZE, 5 * 4 + 32);
    // {da, len, reserved, name[32]}
    assert_eq!(FW_RSC_TRACE_SIZE, 3 * 4 + 32);
    // {id, notifyid, dfeatures, gfeatures, config_len, status, num_of_vrings, reserved[2]}
    assert_eq!(FW_RSC_VDEV_SIZE, 5 * 4 + 4);
    // {da, align, num, notifyid, pa}
    assert_eq!(FW_RSC_VDEV_VRING_SIZE, 5 * 4);
    assert_eq!(MAX_VRINGS_PER_VDEV, 2);
    // The builders agree.
    assert_eq!(carveout(0, 0, 1, 0, b"").len(), 4 + FW_RSC_CARVEOUT_SIZE);
    assert_eq!(trace(0, 1, b"").len(), 4 + FW_RSC_TRACE_SIZE);
    assert_eq!(zephyr_vdev().len(), 4 + 24 + 2 * 20);
}

#[test]
fn default_limits() {
    let d = Limits::DEFAULT;
    assert_eq!(d.max_len, 4096);
    assert_eq!(d.max_entries, 32);
    assert_eq!(d.max_vring_num, 256);
    assert_eq!(d.max_vring_align, 4096);
    assert!(d.vring_da_ok.is_empty());
    assert_eq!(Limits::default(), d);
}

#[test]
fn vring_size_matches_the_kernel_formula() {
    // 8 * 16 + 2 * 11 = 150 -> 160, + 6 + 8 * 8 = 230.
    assert_eq!(vring_size(8, 16), Some(230));
    // 256 * 16 + 2 * 259 = 4614 -> 8192, + 6 + 2048.
    assert_eq!(vring_size(256, 4096), Some(8192 + 2054));
    assert_eq!(vring_size(1, 1), Some(16 + 8 + 6 + 8));
    assert_eq!(vring_size(8, 0), None);
    assert_eq!(vring_size(8, 24), None);
    // No overflow in 64 bits, whatever the 32-bit inputs.
    for (num, align) in [(u32::MAX, 1u32 << 31), (u32::MAX, 1), (1, 1 << 31)] {
        let (n, a) = (u128::from(num), u128::from(align));
        let want = (16 * n + 2 * (3 + n)).div_ceil(a) * a + 6 + 8 * n;
        assert_eq!(vring_size(num, align).map(u128::from), Some(want));
    }
}

// ---------------------------------------------------------------------
// Valid tables.

#[test]
fn zephyr_table_parses() {
    let t = zephyr();
    assert_eq!(t.bytes.len(), 88);
    assert_eq!(t.offsets, [20]);
    let rt = parse(&t.bytes).unwrap();
    assert_eq!(rt.len(), 1);
    assert!(!rt.is_empty());
    assert_eq!(rt.size(), 88);
    assert_eq!(rt.used_size(), 88);
    assert_eq!(rt.num_vdevs(), 1);
    assert_eq!(rt.data().as_ptr(), t.bytes.as_ptr());

    let entries: Vec<Entry<'_>> = rt.entries().collect();
    assert_eq!(entries.len(), 1);
    let e = entries[0];
    assert_eq!((e.index, e.offset, e.size), (0, 20, 68));
    assert_eq!(rt.entry(0), Some(e));
    assert_eq!(rt.entry(1), None);
    let Resource::Vdev(v) = e.resource else {
        panic!("not a vdev: {e:?}");
    };
    assert_eq!(v.id, VIRTIO_ID_RPMSG);
    assert_eq!(v.notifyid, 0);
    assert_eq!(v.dfeatures, 1);
    assert_eq!(v.gfeatures, 0);
    assert_eq!(v.config_len, 0);
    assert!(v.config.is_empty());
    assert_eq!(v.status, 0);
    assert_eq!(v.num_of_vrings, 2);
    let vrings: Vec<Vring> = v.vrings().collect();
    assert_eq!(
        vrings,
        [
            Vring {
                da: ANY,
                align: 16,
                num: 8,
                notifyid: 0,
                pa: 0
            },
            Vring {
                da: ANY,
                align: 16,
                num: 8,
                notifyid: 1,
                pa: 0
            },
        ]
    );
    assert_eq!(v.vring(1), Some(vrings[1]));
    assert_eq!(v.vring(2), None);
    assert_eq!(v.vring(usize::MAX), None);
    let vdevs: Vec<_> = rt.vdevs().collect();
    assert_eq!(vdevs, [(e, v)]);
}

#[test]
fn zephyr_table_with_trace_parses() {
    let t = zephyr_with_trace();
    assert_eq!(t.offsets, [24, 92]);
    let rt = parse(&t.bytes).unwrap();
    assert_eq!(rt.len(), 2);
    assert_eq!(rt.num_vdevs(), 1);
    assert_eq!(rt.used_size(), 92 + 48);
    let e = rt.entry(1).unwrap();
    assert_eq!((e.index, e.offset, e.size), (1, 92, 48));
    assert_eq!(
        e.resource,
        Resource::Trace {
            da: 0x2000_1000,
            len: 0x400,
            name: b"Zephyr_log"
        }
    );
}

#[test]
fn rich_table_parses() {
    let t = rich();
    let rt = parse(&t.bytes).unwrap();
    assert_eq!(rt.len(), 5);
    assert_eq!(rt.num_vdevs(), 1);
    assert_eq!(rt.size(), t.bytes.len());
    assert_eq!(rt.used_size(), t.offsets[4] + 4);
    let got: Vec<Entry<'_>> = rt.entries().collect();
    assert_eq!(got.len(), 5);
    for (i, e) in got.iter().enumerate() {
        assert_eq!(e.index, i);
        assert_eq!(e.offset, t.offsets[i]);
    }
    assert_eq!(
        got[0].resource,
        Resource::Carveout {
            da: ANY,
            pa: ANY,
            len: 0x8000,
            flags: 0,
            name: b"vdev0buffer"
        }
    );
    assert_eq!(got[0].size, 56);
    assert_eq!(
        got[1].resource,
        Resource::Devmem {
            da: 0x4000_0000,
            pa: 0x4000_0000,
            len: 0x1000,
            flags: 0,
            name: b"uart"
        }
    );
    assert_eq!(
        got[2].resource,
        Resource::Trace {
            da: 0x2000_1000,
            len: 0x400,
            name: b"trace0"
        }
    );
    let Resource::Vdev(v) = got[3].resource else {
        panic!("not a vdev");
    };
    assert_eq!(got[3].size, 4 + 24 + 40 + 6);
    assert_eq!((v.notifyid, v.config_len), (2, 6));
    assert_eq!(v.config, [1, 2, 3, 4, 5, 6]);
    assert_eq!(
        v.vrings().map(|r| r.da).collect::<Vec<_>>(),
        [0x8800_0000, 0x8800_8000]
    );
    assert_eq!(got[4].resource, Resource::Vendor { kind: 200 });
    assert_eq!(got[4].size, 4);
}

#[test]
fn empty_table_parses() {
    let t = table(&[], 0);
    assert_eq!(t.bytes.len(), 16);
    let rt = parse(&t.bytes).unwrap();
    assert!(rt.is_empty());
    assert_eq!(rt.len(), 0);
    assert_eq!(rt.entries().count(), 0);
    assert_eq!(rt.num_vdevs(), 0);
    assert_eq!(rt.used_size(), 16);
}

#[test]
fn attach_buffer_with_trailing_bytes_parses() {
    // imx_rproc reports a 1 KiB table on attach; the rest is whatever the
    // memory holds.
    let mut t = zephyr();
    t.bytes.resize(1024, 0xa5);
    let rt = parse(&t.bytes).unwrap();
    assert_eq!(rt.size(), 1024);
    assert_eq!(rt.used_size(), 88);
}

#[test]
fn entries_in_any_order_and_with_gaps() {
    let mut t = table(&[trace(0, 16, b"a"), trace(0x100, 16, b"b")], 8);
    // List the second entry first.
    let (a, b) = (t.offsets[0] as u32, t.offsets[1] as u32);
    put32(&mut t.bytes, 16, b);
    put32(&mut t.bytes, 20, a);
    let rt = parse(&t.bytes).unwrap();
    let names: Vec<&[u8]> = rt
        .entries()
        .map(|e| match e.resource {
            Resource::Trace { name, .. } => name,
            _ => panic!(),
        })
        .collect();
    assert_eq!(names, [&b"b"[..], &b"a"[..]]);
    assert_eq!(rt.used_size(), b as usize + 48);
}

#[test]
fn entry_ending_exactly_at_table_end() {
    let t = one(trace(0, 1, b"x"));
    assert_eq!(t.bytes.len(), 20 + 48);
    parse(&t.bytes).unwrap();
}

#[test]
fn name_of_31_bytes_is_terminated() {
    let name = [b'n'; 31];
    let t = one(carveout(0, 0, 1, 0, &name));
    let rt = parse(&t.bytes).unwrap();
    match rt.entry(0).unwrap().resource {
        Resource::Carveout { name: n, .. } => assert_eq!(n, name),
        r => panic!("{r:?}"),
    }
}

#[test]
fn name_bytes_after_the_nul_are_ignored() {
    let mut e = trace(0, 1, b"log");
    e[16 + 10] = b'%';
    e[16 + 31] = 0xff;
    let t = one(e);
    match parse(&t.bytes).unwrap().entry(0).unwrap().resource {
        Resource::Trace { name, .. } => assert_eq!(name, b"log"),
        r => panic!("{r:?}"),
    }
}

#[test]
fn vendor_type_range_is_inclusive() {
    for kind in [RSC_VENDOR_START, 300, RSC_VENDOR_END] {
        let t = one(vendor(kind, &[]));
        let rt = parse(&t.bytes).unwrap();
        assert_eq!(rt.entry(0).unwrap().resource, Resource::Vendor { kind });
    }
    for kind in [4, 5, 127, 513, 0x8000_0000, u32::MAX] {
        let t = one(vendor(kind, &[0; 64]));
        assert_eq!(err(&t.bytes), Error::RscUnknownType { index: 0, kind });
    }
}

#[test]
fn vdev_without_vrings_is_accepted() {
    let t = one(vdev(7, 0, 0, &[], &[9, 9]));
    let rt = parse(&t.bytes).unwrap();
    let (_, v) = rt.vdevs().next().unwrap();
    assert_eq!(v.num_of_vrings, 0);
    assert_eq!(v.vrings().count(), 0);
    assert_eq!(v.config, [9, 9]);
}

#[test]
fn carveout_addresses_may_be_any() {
    for (da, pa) in [(ANY, ANY), (ANY, 0x8000_0000), (0x8000_0000, ANY)] {
        let t = one(carveout(da, pa, 0x10_0000, 0, b"c"));
        parse(&t.bytes).unwrap();
    }
    // A range ending exactly at 4 GiB is fine.
    let t = one(carveout(0xFFFF_0000, 0, 0x1_0000, 0, b"c"));
    parse(&t.bytes).unwrap();
}

#[test]
fn vring_limits_are_inclusive() {
    let t = one(vdev(
        7,
        0,
        0,
        &[[ANY, 4096, 256, 0, 0], [ANY, 1, 1, 1, 0]],
        &[],
    ));
    parse(&t.bytes).unwrap();
    let zephyr_limits = Limits {
        max_vring_num: 8,
        max_vring_align: 16,
        ..Limits::DEFAULT
    };
    ResourceTable::parse(&zephyr().bytes, &zephyr_limits).unwrap();
}

#[test]
fn vring_device_address_ranges() {
    let ranges = [(0x8800_0000u64, 0x8000u64), (0x2000_0000, 0x1000)];
    let limits = Limits {
        vring_da_ok: &ranges,
        ..Limits::DEFAULT
    };
    let size = vring_size(8, 16).unwrap() as u32; // 230
    let ok = |da0: u32, da1: u32| {
        let t = one(vdev(
            7,
            0,
            1,
            &[[da0, 16, 8, 0, 0], [da1, 16, 8, 1, 0]],
            &[],
        ));
        ResourceTable::parse(&t.bytes, &limits).map(|_| ())
    };
    // Host-allocated rings are always fine.
    assert_eq!(ok(ANY, ANY), Ok(()));
    assert_eq!(ok(0x8800_0000, 0x2000_0000), Ok(()));
    // The last ring ends exactly at the end of the range.
    assert_eq!(ok(0x8800_8000 - size, 0x2000_1000 - size), Ok(()));
    let out = |vring| Err(Error::RscVringDaOutOfRange { index: 0, vring });
    assert_eq!(ok(0x8800_8000 - size + 1, ANY), out(0));
    assert_eq!(ok(ANY, 0x2000_1000 - size + 4), out(1));
    assert_eq!(ok(0x87FF_FFFC, ANY), out(0));
    assert_eq!(ok(0, ANY), out(0));
    // An empty slice accepts anything.
    assert_eq!(
        parse(&one(vdev(7, 0, 0, &[[0, 16, 8, 0, 0]], &[])).bytes).map(|_| ()),
        Ok(())
    );
    // A range that wraps the 64-bit space matches nothing.
    let wrap = [(u64::MAX - 0x10, 0x100u64)];
    let limits = Limits {
        vring_da_ok: &wrap,
        ..Limits::DEFAULT
    };
    let t = one(vdev(7, 0, 0, &[[0, 16, 8, 0, 0]], &[]));
    assert_eq!(
        err_with(&t.bytes, &limits),
        Error::RscVringDaOutOfRange { index: 0, vring: 0 }
    );
}

#[test]
fn unassigned_notify_ids_may_repeat() {
    // What the core leaves in a table after freeing the vrings.
    let v = vdev(
        7,
        0,
        1,
        &[
            [0, 16, 8, NOTIFYID_UNASSIGNED, 0],
            [0, 16, 8, NOTIFYID_UNASSIGNED, 0],
        ],
        &[],
    );
    let t = table(&[v.clone(), v], 0);
    let rt = parse(&t.bytes).unwrap();
    assert_eq!(rt.num_vdevs(), 2);
}

#[test]
fn vdev_notify_id_may_equal_a_vring_notify_id() {
    // Zephyr's vdev has notifyid 0, like its first vring.
    let t = zephyr();
    let rt = parse(&t.bytes).unwrap();
    let (_, v) = rt.vdevs().next().unwrap();
    assert_eq!(v.notifyid, v.vring(0).unwrap().notifyid);
}

#[test]
fn two_vdevs_with_distinct_notify_ids() {
    let a = vdev(7, 0, 1, &[[ANY, 16, 8, 0, 0], [ANY, 16, 8, 1, 0]], &[]);
    let b = vdev(7, 1, 1, &[[ANY, 16, 8, 2, 0], [ANY, 16, 8, 3, 0]], &[]);
    let t = table(&[a, b], 0);
    assert_eq!(parse(&t.bytes).unwrap().num_vdevs(), 2);
}

#[test]
fn max_entries_is_inclusive() {
    let entries: Vec<Vec<u8>> = (0..32).map(|i| trace(i * 16, 16, b"t")).collect();
    let t = table(&entries, 0);
    assert_eq!(parse(&t.bytes).unwrap().len(), 32);
    let limits = Limits {
        max_entries: 31,
        ..Limits::DEFAULT
    };
    assert_eq!(err_with(&t.bytes, &limits), Error::RscTooManyEntries);
}

#[test]
fn max_len_is_inclusive() {
    let mut t = zephyr();
    t.bytes.resize(4096, 0);
    parse(&t.bytes).unwrap();
    t.bytes.push(0);
    assert_eq!(err(&t.bytes), Error::RscTableTooLarge);
}

// ---------------------------------------------------------------------
// One malformation per error.

#[test]
fn table_too_large() {
    let t = zephyr();
    let limits = Limits {
        max_len: 87,
        ..Limits::DEFAULT
    };
    assert_eq!(err_with(&t.bytes, &limits), Error::RscTableTooLarge);
    assert_eq!(err(&vec![0; 4097]), Error::RscTableTooLarge);
}

#[test]
fn too_short() {
    let t = zephyr();
    for len in 0..16 {
        assert_eq!(err(&t.bytes[..len]), Error::RscTooShort, "len {len}");
    }
}

#[test]
fn bad_version() {
    for ver in [0, 2, u32::MAX] {
        let mut t = zephyr();
        put32(&mut t.bytes, 0, ver);
        assert_eq!(err(&t.bytes), Error::RscBadVersion);
    }
}

#[test]
fn reserved_not_zero() {
    for off in [8, 12] {
        let mut t = zephyr();
        put32(&mut t.bytes, off, 1);
        assert_eq!(err(&t.bytes), Error::RscReservedNotZero);
    }
}

#[test]
fn offset_table_out_of_bounds() {
    // 16 + 4 * 18 = 88 bytes still fits (and fails later); 19 does not.
    for num in [19, 0x4000_0000, u32::MAX] {
        let mut t = zephyr();
        put32(&mut t.bytes, 4, num);
        assert_eq!(err(&t.bytes), Error::RscOffsetTableOutOfBounds, "num {num}");
    }
    let t = table(&[], 0);
    let mut b = t.bytes.clone();
    put32(&mut b, 4, 1);
    assert_eq!(err(&b), Error::RscOffsetTableOutOfBounds);
}

#[test]
fn too_many_entries() {
    let t = zephyr();
    let limits = Limits {
        max_entries: 0,
        ..Limits::DEFAULT
    };
    assert_eq!(err_with(&t.bytes, &limits), Error::RscTooManyEntries);
    let entries: Vec<Vec<u8>> = (0..33).map(|i| trace(i * 16, 16, b"t")).collect();
    assert_eq!(err(&table(&entries, 0).bytes), Error::RscTooManyEntries);
}

#[test]
fn offset_out_of_bounds() {
    let t = zephyr_with_trace();
    let len = t.bytes.len() as u32;
    // Inside the header, inside the offset array, and leaving no room for
    // the type word.
    for off in [0, 12, 16, 20, len - 3, len - 2, len, len + 4, u32::MAX - 3] {
        let mut b = t.bytes.clone();
        put32(&mut b, 20, off);
        assert_eq!(
            err(&b),
            Error::RscOffsetOutOfBounds { index: 1 },
            "offset {off}"
        );
    }
}

#[test]
fn offset_misaligned() {
    let t = table(&[vendor(200, &[0; 8])], 0);
    for delta in [1, 2, 3, 5] {
        let mut b = t.bytes.clone();
        put32(&mut b, 16, t.offsets[0] as u32 + delta);
        assert_eq!(err(&b), Error::RscOffsetMisaligned { index: 0 });
    }
}

#[test]
fn entries_overlap() {
    // The same entry twice.
    let mut t = table(&[trace(0, 1, b"a"), trace(0, 1, b"b")], 0);
    let first = t.offsets[0] as u32;
    put32(&mut t.bytes, 20, first);
    assert_eq!(err(&t.bytes), Error::RscEntriesOverlap { index: 1 });

    // A vendor entry whose type word is the last word of a trace's name,
    // listed after and before the trace.
    let mut name = name32(b"t");
    name[28..].copy_from_slice(&200u32.to_le_bytes());
    let mut tr = trace(0, 1, b"");
    tr[16..].copy_from_slice(&name);
    let mut t = table(&[tr.clone(), vendor(200, &[])], 0);
    let inner = t.offsets[0] as u32 + 44;
    put32(&mut t.bytes, 20, inner);
    assert_eq!(err(&t.bytes), Error::RscEntriesOverlap { index: 1 });
    let mut t = table(&[vendor(200, &[]), tr], 0);
    let inner = t.offsets[1] as u32 + 44;
    put32(&mut t.bytes, 16, inner);
    assert_eq!(err(&t.bytes), Error::RscEntriesOverlap { index: 1 });

    // A vdev's config space running into the next entry.
    let mut t = table(&[zephyr_vdev(), trace(0, 1, b"x")], 0);
    let off = at(&t, 0, 4 + 16);
    put32(&mut t.bytes, off, 1);
    assert_eq!(err(&t.bytes), Error::RscEntriesOverlap { index: 1 });
}

#[test]
fn entry_truncated() {
    for entry in [
        carveout(0, 0, 1, 0, b"c"),
        devmem(0, 0, 1, 0, b"d"),
        trace(0, 1, b"t"),
        zephyr_vdev(),
    ] {
        let t = one(entry);
        for cut in 1..=t.bytes.len() - t.offsets[0] - 4 {
            let b = &t.bytes[..t.bytes.len() - cut];
            assert_eq!(err(b), Error::RscEntryTruncated { index: 0 }, "cut {cut}");
        }
    }
    // A vdev announcing two vrings but holding one.
    let t = one(vdev(7, 0, 0, &[[ANY, 16, 8, 0, 0]], &[]));
    let mut b = t.bytes.clone();
    b[at(&t, 0, 4 + 21)] = 2;
    assert_eq!(err(&b), Error::RscEntryTruncated { index: 0 });
}

#[test]
fn unknown_type() {
    let mut t = zephyr_with_trace();
    let off = t.offsets[1];
    put32(&mut t.bytes, off, 4);
    assert_eq!(err(&t.bytes), Error::RscUnknownType { index: 1, kind: 4 });
}

#[test]
fn entry_reserved_not_zero() {
    for (entry, field) in [
        (carveout(0, 0, 1, 0, b"c"), 20),
        (devmem(0, 0, 1, 0, b"d"), 20),
        (trace(0, 1, b"t"), 12),
    ] {
        let mut t = one(entry);
        let off = at(&t, 0, field);
        put32(&mut t.bytes, off, 0x100);
        assert_eq!(err(&t.bytes), Error::RscEntryReservedNotZero { index: 0 });
    }
}

#[test]
fn vdev_too_many_vrings() {
    for n in [3, 4, 255] {
        let mut t = zephyr();
        let off = at(&t, 0, 4 + 21);
        t.bytes[off] = n;
        t.bytes.resize(1024, 0);
        assert_eq!(err(&t.bytes), Error::RscVdevTooManyVrings { index: 0 });
    }
}

#[test]
fn vdev_reserved_not_zero() {
    for byte in [22, 23] {
        let mut t = zephyr();
        let off = at(&t, 0, 4 + byte);
        t.bytes[off] = 1;
        assert_eq!(err(&t.bytes), Error::RscVdevReservedNotZero { index: 0 });
    }
}

#[test]
fn vdev_config_overflow() {
    for config_len in [1, 0x7fff_ffff, u32::MAX] {
        let mut t = zephyr();
        let off = at(&t, 0, 4 + 16);
        put32(&mut t.bytes, off, config_len);
        assert_eq!(err(&t.bytes), Error::RscVdevConfigOverflow { index: 0 });
    }
    // Off by one against the table end.
    let t = one(vdev(7, 0, 0, &[[ANY, 16, 8, 0, 0]], &[1, 2, 3]));
    parse(&t.bytes).unwrap();
    let mut b = t.bytes.clone();
    put32(&mut b, at(&t, 0, 4 + 16), 4);
    assert_eq!(err(&b), Error::RscVdevConfigOverflow { index: 0 });
}

#[test]
fn vring_num_invalid() {
    for num in [0, 3, 12, 512, 0x8000_0000, u32::MAX] {
        let mut t = zephyr();
        let off = vring_at(&t, 0, 1, vr::NUM);
        put32(&mut t.bytes, off, num);
        assert_eq!(
            err(&t.bytes),
            Error::RscVringNumInvalid { index: 0, vring: 1 },
            "num {num}"
        );
    }
    let limits = Limits {
        max_vring_num: 4,
        ..Limits::DEFAULT
    };
    assert_eq!(
        err_with(&zephyr().bytes, &limits),
        Error::RscVringNumInvalid { index: 0, vring: 0 }
    );
}

#[test]
fn vring_align_invalid() {
    for align in [0, 3, 24, 8192, 0x8000_0000, u32::MAX] {
        let mut t = zephyr();
        let off = vring_at(&t, 0, 1, vr::ALIGN);
        put32(&mut t.bytes, off, align);
        assert_eq!(
            err(&t.bytes),
            Error::RscVringAlignInvalid { index: 0, vring: 1 },
            "align {align}"
        );
    }
    let limits = Limits {
        max_vring_align: 8,
        ..Limits::DEFAULT
    };
    assert_eq!(
        err_with(&zephyr().bytes, &limits),
        Error::RscVringAlignInvalid { index: 0, vring: 0 }
    );
}

#[test]
fn vring_da_out_of_range() {
    let ranges = [(0x8800_0000u64, 0x10_0000u64)];
    let limits = Limits {
        vring_da_ok: &ranges,
        ..Limits::DEFAULT
    };
    let mut t = zephyr();
    ResourceTable::parse(&t.bytes, &limits).unwrap();
    let off = vring_at(&t, 0, 1, vr::DA);
    put32(&mut t.bytes, off, 0x8810_0000);
    assert_eq!(
        err_with(&t.bytes, &limits),
        Error::RscVringDaOutOfRange { index: 0, vring: 1 }
    );
}

#[test]
fn duplicate_notify_id() {
    // Within one vdev.
    let mut t = zephyr();
    let off = vring_at(&t, 0, 1, vr::NOTIFYID);
    put32(&mut t.bytes, off, 0);
    assert_eq!(err(&t.bytes), Error::RscDuplicateNotifyId { index: 0 });
    // Across vdevs: Zephyr's vdev twice.
    let t = table(&[zephyr_vdev(), trace(0, 1, b"t"), zephyr_vdev()], 0);
    assert_eq!(err(&t.bytes), Error::RscDuplicateNotifyId { index: 2 });
}

#[test]
fn trace_invalid() {
    for (da, len) in [(0, 0), (0xFFFF_F000, 0x1001), (ANY, 2), (2, u32::MAX)] {
        let t = one(trace(da, len, b"t"));
        assert_eq!(
            err(&t.bytes),
            Error::RscTraceInvalid { index: 0 },
            "{da:#x} {len:#x}"
        );
    }
    // Ending exactly at 4 GiB is fine.
    parse(&one(trace(0xFFFF_F000, 0x1000, b"t")).bytes).unwrap();
}

#[test]
fn carveout_invalid() {
    for (da, pa, len) in [
        (0, 0, 0),
        (ANY, ANY, 0),
        (0xFFFF_0000, 0, 0x1_0001),
        (0, 0xFFFF_0000, 0x1_0001),
        (ANY, 0xFFFF_FFFE, 3),
    ] {
        let t = one(carveout(da, pa, len, 0, b"c"));
        assert_eq!(err(&t.bytes), Error::RscCarveoutInvalid { index: 0 });
    }
}

#[test]
fn devmem_invalid() {
    for (da, pa, len) in [
        (0, 0, 0),
        (0xFFFF_0000, 0, 0x1_0001),
        (0, 0xFFFF_0000, 0x1_0001),
        // A devmem mapping has no host-chosen address.
        (ANY, 0x4000_0000, 0x1000),
        (0x4000_0000, ANY, 0x1000),
    ] {
        let t = one(devmem(da, pa, len, 0, b"d"));
        assert_eq!(err(&t.bytes), Error::RscDevmemInvalid { index: 0 });
    }
}

#[test]
fn name_unterminated() {
    let full = [b'n'; 32];
    for entry in [
        carveout(0, 0, 1, 0, &full),
        devmem(0, 0, 1, 0, &full),
        trace(0, 1, &full),
    ] {
        let t = table(&[zephyr_vdev(), entry], 0);
        assert_eq!(err(&t.bytes), Error::RscNameUnterminated { index: 1 });
    }
}

#[test]
fn name_format() {
    for name in [&b"vdev%dvring%d"[..], b"%s%s%s%n", b"%", b"buffer%"] {
        let t = one(carveout(ANY, ANY, 0x1000, 0, name));
        assert_eq!(err(&t.bytes), Error::RscNameFormat { index: 0 });
        let t = one(devmem(0, 0, 0x1000, 0, name));
        assert_eq!(err(&t.bytes), Error::RscNameFormat { index: 0 });
    }
    // The core does not format trace names.
    parse(&one(trace(0, 1, b"log%d")).bytes).unwrap();
}

#[test]
fn first_error_wins() {
    // Entry 0 is checked completely before entry 1.
    let t = table(&[trace(0, 0, b"t"), vendor(7, &[])], 0);
    assert_eq!(err(&t.bytes), Error::RscTraceInvalid { index: 0 });
    // The header before the entries.
    let mut b = table(&[trace(0, 0, b"t")], 0).bytes;
    put32(&mut b, 8, 1);
    assert_eq!(err(&b), Error::RscReservedNotZero);
}

// ---------------------------------------------------------------------
// Error codes and descriptions of the resource-table variants.

const RSC_ERRORS: [Error; 24] = [
    Error::RscTooShort,
    Error::RscBadVersion,
    Error::RscReservedNotZero,
    Error::RscTooManyEntries,
    Error::RscOffsetTableOutOfBounds,
    Error::RscOffsetOutOfBounds { index: 0 },
    Error::RscOffsetMisaligned { index: 0 },
    Error::RscEntriesOverlap { index: 0 },
    Error::RscEntryTruncated { index: 0 },
    Error::RscUnknownType { index: 0, kind: 0 },
    Error::RscEntryReservedNotZero { index: 0 },
    Error::RscVdevTooManyVrings { index: 0 },
    Error::RscVdevReservedNotZero { index: 0 },
    Error::RscVdevConfigOverflow { index: 0 },
    Error::RscVringNumInvalid { index: 0, vring: 0 },
    Error::RscVringAlignInvalid { index: 0, vring: 0 },
    Error::RscVringDaOutOfRange { index: 0, vring: 0 },
    Error::RscDuplicateNotifyId { index: 0 },
    Error::RscTraceInvalid { index: 0 },
    Error::RscCarveoutInvalid { index: 0 },
    Error::RscDevmemInvalid { index: 0 },
    Error::RscNameUnterminated { index: 0 },
    Error::RscNameFormat { index: 0 },
    Error::RscTableTooLarge,
];

#[test]
fn rsc_kind_mapping() {
    for e in RSC_ERRORS {
        let expected = match e {
            Error::RscTooManyEntries => Kind::TooManyEntries,
            Error::RscTableTooLarge => Kind::TooLarge,
            Error::RscVringDaOutOfRange { .. } => Kind::OutOfRange,
            _ => Kind::Invalid,
        };
        assert_eq!(e.kind(), expected, "{e:?}");
    }
}

#[test]
fn rsc_descriptions_are_distinct_and_plain() {
    for (i, a) in RSC_ERRORS.iter().enumerate() {
        let d = a.describe();
        assert!(!d.is_empty() && d.len() < 64, "{a:?}: {d:?}");
        assert!(d.is_ascii() && !d.ends_with('.') && !d.contains('\n'));
        for b in &RSC_ERRORS[i + 1..] {
            assert_ne!(d, b.describe(), "{a:?} and {b:?}");
        }
    }
    // Distinct from the ELF ones that sound alike.
    assert_ne!(Error::RscTooShort.describe(), Error::TooShort.describe());
    assert_ne!(
        Error::RscBadVersion.describe(),
        Error::BadVersion.describe()
    );
}

// ---------------------------------------------------------------------
// The core-only builders (a Cursor over a fixed buffer, what the kernel
// module's KUnit selftests use) write what the Vec builders write.

#[test]
fn cursor_builders_write_the_vec_builders_bytes() {
    use common::rsc::{vdev_header, write_table, write_vdev_entry, Cursor};
    let vrings = [[ANY, 16, 8, 0, 0], [ANY, 16, 8, 1, 0]];
    let mut entry = [0u8; 68];
    let mut c = Cursor::new(&mut entry);
    write_vdev_entry(&mut c, &vdev_header(7, 0, 1, &vrings, &[]), &vrings, &[]);
    let entry = c.finish().unwrap();
    assert_eq!(entry, &zephyr_vdev()[..]);

    let mut buf = [0u8; 88];
    let mut c = Cursor::new(&mut buf);
    let [off] = write_table::<1>(&mut c, &[entry], 0);
    assert_eq!(c.finish().unwrap(), &zephyr().bytes[..]);
    assert_eq!(off, zephyr().offsets[0]);

    // A buffer one byte short: nothing is returned, nothing panics.
    let mut short = [0u8; 87];
    let mut c = Cursor::new(&mut short);
    write_table::<1>(&mut c, &[entry], 0);
    assert_eq!(c.finish(), None);
}
