// SPDX-License-Identifier: GPL-2.0

//! Resource-table robustness: random bytes and random mutations of valid
//! tables must never make the parser panic, whatever it accepts must pass
//! every check the kernel's remoteproc core makes (an oracle transcribed
//! from rsc_table.h and remoteproc_core.c) plus the documented guarantees,
//! and well-formed random tables must be accepted and read back unchanged.

mod common;

use common::rsc::{carveout, devmem, rich, table, trace, vdev, vendor, zephyr, zephyr_with_trace};
use imx_rproc_fw::error::Error;
use imx_rproc_fw::rsc::*;
use proptest::prelude::*;

fn rd(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}

/// What the kernel checks before using a table (ELF path: find_table();
/// both paths: rsc_table_for_each_entry() and the type handlers,
/// rproc_parse_vring()). Returns whether the core would accept it.
fn core_accepts(t: &[u8]) -> bool {
    if t.len() < 16 || rd(t, 0) != 1 || rd(t, 8) != 0 || rd(t, 12) != 0 {
        return false;
    }
    let num = rd(t, 4) as usize;
    if 16 + 4 * num > t.len() {
        return false;
    }
    for i in 0..num {
        let off = rd(t, 16 + 4 * i) as usize;
        if off < 16 || off >= t.len() || t.len() - off < 4 {
            return false;
        }
        let avail = t.len() - off - 4;
        let rsc = &t[off + 4..];
        let ok = match rd(t, off) {
            RSC_CARVEOUT | RSC_DEVMEM => avail >= 52 && rd(rsc, 16) == 0,
            RSC_TRACE => avail >= 44 && rd(rsc, 8) == 0,
            RSC_VDEV => core_accepts_vdev(rsc, avail),
            _ => true,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// rproc_handle_vdev() and rproc_parse_vring().
fn core_accepts_vdev(rsc: &[u8], avail: usize) -> bool {
    // The core reads the fixed part before checking it fits.
    if avail < 24 {
        return false;
    }
    let n = rsc[21] as usize;
    let config_len = rd(rsc, 16) as usize;
    if 24 + 20 * n + config_len > avail || rsc[22] != 0 || rsc[23] != 0 || n > 2 {
        return false;
    }
    (0..n).all(|v| {
        let vr = &rsc[24 + 20 * v..];
        rd(vr, 8) != 0 && rd(vr, 4) != 0
    })
}

fn check_error(e: Error, data: &[u8]) {
    assert!(!e.describe().is_empty());
    let index = match e {
        Error::RscOffsetOutOfBounds { index }
        | Error::RscOffsetMisaligned { index }
        | Error::RscEntriesOverlap { index }
        | Error::RscEntryTruncated { index }
        | Error::RscUnknownType { index, .. }
        | Error::RscEntryReservedNotZero { index }
        | Error::RscVdevTooManyVrings { index }
        | Error::RscVdevReservedNotZero { index }
        | Error::RscVdevConfigOverflow { index }
        | Error::RscVringNumInvalid { index, .. }
        | Error::RscVringAlignInvalid { index, .. }
        | Error::RscVringDaOutOfRange { index, .. }
        | Error::RscDuplicateNotifyId { index }
        | Error::RscTraceInvalid { index }
        | Error::RscCarveoutInvalid { index }
        | Error::RscDevmemInvalid { index }
        | Error::RscNameUnterminated { index }
        | Error::RscNameFormat { index } => Some(index),
        Error::RscTooShort
        | Error::RscBadVersion
        | Error::RscReservedNotZero
        | Error::RscTooManyEntries
        | Error::RscOffsetTableOutOfBounds
        | Error::RscTableTooLarge => None,
        e => panic!("not a resource-table error: {e:?}"),
    };
    if let Some(index) = index {
        assert!(index < rd(data, 4) as usize, "{e:?}");
    }
    if let Error::RscVringNumInvalid { vring, .. }
    | Error::RscVringAlignInvalid { vring, .. }
    | Error::RscVringDaOutOfRange { vring, .. } = e
    {
        assert!(vring < 2);
    }
}

/// Checks the guarantees of an accepted table.
fn check_table(rt: &ResourceTable<'_>, data: &[u8], limits: &Limits<'_>) {
    assert!(core_accepts(data), "accepted a table the core rejects");
    assert!(data.len() <= limits.max_len);
    assert_eq!(rt.size(), data.len());
    assert_eq!(rt.len() as u32, rd(data, 4));
    assert!(rt.len() as u32 <= limits.max_entries);
    let hdr_end = 16 + 4 * rt.len();
    assert!(rt.used_size() >= hdr_end && rt.used_size() <= rt.size());

    let entries: Vec<Entry<'_>> = rt.entries().collect();
    assert_eq!(entries.len(), rt.len());
    let mut notifyids = Vec::new();
    let mut vdevs = 0;
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.index, i);
        assert_eq!(rt.entry(i), Some(*e));
        assert_eq!(e.offset, rd(data, 16 + 4 * i) as usize);
        assert_eq!(e.offset % 4, 0);
        assert!(e.offset >= hdr_end);
        assert!(e.offset + e.size <= rt.used_size());
        for p in &entries[..i] {
            assert!(
                e.offset + e.size <= p.offset || p.offset + p.size <= e.offset,
                "entries {} and {} overlap",
                p.index,
                i
            );
        }
        let kind = rd(data, e.offset);
        match e.resource {
            Resource::Carveout {
                da, pa, len, name, ..
            } => {
                assert_eq!(kind, RSC_CARVEOUT);
                assert_eq!(e.size, 56);
                assert!(len > 0);
                for a in [da, pa] {
                    assert!(a == FW_RSC_ADDR_ANY || u64::from(a) + u64::from(len) <= 1 << 32);
                }
                assert!(name.len() < 32 && !name.contains(&0) && !name.contains(&b'%'));
            }
            Resource::Devmem {
                da, pa, len, name, ..
            } => {
                assert_eq!(kind, RSC_DEVMEM);
                assert_eq!(e.size, 56);
                assert!(len > 0);
                for a in [da, pa] {
                    assert!(u64::from(a) + u64::from(len) <= 1 << 32);
                }
                assert!(name.len() < 32 && !name.contains(&0) && !name.contains(&b'%'));
            }
            Resource::Trace { da, len, name } => {
                assert_eq!(kind, RSC_TRACE);
                assert_eq!(e.size, 48);
                assert!(len > 0 && u64::from(da) + u64::from(len) <= 1 << 32);
                assert!(name.len() < 32 && !name.contains(&0));
            }
            Resource::Vdev(v) => {
                assert_eq!(kind, RSC_VDEV);
                vdevs += 1;
                assert!(v.num_of_vrings <= 2);
                assert_eq!(v.config.len(), v.config_len as usize);
                assert_eq!(
                    e.size,
                    28 + 20 * usize::from(v.num_of_vrings) + v.config.len()
                );
                let vrings: Vec<Vring> = v.vrings().collect();
                assert_eq!(vrings.len(), usize::from(v.num_of_vrings));
                for (k, r) in vrings.iter().enumerate() {
                    assert_eq!(v.vring(k), Some(*r));
                    assert!(r.num.is_power_of_two() && r.num <= limits.max_vring_num);
                    assert!(r.align.is_power_of_two() && r.align <= limits.max_vring_align);
                    if r.da != FW_RSC_ADDR_ANY && !limits.vring_da_ok.is_empty() {
                        let size = vring_size(r.num, r.align).unwrap();
                        let (da, end) = (u64::from(r.da), u64::from(r.da) + size);
                        assert!(limits
                            .vring_da_ok
                            .iter()
                            .any(|&(s, l)| da >= s && s.checked_add(l).is_some_and(|e| end <= e)));
                    }
                    if r.notifyid != NOTIFYID_UNASSIGNED {
                        assert!(!notifyids.contains(&r.notifyid), "duplicate notify id");
                        notifyids.push(r.notifyid);
                    }
                }
            }
            Resource::Vendor { kind: k } => {
                assert_eq!(k, kind);
                assert!((RSC_VENDOR_START..=RSC_VENDOR_END).contains(&k));
                assert_eq!(e.size, 4);
            }
        }
    }
    assert_eq!(rt.num_vdevs(), vdevs);
    assert_eq!(rt.vdevs().count(), vdevs);
    assert_eq!(rt.entry(rt.len()), None);
}

const RANGES: [(u64, u64); 2] = [(0x8800_0000, 0x10_0000), (0x2000_0000, 0x4_0000)];

/// Parses `data` under several limits, checking every result. Returns
/// whether the default limits accept it.
fn exercise(data: &[u8]) -> bool {
    let permissive = Limits {
        max_len: usize::MAX,
        max_entries: u32::MAX,
        max_vring_num: u32::MAX,
        max_vring_align: u32::MAX,
        vring_da_ok: &[],
    };
    let strict = Limits {
        max_len: 256,
        max_entries: 4,
        max_vring_num: 8,
        max_vring_align: 16,
        vring_da_ok: &RANGES,
    };
    let mut accepted = Vec::new();
    for limits in [Limits::DEFAULT, permissive, strict] {
        match ResourceTable::parse(data, &limits) {
            Ok(rt) => {
                check_table(&rt, data, &limits);
                accepted.push(true);
            }
            Err(e) => {
                check_error(e, data);
                accepted.push(false);
            }
        }
    }
    // Stricter limits never accept more.
    if accepted[0] {
        assert!(accepted[1]);
    }
    if accepted[2] {
        assert!(accepted[0] && accepted[1]);
    }
    accepted[0]
}

fn valid_tables() -> Vec<Vec<u8>> {
    vec![zephyr().bytes, zephyr_with_trace().bytes, rich().bytes]
}

#[test]
fn valid_tables_exercise_cleanly() {
    for t in valid_tables() {
        ResourceTable::parse(&t, &Limits::DEFAULT).unwrap();
        assert!(exercise(&t));
    }
}

#[test]
fn every_truncation() {
    for t in valid_tables() {
        for len in 0..=t.len() {
            exercise(&t[..len]);
        }
    }
}

#[test]
fn every_byte_with_interesting_values() {
    let (mut accepted, mut rejected) = (0, 0);
    for t in valid_tables() {
        for pos in 0..t.len() {
            for v in [0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x25, 0x80, 0xfe, 0xff] {
                let mut m = t.clone();
                m[pos] = v;
                if exercise(&m) {
                    accepted += 1;
                } else {
                    rejected += 1;
                }
            }
        }
    }
    // Both outcomes are exercised.
    assert!(accepted > 1000 && rejected > 1000, "{accepted} {rejected}");
}

#[test]
fn every_word_with_interesting_values() {
    for t in valid_tables() {
        let len = t.len() as u32;
        for pos in (0..t.len() - 3).step_by(4) {
            for v in [
                0,
                1,
                2,
                3,
                4,
                8,
                16,
                20,
                24,
                128,
                512,
                513,
                len - 4,
                len - 1,
                len,
                len + 4,
                0x7fff_ffff,
                0x8000_0000,
                0xffff_fffc,
                u32::MAX,
            ] {
                let mut m = t.clone();
                m[pos..pos + 4].copy_from_slice(&v.to_le_bytes());
                exercise(&m);
            }
        }
    }
}

/// A well-formed entry (before layout), with what it must read back as.
#[derive(Clone, Debug)]
enum Spec {
    Carveout(u32, u32, u32, Vec<u8>),
    Devmem(u32, u32, u32, Vec<u8>),
    Trace(u32, u32, Vec<u8>),
    Vdev(u32, Vec<(u32, u32, u32)>, Vec<u8>),
    Vendor(u32, Vec<u8>),
}

fn name() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(1u8..=255, 0..32)
        .prop_map(|v| v.into_iter().filter(|&b| b != b'%').collect())
}

