// SPDX-License-Identifier: GPL-2.0

//! Address translation: the i.MX95 M7 table, inclusive region ends,
//! overflow and zero-length handling.

use imx_rproc_fw::att::{
    da_to_sys, map_segment, sys_in_regions, AttEntry, Region, ATT_IOMEM, ATT_OWN, IMX95_M7_ATT,
};
use imx_rproc_fw::elf::LoadSegment;
use imx_rproc_fw::error::{Error, Kind};

const T: &[AttEntry] = &IMX95_M7_ATT;

fn sys(da: u64, len: u64) -> Result<u64, Error> {
    da_to_sys(T, da, len).map(|(sa, _)| sa)
}

#[test]
fn imx95_table() {
    assert_eq!(ATT_OWN, 0x8000_0000);
    assert_eq!(ATT_IOMEM, 0x4000_0000);
    assert_eq!(
        IMX95_M7_ATT,
        [
            AttEntry {
                da: 0,
                sa: 0x203c_0000,
                size: 0x4_0000,
                flags: ATT_OWN | ATT_IOMEM
            },
            AttEntry {
                da: 0x2000_0000,
                sa: 0x2040_0000,
                size: 0x4_0000,
                flags: ATT_OWN | ATT_IOMEM
            },
            AttEntry {
                da: 0x8000_0000,
                sa: 0x8000_0000,
                size: 0x5000_0000,
                flags: 0
            },
        ]
    );
}

#[test]
fn itcm_translation() {
    let (sa, e) = da_to_sys(T, 0x100, 0x10).unwrap();
    assert_eq!(sa, 0x203c_0100);
    assert_eq!(e, &IMX95_M7_ATT[0]);
    assert_eq!(e.flags & ATT_IOMEM, ATT_IOMEM);
    assert_eq!(sys(0, 1), Ok(0x203c_0000));
}

#[test]
fn dtcm_translation() {
    let (sa, e) = da_to_sys(T, 0x2000_1000, 0x200).unwrap();
    assert_eq!(sa, 0x2040_1000);
    assert_eq!(e, &IMX95_M7_ATT[1]);
}

#[test]
fn ddr_identity_translation() {
    let (sa, e) = da_to_sys(T, 0x8800_0000, 0x10_0000).unwrap();
    assert_eq!(sa, 0x8800_0000);
    assert_eq!(e.flags, 0);
    assert_eq!(sys(0x8000_0000, 0x5000_0000), Ok(0x8000_0000));
}

#[test]
fn range_ending_exactly_at_region_end_is_accepted() {
    // The C driver's strict `<` rejects all of these.
    assert_eq!(sys(0x3_f000, 0x1000), Ok(0x203f_f000));
    assert_eq!(sys(0, 0x4_0000), Ok(0x203c_0000));
    assert_eq!(sys(0x2003_ffff, 1), Ok(0x2043_ffff));
    assert_eq!(sys(0xcfff_fff0, 0x10), Ok(0xcfff_fff0));
}

#[test]
fn one_byte_past_region_end_is_rejected() {
    assert_eq!(sys(0x3_f000, 0x1001), Err(Error::AddressNotMapped));
    assert_eq!(sys(0, 0x4_0001), Err(Error::AddressNotMapped));
    assert_eq!(sys(0x4_0000, 1), Err(Error::AddressNotMapped));
    assert_eq!(sys(0x2003_ffff, 2), Err(Error::AddressNotMapped));
    assert_eq!(sys(0xcfff_fff0, 0x11), Err(Error::AddressNotMapped));
    assert_eq!(sys(0xd000_0000, 1), Err(Error::AddressNotMapped));
}

#[test]
fn range_starting_before_region_is_rejected() {
    assert_eq!(sys(0x1fff_ffff, 2), Err(Error::AddressNotMapped));
    assert_eq!(sys(0x7fff_ffff, 2), Err(Error::AddressNotMapped));
    assert_eq!(sys(0x1000_0000, 1), Err(Error::AddressNotMapped));
}

#[test]
fn range_spanning_two_regions_is_rejected() {
    let table = [
        AttEntry {
            da: 0,
            sa: 0x1000,
            size: 0x100,
            flags: 0,
        },
        AttEntry {
            da: 0x100,
            sa: 0x1100,
            size: 0x100,
            flags: 0,
        },
    ];
    assert_eq!(da_to_sys(&table, 0xf0, 0x20), Err(Error::AddressNotMapped));
    assert_eq!(da_to_sys(&table, 0x100, 0x100), Ok((0x1100, &table[1])));
}

#[test]
fn da_plus_len_overflow_is_rejected() {
    assert_eq!(sys(u64::MAX, 1), Err(Error::AddressRangeWraps));
    assert_eq!(sys(u64::MAX - 1, 2), Err(Error::AddressRangeWraps));
    assert_eq!(sys(1, u64::MAX), Err(Error::AddressRangeWraps));
    // A huge length that does not wrap is simply not mapped.
    assert_eq!(sys(0, u64::MAX), Err(Error::AddressNotMapped));
    assert_eq!(sys(u64::MAX - 1, 1), Err(Error::AddressNotMapped));
}

