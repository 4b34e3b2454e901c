// SPDX-License-Identifier: GPL-2.0

//! Reference model of the resource-table validator and [`check_rsc`].

use imx_rproc_fw::error::Error;
use imx_rproc_fw::rsc::{
    vring_size, Entry, Limits, Resource, ResourceTable, Vring, FW_RSC_ADDR_ANY,
    NOTIFYID_UNASSIGNED, RSC_CARVEOUT, RSC_DEVMEM, RSC_TRACE, RSC_VDEV, RSC_VENDOR_END,
    RSC_VENDOR_START,
};

use crate::{assert_subslice_at, check_error, rd32};

/// Fixed device-address ranges of the strict limits.
pub const STRICT_RANGES: [(u64, u64); 3] = [
    (0x8800_0000, 0x10_0000),
    (0x2000_0000, 0x4_0000),
    (0xffff_ffff_ffff_f000, 0x1000),
];

/// The limits the driver uses for a table from a firmware image (the
/// `rsc-table` region of the i.MX95 boards is 4 KiB).
pub const DRIVER: Limits<'static> = Limits {
    max_len: 4096,
    ..Limits::DEFAULT
};

/// No limit at all: only the format's own rules.
pub const PERMISSIVE: Limits<'static> = Limits {
    max_len: usize::MAX,
    max_entries: u32::MAX,
    max_vring_num: u32::MAX,
    max_vring_align: u32::MAX,
    vring_da_ok: &[],
};

/// Stricter than [`Limits::DEFAULT`] on every axis.
pub const STRICT: Limits<'static> = Limits {
    max_len: 256,
    max_entries: 4,
    max_vring_num: 8,
    max_vring_align: 16,
    vring_da_ok: &STRICT_RANGES,
};

/// An entry as the reference sees it: offset, size, type and, for a vdev,
/// its vrings (da, align, num, notifyid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefEntry {
    pub offset: u64,
    pub size: u64,
    pub kind: u32,
    pub vrings: Vec<[u32; 4]>,
}

/// `vring_size()` of the kernel, in `u128`.
fn ref_vring_size(num: u32, align: u32) -> u128 {
    let (n, a) = (u128::from(num), u128::from(align));
    let desc_avail = 16 * n + 2 * (n + 3);
    desc_avail.div_ceil(a) * a + 8 * n + 6
}

/// Whether a 32-byte `name` field has a NUL, and the name before it.
fn ref_name(field: &[u8]) -> Option<&[u8]> {
    field.iter().position(|&b| b == 0).map(|n| &field[..n])
}

/// Whether `[a, a + len)` fits in 32 bits.
fn fits_32(a: u32, len: u32) -> bool {
    u64::from(a) + u64::from(len) <= 1 << 32
}