/// `(addr, len)` with `addr + len <= 2^32` and `len > 0`.
fn range() -> impl Strategy<Value = (u32, u32)> {
    (1u32..=u32::MAX).prop_flat_map(|len| (0..=u32::MAX - len + 1, Just(len)))
}

fn spec() -> impl Strategy<Value = Spec> {
    let pow2 = |max: u32| (0..=max).prop_map(|s| 1u32 << s);
    prop_oneof![
        (range(), any::<bool>(), any::<bool>(), name()).prop_map(
            |((a, len), any_da, any_pa, n)| {
                let da = if any_da { FW_RSC_ADDR_ANY } else { a };
                let pa = if any_pa { FW_RSC_ADDR_ANY } else { a };
                Spec::Carveout(da, pa, len, n)
            }
        ),
        (range(), name()).prop_map(|((a, len), n)| Spec::Devmem(a, a, len, n)),
        (range(), name()).prop_map(|((a, len), n)| Spec::Trace(a, len, n)),
        (
            any::<u32>(),
            proptest::collection::vec((pow2(8), pow2(12), any::<bool>()), 0..=2),
            proptest::collection::vec(any::<u8>(), 0..16),
        )
            .prop_map(|(id, vrings, config)| {
                let vrings = vrings
                    .into_iter()
                    .map(|(num, align, any)| {
                        (if any { FW_RSC_ADDR_ANY } else { 0x8800_0000 }, align, num)
                    })
                    .collect();
                Spec::Vdev(id, vrings, config)
            }),
        (
            RSC_VENDOR_START..=RSC_VENDOR_END,
            proptest::collection::vec(any::<u8>(), 0..16)
        )
            .prop_map(|(k, p)| Spec::Vendor(k, p)),
    ]
}

