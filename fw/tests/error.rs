// SPDX-License-Identifier: GPL-2.0

//! Error codes and descriptions.

use imx_rproc_fw::error::{Error, Kind};

/// Every variant, once. `exhaustive` below fails to compile when a variant
/// is added without being listed here.
const ALL: [Error; 62] = [
    Error::TooShort,
    Error::BadMagic,
    Error::BadClass,
    Error::BadData,
    Error::BadVersion,
    Error::BadType,
    Error::BadMachine,
    Error::BadEhSize,
    Error::PhEntSizeTooSmall,
    Error::NoSegments,
    Error::TooManySegments,
    Error::PhOffOutOfFile,
    Error::PhTableOverflow,
    Error::PhTableOutOfFile,
    Error::SegmentIndexOutOfRange { index: 0 },
    Error::SegmentOutOfFile { index: 0 },
    Error::FileSizeExceedsMemSize { index: 0 },
    Error::SegmentAddressWraps { index: 0 },
    Error::NoLoadSegments,
    Error::SegmentNotMapped {
        index: 0,
        da: 0,
        len: 0,
    },
    Error::DestinationSizeMismatch { index: 0 },
    Error::ShEntSizeTooSmall,
    Error::ShOffOutOfFile,
    Error::ShTableOverflow,
    Error::ShTableOutOfFile,
    Error::BadShStrNdx,
    Error::ShStrTabBadType,
    Error::ShStrTabOutOfFile,
    Error::SectionNameOutOfTable { index: 0 },
    Error::SectionNameUnterminated { index: 0 },
    Error::SectionOutOfFile { index: 0 },
    Error::ZeroLength,
    Error::AddressRangeWraps,
    Error::AddressNotMapped,
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
    Error::VectorTableNotLoaded { addr: 0 },
    Error::BadInitialSp { sp: 0 },
    Error::ResetHandlerNotThumb { pc: 0 },
    Error::ResetHandlerNotLoaded { pc: 0 },
];

/// Position of `e` in `ALL`; the `match` has no wildcard on purpose.
fn exhaustive(e: Error) -> usize {
    match e {
        Error::TooShort => 0,
        Error::BadMagic => 1,
        Error::BadClass => 2,
        Error::BadData => 3,
        Error::BadVersion => 4,
        Error::BadType => 5,
        Error::BadMachine => 6,
        Error::BadEhSize => 7,
        Error::PhEntSizeTooSmall => 8,
        Error::NoSegments => 9,
        Error::TooManySegments => 10,
        Error::PhOffOutOfFile => 11,
        Error::PhTableOverflow => 12,
        Error::PhTableOutOfFile => 13,
        Error::SegmentIndexOutOfRange { .. } => 14,
        Error::SegmentOutOfFile { .. } => 15,
        Error::FileSizeExceedsMemSize { .. } => 16,
        Error::SegmentAddressWraps { .. } => 17,
        Error::NoLoadSegments => 18,
        Error::SegmentNotMapped { .. } => 19,
        Error::DestinationSizeMismatch { .. } => 20,
        Error::ShEntSizeTooSmall => 21,
        Error::ShOffOutOfFile => 22,
        Error::ShTableOverflow => 23,
        Error::ShTableOutOfFile => 24,
        Error::BadShStrNdx => 25,
        Error::ShStrTabBadType => 26,
        Error::ShStrTabOutOfFile => 27,
        Error::SectionNameOutOfTable { .. } => 28,
        Error::SectionNameUnterminated { .. } => 29,
        Error::SectionOutOfFile { .. } => 30,
        Error::ZeroLength => 31,
        Error::AddressRangeWraps => 32,
        Error::AddressNotMapped => 33,
        Error::RscTooShort => 34,
        Error::RscBadVersion => 35,
        Error::RscReservedNotZero => 36,
        Error::RscTooManyEntries => 37,
        Error::RscOffsetTableOutOfBounds => 38,
        Error::RscOffsetOutOfBounds { .. } => 39,
        Error::RscOffsetMisaligned { .. } => 40,
        Error::RscEntriesOverlap { .. } => 41,
        Error::RscEntryTruncated { .. } => 42,
        Error::RscUnknownType { .. } => 43,
        Error::RscEntryReservedNotZero { .. } => 44,
        Error::RscVdevTooManyVrings { .. } => 45,
        Error::RscVdevReservedNotZero { .. } => 46,
        Error::RscVdevConfigOverflow { .. } => 47,
        Error::RscVringNumInvalid { .. } => 48,
        Error::RscVringAlignInvalid { .. } => 49,
        Error::RscVringDaOutOfRange { .. } => 50,
        Error::RscDuplicateNotifyId { .. } => 51,
        Error::RscTraceInvalid { .. } => 52,
        Error::RscCarveoutInvalid { .. } => 53,
        Error::RscDevmemInvalid { .. } => 54,
        Error::RscNameUnterminated { .. } => 55,
        Error::RscNameFormat { .. } => 56,
        Error::RscTableTooLarge => 57,
        Error::VectorTableNotLoaded { .. } => 58,
        Error::BadInitialSp { .. } => 59,
        Error::ResetHandlerNotThumb { .. } => 60,
        Error::ResetHandlerNotLoaded { .. } => 61,
    }
}

#[test]
fn all_variants_listed_once() {
    for (i, e) in ALL.iter().enumerate() {
        assert_eq!(exhaustive(*e), i, "{e:?}");
    }
}

#[test]
fn kind_mapping() {
    for e in ALL {
        let expected = match e {
            Error::AddressNotMapped => Kind::NotMapped,
            Error::SegmentAddressWraps { .. }
            | Error::AddressRangeWraps
            | Error::RscVringDaOutOfRange { .. } => Kind::OutOfRange,
            Error::RscTooManyEntries => Kind::TooManyEntries,
            Error::RscTableTooLarge => Kind::TooLarge,
            _ => Kind::Invalid,
        };
        assert_eq!(e.kind(), expected, "{e:?}");
    }
}

#[test]
fn descriptions_are_distinct_and_plain() {
    for (i, a) in ALL.iter().enumerate() {
        let d = a.describe();
        assert!(!d.is_empty() && d.len() < 64, "{a:?}: {d:?}");
        assert!(d.is_ascii() && !d.ends_with('.') && !d.contains('\n'));
        for b in &ALL[i + 1..] {
            assert_ne!(d, b.describe(), "{a:?} and {b:?}");
        }
    }
}

#[test]
fn fields_do_not_change_code_or_description() {
    let a = Error::SegmentNotMapped {
        index: 7,
        da: 0x1000,
        len: 4,
    };
    let b = Error::SegmentNotMapped {
        index: 0,
        da: 0,
        len: 0,
    };
    assert_ne!(a, b);
    assert_eq!(a.kind(), b.kind());
    assert_eq!(a.describe(), b.describe());
}
