// SPDX-License-Identifier: GPL-2.0

//! Robustness: random bytes and random mutations of a valid image must
//! never make the parser panic, and whatever it accepts must satisfy the
//! documented guarantees. Address translation is checked against a
//! straightforward 128-bit oracle.

mod common;

use imx_rproc_fw::att::{da_to_sys, map_segment, sys_in_regions, AttEntry, Region, IMX95_M7_ATT};
use imx_rproc_fw::elf::{load_into, Elf32, SHT_NOBITS};
use imx_rproc_fw::error::Error;
use proptest::prelude::*;

const NAMES: [&[u8]; 5] = [b".resource_table", b".text", b".bss", b".shstrtab", b""];

fn check_error(e: Error) {
    assert!(!e.describe().is_empty());
}

fn within(outer: &[u8], inner: &[u8]) -> bool {
    let o = outer.as_ptr_range();
    let i = inner.as_ptr_range();
    inner.is_empty() || (o.start <= i.start && i.end <= o.end)
}

/// Runs every entry point over `data`, checking invariants of the results.
fn exercise(data: &[u8]) {
    let elf = match Elf32::parse(data) {
        Ok(elf) => elf,
        Err(e) => return check_error(e),
    };
    let _ = elf.entry();
    if let Err(e) = elf.validate_segments() {
        check_error(e);
    }
    let phnum = usize::from(elf.phnum());
    assert!(phnum > 0);
    assert_eq!(elf.segments().count(), phnum);
    for i in 0..=phnum {
        match elf.program_header(i) {
            Ok(_) => assert!(i < phnum),
            Err(e) => {
                assert_eq!(i, phnum);
                check_error(e);
            }
        }
    }
    for seg in elf.load_segments() {
        let seg = match seg {
            Ok(seg) => seg,
            Err(e) => {
                check_error(e);
                continue;
            }
        };
        assert_eq!(seg.data.len(), seg.filesz as usize);
        assert!(seg.filesz <= seg.memsz && seg.memsz > 0);
        assert!(u64::from(seg.paddr) + u64::from(seg.memsz) <= 1 << 32);
        assert!(within(data, seg.data));
        if seg.memsz <= 1 << 16 {
            let mut dst = vec![0xa5; seg.memsz as usize];
            load_into(&seg, &mut dst).unwrap();
            assert_eq!(&dst[..seg.data.len()], seg.data);
            assert!(dst[seg.data.len()..].iter().all(|&b| b == 0));
        }
        match map_segment(&IMX95_M7_ATT, &seg) {
            Ok((sa, e)) => assert!(sa >= e.sa),
            Err(e) => check_error(e),
        }
    }
    for name in NAMES {
        match elf.find_section(name) {
            Ok(Some(s)) => {
                if s.sh_type == SHT_NOBITS {
                    assert!(s.data.is_empty());
                } else {
                    assert_eq!(s.data.len(), s.size as usize);
                    assert!(within(data, s.data));
                }
            }
            Ok(None) => {}
            Err(e) => check_error(e),
        }
    }
}

fn valid_image() -> Vec<u8> {
    common::sample().build().image
}

#[test]
fn valid_image_exercises_cleanly() {
    let img = valid_image();
    exercise(&img);
    let elf = Elf32::parse(&img).unwrap();
    elf.validate_segments().unwrap();
    assert!(elf.find_section(b".resource_table").unwrap().is_some());
}

#[test]
fn every_truncation() {
    let img = valid_image();
    for len in 0..=img.len() {
        exercise(&img[..len]);
    }
}

#[test]
fn every_byte_with_interesting_values() {
    let img = valid_image();
    for pos in 0..img.len() {
        for v in [0x00, 0x01, 0x20, 0x7f, 0x80, 0xfe, 0xff] {
            let mut m = img.clone();
            m[pos] = v;
            exercise(&m);
        }
    }
}

#[test]
fn every_header_word_with_interesting_values() {
    let b = common::sample().build();
    let mut words: Vec<usize> = (0..52).step_by(2).collect();
    words.extend((b.phoff..b.ph(3)).step_by(4));
    words.extend((b.shoff..b.image.len()).step_by(4));
    let len = b.image.len() as u32;
    for &pos in &words {
        for v in [
            0,
            1,
            len - 1,
            len,
            len + 1,
            0x7fff_ffff,
            0xffff_ff00,
            u32::MAX,
        ] {
            let mut m = b.image.clone();
            m[pos..pos + 4].copy_from_slice(&v.to_le_bytes());
            exercise(&m);
            if pos <= 50 {
                let mut m = b.image.clone();
                m[pos..pos + 2].copy_from_slice(&(v as u16).to_le_bytes());
                exercise(&m);
            }
        }
    }
}