/// Builds the entry; vring notify ids are numbered from `*next_id`.
fn build(s: &Spec, next_id: &mut u32) -> Vec<u8> {
    match s {
        Spec::Carveout(da, pa, len, n) => carveout(*da, *pa, *len, 0, n),
        Spec::Devmem(da, pa, len, n) => devmem(*da, *pa, *len, 0, n),
        Spec::Trace(da, len, n) => trace(*da, *len, n),
        Spec::Vdev(id, vrings, config) => {
            let descs: Vec<[u32; 5]> = vrings
                .iter()
                .map(|&(da, align, num)| {
                    *next_id += 1;
                    [da, align, num, *next_id - 1, 0]
                })
                .collect();
            vdev(*id, 0, 1, &descs, config)
        }
        Spec::Vendor(k, p) => vendor(*k, p),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..1024)) {
        exercise(&data);
    }

    #[test]
    fn random_bytes_with_valid_header_never_panic(
        num in 0u32..8,
        offsets in proptest::collection::vec(16u32..512, 8),
        tail in proptest::collection::vec(any::<u8>(), 0..1024),
    ) {
        let mut data = Vec::new();
        for w in [1, num, 0, 0] {
            data.extend_from_slice(&w.to_le_bytes());
        }
        for o in &offsets[..num as usize] {
            data.extend_from_slice(&(o & !3).to_le_bytes());
        }
        data.extend_from_slice(&tail);
        exercise(&data);
    }

    #[test]
    fn mutated_tables_never_panic(
        which in 0usize..3,
        muts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut t = valid_tables().swap_remove(which);
        for (i, v) in muts {
            let i = i.index(t.len());
            t[i] = v;
        }
        if let Some(c) = cut {
            t.truncate(c.index(t.len() + 1));
        }
        exercise(&t);
    }

    #[test]
    fn mutated_table_words_never_panic(
        which in 0usize..3,
        muts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u32>()), 1..6),
    ) {
        let mut t = valid_tables().swap_remove(which);
        for (i, v) in muts {
            let i = i.index(t.len() / 4) * 4;
            t[i..i + 4].copy_from_slice(&v.to_le_bytes());
        }
        exercise(&t);
    }

    #[test]
    fn well_formed_tables_are_accepted(
        specs in proptest::collection::vec(spec(), 0..8),
        pad in 0usize..16,
    ) {
        let mut next_id = 0;
        let entries: Vec<Vec<u8>> = specs.iter().map(|s| build(s, &mut next_id)).collect();
        let t = table(&entries, pad);
        let limits = Limits { max_len: usize::MAX, ..Limits::DEFAULT };
        let rt = ResourceTable::parse(&t.bytes, &limits).unwrap();
        check_table(&rt, &t.bytes, &limits);
        prop_assert_eq!(rt.len(), specs.len());
        let mut next_id = 0;
        for (e, s) in rt.entries().zip(&specs) {
            prop_assert_eq!(e.offset, t.offsets[e.index]);
            let raw = build(s, &mut next_id);
            match (&e.resource, s) {
                (Resource::Carveout { da, pa, len, name, .. }, Spec::Carveout(d, p, l, n))
                | (Resource::Devmem { da, pa, len, name, .. }, Spec::Devmem(d, p, l, n)) => {
                    prop_assert_eq!((*da, *pa, *len, *name), (*d, *p, *l, &n[..]));
                }
                (Resource::Trace { da, len, name }, Spec::Trace(d, l, n)) => {
                    prop_assert_eq!((*da, *len, *name), (*d, *l, &n[..]));
                }
                (Resource::Vdev(v), Spec::Vdev(id, vrings, config)) => {
                    prop_assert_eq!(v.id, *id);
                    prop_assert_eq!(v.config, &config[..]);
                    let got: Vec<(u32, u32, u32)> =
                        v.vrings().map(|r| (r.da, r.align, r.num)).collect();
                    prop_assert_eq!(&got, vrings);
                    prop_assert_eq!(e.size, raw.len());
                }
                (Resource::Vendor { kind }, Spec::Vendor(k, _)) => prop_assert_eq!(kind, k),
                (r, s) => prop_assert!(false, "{:?} read back as {:?}", s, r),
            }
        }
    }
}