#[test]
fn zero_length_is_rejected() {
    assert_eq!(sys(0x100, 0), Err(Error::ZeroLength));
    assert_eq!(sys(u64::MAX, 0), Err(Error::ZeroLength));
}

#[test]
fn system_address_overflow_is_not_mapped() {
    let table = [AttEntry {
        da: 0x1000,
        sa: u64::MAX - 0xf,
        size: 0x100,
        flags: 0,
    }];
    assert_eq!(
        da_to_sys(&table, 0x1000, 1),
        Ok((u64::MAX - 0xf, &table[0]))
    );
    assert_eq!(da_to_sys(&table, 0x100f, 1), Ok((u64::MAX, &table[0])));
    assert_eq!(da_to_sys(&table, 0x1010, 1), Err(Error::AddressNotMapped));
}

#[test]
fn empty_table_maps_nothing() {
    assert_eq!(da_to_sys(&[], 0, 1), Err(Error::AddressNotMapped));
}

#[test]
fn entry_offset_of() {
    let e = IMX95_M7_ATT[1];
    assert_eq!(e.offset_of(0x2000_0000, 0x4_0000), Some(0));
    assert_eq!(e.offset_of(0x2000_0010, 0x3_fff0), Some(0x10));
    assert_eq!(e.offset_of(0x2000_0010, 0x3_fff1), None);
    assert_eq!(e.offset_of(0x2000_0010, 0), None);
    assert_eq!(e.offset_of(u64::MAX, 1), None);
}

#[test]
fn map_segment_translates_whole_segment() {
    let seg = LoadSegment {
        index: 2,
        paddr: 0x2000_0000,
        memsz: 0x4_0000,
        filesz: 0x40,
        data: &[0; 0x40],
    };
    assert_eq!(map_segment(T, &seg), Ok((0x2040_0000, &IMX95_M7_ATT[1])));
}

#[test]
fn map_segment_reports_unmapped_segment() {
    let seg = LoadSegment {
        index: 3,
        paddr: 0x2000_0000,
        memsz: 0x4_0001,
        filesz: 0,
        data: &[],
    };
    let err = map_segment(T, &seg).unwrap_err();
    assert_eq!(
        err,
        Error::SegmentNotMapped {
            index: 3,
            da: 0x2000_0000,
            len: 0x4_0001
        }
    );
    assert_eq!(err.kind(), Kind::Invalid);

    let empty = LoadSegment { memsz: 0, ..seg };
    assert!(matches!(
        map_segment(T, &empty),
        Err(Error::SegmentNotMapped { index: 3, .. })
    ));
}

#[test]
fn sys_in_regions_inclusive_bounds() {
    let regions = [
        Region {
            sa: 0x9000_0000,
            size: 0x10_0000,
        },
        Region {
            sa: 0xa000_0000,
            size: 0x1000,
        },
    ];
    assert_eq!(
        sys_in_regions(&regions, 0x9000_0000, 0x10_0000),
        Some((0, 0))
    );
    assert_eq!(
        sys_in_regions(&regions, 0x900f_f000, 0x1000),
        Some((0, 0xf_f000))
    );
    assert_eq!(sys_in_regions(&regions, 0x900f_f000, 0x1001), None);
    assert_eq!(sys_in_regions(&regions, 0xa000_0fff, 1), Some((1, 0xfff)));
    assert_eq!(sys_in_regions(&regions, 0xa000_0fff, 2), None);
    assert_eq!(sys_in_regions(&regions, 0x8fff_ffff, 2), None);
    assert_eq!(sys_in_regions(&regions, 0x9000_0000, 0), None);
    assert_eq!(sys_in_regions(&regions, u64::MAX, 1), None);
    assert_eq!(sys_in_regions(&regions, 0x9000_0000, u64::MAX), None);
    assert_eq!(sys_in_regions(&[], 0x9000_0000, 1), None);
}

#[test]
fn sys_in_regions_overflowing_region() {
    let regions = [
        Region {
            sa: u64::MAX - 0xff,
            size: 0x1000,
        },
        Region {
            sa: u64::MAX - 0x1ff,
            size: 0x200,
        },
        Region {
            sa: u64::MAX - 0x1ff,
            size: 0x100,
        },
    ];
    // The first region's end overflows, so it is never matched; the second
    // ends at 2^64, which is not representable either.
    assert_eq!(
        sys_in_regions(&regions, u64::MAX - 0x1ff, 0x100),
        Some((2, 0))
    );
    assert_eq!(
        sys_in_regions(&regions, u64::MAX - 0x100, 1),
        Some((2, 0xff))
    );
    assert_eq!(sys_in_regions(&regions, u64::MAX - 0xff, 1), None);
    assert_eq!(sys_in_regions(&regions, u64::MAX, 1), None);
}