/// `[da, da + len)` inside `[start, start + size)`, computed in `u128`.
fn oracle_inside(start: u64, size: u64, da: u64, len: u64) -> bool {
    let (start, size, da, len) = (start as u128, size as u128, da as u128, len as u128);
    len > 0
        && da >= start
        && da + len <= start + size
        && da + len <= u64::MAX as u128
        && start + size <= u64::MAX as u128
}

fn att_entry() -> impl Strategy<Value = AttEntry> {
    (any::<u32>(), any::<u64>(), any::<u32>(), any::<u32>()).prop_map(|(da, sa, size, flags)| {
        AttEntry {
            da,
            sa,
            size,
            flags,
        }
    })
}

/// Addresses and lengths near interesting boundaries as well as anywhere.
fn addr() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        any::<u32>().prop_map(u64::from),
        Just(0u64),
        Just(u64::MAX),
        (0u64..0x5_0000),
        (0x1fff_0000u64..0x2005_0000),
        (0x7fff_0000u64..0xd001_0000),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..1024)) {
        exercise(&data);
    }

    #[test]
    fn random_bytes_with_valid_ident_never_panic(
        tail in proptest::collection::vec(any::<u8>(), 0..1024)
    ) {
        let mut data = valid_image()[..20].to_vec();
        data.extend_from_slice(&tail);
        exercise(&data);
    }

    #[test]
    fn mutated_image_never_panics(
        muts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut img = valid_image();
        for (i, v) in muts {
            let i = i.index(img.len());
            img[i] = v;
        }
        if let Some(c) = cut {
            img.truncate(c.index(img.len() + 1));
        }
        exercise(&img);
    }

    #[test]
    fn mutated_header_words_never_panic(
        muts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u32>()), 1..6),
    ) {
        let img0 = valid_image();
        let mut img = img0.clone();
        for (i, v) in muts {
            // Overwrite a 4-byte-aligned word: header, program or section
            // header fields.
            let i = i.index(img.len() / 4) * 4;
            img[i..i + 4].copy_from_slice(&v.to_le_bytes());
        }
        exercise(&img);
    }

    #[test]
    fn da_to_sys_matches_oracle(
        table in proptest::collection::vec(att_entry(), 0..4),
        da in addr(),
        len in addr(),
    ) {
        let expected = table.iter().find(|e| {
            oracle_inside(u64::from(e.da), u64::from(e.size), da, len)
                && e.sa.checked_add(da - u64::from(e.da)).is_some()
        });
        match da_to_sys(&table, da, len) {
            Ok((sa, e)) => {
                let want = expected.expect("oracle finds an entry");
                prop_assert!(std::ptr::eq(e, want));
                prop_assert_eq!(sa, e.sa + (da - u64::from(e.da)));
            }
            Err(Error::ZeroLength) => prop_assert_eq!(len, 0),
            Err(Error::AddressRangeWraps) => prop_assert!(da.checked_add(len).is_none()),
            Err(Error::AddressNotMapped) => {
                prop_assert!(len > 0 && da.checked_add(len).is_some());
                prop_assert!(expected.is_none());
            }
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }

    #[test]
    fn imx95_table_matches_oracle(da in addr(), len in addr()) {
        let got = da_to_sys(&IMX95_M7_ATT, da, len);
        let expected = IMX95_M7_ATT
            .iter()
            .find(|e| oracle_inside(u64::from(e.da), u64::from(e.size), da, len));
        match (got, expected) {
            (Ok((sa, e)), Some(want)) => {
                prop_assert!(std::ptr::eq(e, want));
                prop_assert_eq!(sa, e.sa + (da - u64::from(e.da)));
            }
            (Err(_), None) => {}
            (got, want) => prop_assert!(false, "got {:?}, oracle {:?}", got, want),
        }
    }

    #[test]
    fn sys_in_regions_matches_oracle(
        regions in proptest::collection::vec(
            (addr(), addr()).prop_map(|(sa, size)| Region { sa, size }), 0..4),
        sa in addr(),
        len in addr(),
    ) {
        let expected = regions
            .iter()
            .position(|r| oracle_inside(r.sa, r.size, sa, len))
            .map(|i| (i, sa - regions[i].sa));
        prop_assert_eq!(sys_in_regions(&regions, sa, len), expected);
    }
}