/// Decodes entry `i` on its own, or `None` if it is invalid by itself
/// (including its vrings against `limits`).
fn ref_entry(t: &[u8], hdr_end: u64, i: u64, limits: &Limits<'_>) -> Option<RefEntry> {
    let len = t.len() as u64;
    let off = u64::from(rd32(t, 16 + 4 * i)?);
    if off < hdr_end || off + 4 > len || off % 4 != 0 {
        return None;
    }
    let kind = rd32(t, off)?;
    let body = off + 4;
    let w = |k: u64| rd32(t, body + 4 * k);
    let mut vrings = Vec::new();
    let size = match kind {
        RSC_CARVEOUT | RSC_DEVMEM => {
            if body + 52 > len {
                return None;
            }
            let (da, pa, rlen, reserved) = (w(0)?, w(1)?, w(2)?, w(4)?);
            let any_ok = kind == RSC_CARVEOUT;
            let addr_ok = |a: u32| (any_ok && a == FW_RSC_ADDR_ANY) || fits_32(a, rlen);
            let name = ref_name(&t[(body + 20) as usize..(body + 52) as usize])?;
            if reserved != 0 || rlen == 0 || !addr_ok(da) || !addr_ok(pa) || name.contains(&b'%') {
                return None;
            }
            56
        }
        RSC_TRACE => {
            if body + 44 > len {
                return None;
            }
            let (da, rlen, reserved) = (w(0)?, w(1)?, w(2)?);
            ref_name(&t[(body + 12) as usize..(body + 44) as usize])?;
            if reserved != 0 || rlen == 0 || !fits_32(da, rlen) {
                return None;
            }
            48
        }
        RSC_VDEV => {
            if body + 24 > len {
                return None;
            }
            let b = body as usize;
            let (nvr, r0, r1) = (t[b + 21], t[b + 22], t[b + 23]);
            if r0 != 0 || r1 != 0 || nvr > 2 {
                return None;
            }
            let config_len = u64::from(w(4)?);
            let vr_start = body + 24;
            let vr_end = vr_start + 20 * u64::from(nvr);
            if vr_end + config_len > len {
                return None;
            }
            for k in 0..u64::from(nvr) {
                let v = |f: u64| rd32(t, vr_start + 20 * k + 4 * f).unwrap();
                let (da, align, num, notifyid) = (v(0), v(1), v(2), v(3));
                if !num.is_power_of_two() || num > limits.max_vring_num {
                    return None;
                }
                if !align.is_power_of_two() || align > limits.max_vring_align {
                    return None;
                }
                if da != FW_RSC_ADDR_ANY && !limits.vring_da_ok.is_empty() {
                    let (d, sz) = (u128::from(da), ref_vring_size(num, align));
                    let inside = limits.vring_da_ok.iter().any(|&(s, l)| {
                        let (s, l) = (u128::from(s), u128::from(l));
                        s + l <= u128::from(u64::MAX) && d >= s && d + sz <= s + l
                    });
                    if !inside {
                        return None;
                    }
                }
                vrings.push([da, align, num, notifyid]);
            }
            4 + 24 + 20 * u64::from(nvr) + config_len
        }
        RSC_VENDOR_START..=RSC_VENDOR_END => 4,
        _ => return None,
    };
    Some(RefEntry {
        offset: off,
        size,
        kind,
        vrings,
    })
}

/// Whether two vrings share an assigned notify id.
fn same_id(a: &[u32; 4], b: &[u32; 4]) -> bool {
    a[3] == b[3] && a[3] != NOTIFYID_UNASSIGNED
}

/// What `ResourceTable::parse(t, limits)` must accept: its entries, or
/// `None` if it must fail.
pub fn ref_parse(t: &[u8], limits: &Limits<'_>) -> Option<Vec<RefEntry>> {
    if t.len() > limits.max_len || t.len() < 16 {
        return None;
    }
    if rd32(t, 0)? != 1 || rd32(t, 8)? != 0 || rd32(t, 12)? != 0 {
        return None;
    }
    let num = rd32(t, 4)?;
    let hdr_end = 16 + 4 * u64::from(num);
    if hdr_end > t.len() as u64 || num > limits.max_entries {
        return None;
    }
    let mut entries: Vec<RefEntry> = Vec::new();
    for i in 0..u64::from(num) {
        let e = ref_entry(t, hdr_end, i, limits)?;
        // Notify ids are unique inside the vdev ...
        for (k, v) in e.vrings.iter().enumerate() {
            if e.vrings[..k].iter().any(|w| same_id(v, w)) {
                return None;
            }
        }
        for p in &entries {
            // ... and across vdevs; entries share no byte.
            if e.offset < p.offset + p.size && p.offset < e.offset + e.size {
                return None;
            }
            if e.vrings
                .iter()
                .any(|v| p.vrings.iter().any(|w| same_id(v, w)))
            {
                return None;
            }
        }
        entries.push(e);
    }
    Some(entries)
}

/// Checks the guarantees of the error of a rejected table.
fn check_rsc_error(e: &Error, t: &[u8]) {
    check_error(e);
    let index = match *e {
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
        other => panic!("not a resource-table error: {other:?}"),
    };
    if let Some(index) = index {
        let num = rd32(t, 4).expect("an entry error implies a header");
        assert!((index as u64) < u64::from(num), "{e:?} with num {num}");
    }
    if let Error::RscVringNumInvalid { vring, .. }
    | Error::RscVringAlignInvalid { vring, .. }
    | Error::RscVringDaOutOfRange { vring, .. } = *e
    {
        assert!(vring < 2, "{e:?}");
    }
    if let Error::RscUnknownType { index, kind } = *e {
        let off = rd32(t, 16 + 4 * index as u64).expect("offset of the entry");
        assert_eq!(rd32(t, off.into()), Some(kind));
        assert!(kind > RSC_VDEV && !(RSC_VENDOR_START..=RSC_VENDOR_END).contains(&kind));
    }
}

/// Checks one accepted entry against the bytes and the reference.
fn check_entry(t: &[u8], e: &Entry<'_>, r: &RefEntry, limits: &Limits<'_>) {
    assert_eq!(e.offset as u64, r.offset, "entry {} offset", e.index);
    assert_eq!(e.size as u64, r.size, "entry {} size", e.index);
    assert!(e.offset % 4 == 0);
    assert!(
        e.offset as u64 + e.size as u64 <= t.len() as u64,
        "entry outside the table"
    );
    let kind = rd32(t, e.offset as u64).unwrap();
    assert_eq!(kind, r.kind);
    let body = e.offset as u64 + 4;
    let name_ok = |name: &[u8], at: u64, fmt: bool| {
        assert!(name.len() < 32 && !name.contains(&0));
        assert!(!fmt || !name.contains(&b'%'), "name with % accepted");
        assert_subslice_at(t, name, at);
    };
    match e.resource {
        Resource::Carveout {
            da,
            pa,
            len,
            flags,
            name,
        }
        | Resource::Devmem {
            da,
            pa,
            len,
            flags,
            name,
        } => {
            let carveout = matches!(e.resource, Resource::Carveout { .. });
            assert_eq!(kind, if carveout { RSC_CARVEOUT } else { RSC_DEVMEM });
            let w = |k: u64| rd32(t, body + 4 * k).unwrap();
            assert_eq!([da, pa, len, flags, 0], [w(0), w(1), w(2), w(3), w(4)]);
            assert!(len > 0);
            for a in [da, pa] {
                assert!((carveout && a == FW_RSC_ADDR_ANY) || fits_32(a, len));
            }
            name_ok(name, body + 20, true);
        }
        Resource::Trace { da, len, name } => {
            assert_eq!(kind, RSC_TRACE);
            assert_eq!(
                [da, len, 0],
                [
                    rd32(t, body).unwrap(),
                    rd32(t, body + 4).unwrap(),
                    rd32(t, body + 8).unwrap()
                ]
            );
            assert!(len > 0 && fits_32(da, len));
            name_ok(name, body + 12, false);
        }
        Resource::Vdev(v) => {
            assert_eq!(kind, RSC_VDEV);
            assert!(v.num_of_vrings <= 2);
            assert_eq!(v.config.len() as u64, u64::from(v.config_len));
            let cfg_at = body + 24 + 20 * u64::from(v.num_of_vrings);
            assert_subslice_at(t, v.config, cfg_at);
            assert_eq!(
                cfg_at + v.config.len() as u64,
                e.offset as u64 + e.size as u64
            );
            let vrings: Vec<Vring> = v.vrings().collect();
            assert_eq!(vrings.len(), usize::from(v.num_of_vrings));
            assert_eq!(v.vring(vrings.len()), None);
            assert_eq!(v.vring(usize::MAX), None);
            let got: Vec<[u32; 4]> = vrings
                .iter()
                .map(|r| [r.da, r.align, r.num, r.notifyid])
                .collect();
            assert_eq!(got, r.vrings, "vrings of entry {}", e.index);
            for (k, vr) in vrings.iter().enumerate() {
                assert_eq!(v.vring(k), Some(*vr));
                assert!(vr.num.is_power_of_two() && vr.num <= limits.max_vring_num);
                assert!(vr.align.is_power_of_two() && vr.align <= limits.max_vring_align);
                let size = vring_size(vr.num, vr.align);
                assert_eq!(size.map(u128::from), Some(ref_vring_size(vr.num, vr.align)));
            }
        }
        Resource::Vendor { kind: k } => {
            assert_eq!(k, kind);
            assert!((RSC_VENDOR_START..=RSC_VENDOR_END).contains(&k));
        }
    }
}

/// Parses `t` with `limits`, compares the outcome with the reference and
/// checks every guarantee of an accepted table. Returns whether it was
/// accepted.
pub fn check_rsc(t: &[u8], limits: &Limits<'_>) -> bool {
    let want = ref_parse(t, limits);
    let rt = match (ResourceTable::parse(t, limits), want) {
        (Ok(rt), Some(want)) => (rt, want),
        (Err(e), None) => {
            check_rsc_error(&e, t);
            return false;
        }
        (got, want) => panic!(
            "ResourceTable::parse: got {:?}, reference {}",
            got.map(|rt| rt.len()),
            if want.is_some() { "accepts" } else { "rejects" }
        ),
    };
    let (rt, want) = rt;
    assert!(std::ptr::eq(rt.data(), t));
    assert_eq!(rt.size(), t.len());
    assert!(t.len() <= limits.max_len);
    assert_eq!(rt.len(), want.len());
    assert_eq!(rt.is_empty(), want.is_empty());
    assert!(rt.len() as u64 <= u64::from(limits.max_entries));
    let hdr_end = 16 + 4 * want.len() as u64;
    let used = want
        .iter()
        .map(|e| e.offset + e.size)
        .fold(hdr_end, u64::max);
    assert_eq!(rt.used_size() as u64, used, "used_size");
    assert!(rt.used_size() <= rt.size());

    let entries: Vec<Entry<'_>> = rt.entries().collect();
    assert_eq!(entries.len(), want.len());
    for (i, (e, r)) in entries.iter().zip(&want).enumerate() {
        assert_eq!(e.index, i);
        assert_eq!(rt.entry(i), Some(*e));
        check_entry(t, e, r, limits);
        for p in &entries[..i] {
            assert!(
                e.offset + e.size <= p.offset || p.offset + p.size <= e.offset,
                "entries {} and {i} overlap",
                p.index
            );
        }
    }
    assert_eq!(rt.entry(rt.len()), None);
    assert_eq!(rt.entry(usize::MAX), None);

    // Notify ids of all vrings of all vdevs are distinct.
    let mut ids = Vec::new();
    let mut vdevs = 0;
    for (e, v) in rt.vdevs() {
        vdevs += 1;
        assert!(matches!(e.resource, Resource::Vdev(w) if w == v));
        for r in v.vrings() {
            if r.notifyid != NOTIFYID_UNASSIGNED {
                assert!(!ids.contains(&r.notifyid), "duplicate notify id accepted");
                ids.push(r.notifyid);
            }
        }
    }
    assert_eq!(rt.num_vdevs(), vdevs);
    true
}

/// Runs [`check_rsc`] under the default, permissive, strict and "attach"
/// limits (the driver's attach path sets `max_len` to the buffer length)
/// and checks that stricter limits never accept more. Returns whether the
/// default limits accept `t`.
pub fn check_rsc_all(t: &[u8]) -> bool {
    let default = check_rsc(t, &Limits::DEFAULT);
    let permissive = check_rsc(t, &PERMISSIVE);
    let strict = check_rsc(t, &STRICT);
    let attach = Limits {
        max_len: t.len(),
        ..Limits::DEFAULT
    };
    let exact = check_rsc(t, &attach);
    assert!(
        !default || permissive,
        "DEFAULT accepts what PERMISSIVE rejects"
    );
    assert!(!strict || default, "STRICT accepts what DEFAULT rejects");
    assert!(
        !default || exact,
        "max_len = len rejects what DEFAULT accepts"
    );
    if t.len() <= Limits::DEFAULT.max_len {
        assert_eq!(default, exact, "max_len only limits the length");
    }
    default
}
