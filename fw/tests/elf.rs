// SPDX-License-Identifier: GPL-2.0

//! ELF32 parsing: the reference image, and one malformation per error.

mod common;

use common::{
    eh, ph, sample, sh, Built, ElfBuilder, Seg, EI_CLASS, EI_DATA, EI_VERSION, PT_ARM_EXIDX,
};
use imx_rproc_fw::elf::{load_into, Elf32, LoadSegment, ProgramHeader, PT_LOAD, SHT_NOBITS};
use imx_rproc_fw::error::Error;

fn built() -> Built {
    sample().build()
}

fn parse_err(img: &[u8]) -> Error {
    Elf32::parse(img).expect_err("parse should fail")
}

/// Parses `img` (which must parse) and returns the result of
/// `validate_segments`, after checking that `load_segments` reports the
/// same first error.
fn segments_err(img: &[u8]) -> Error {
    let elf = Elf32::parse(img).expect("header is valid");
    let err = elf.validate_segments().expect_err("segments should fail");
    let first = elf.load_segments().find_map(Result::err);
    assert_eq!(first, Some(err));
    err
}

fn section_err(img: &[u8], name: &[u8]) -> Error {
    Elf32::parse(img)
        .expect("header is valid")
        .find_section(name)
        .expect_err("find_section should fail")
}

// ---------------------------------------------------------------------
// The valid reference image.

#[test]
fn valid_image_parses() {
    let b = built();
    let elf = Elf32::parse(&b.image).unwrap();
    assert_eq!(elf.entry(), 0x101);
    assert_eq!(elf.flags(), 0x0500_0400);
    assert_eq!(elf.phnum(), 3);
    assert_eq!(elf.shnum(), 5);
    assert_eq!(elf.data().len(), b.image.len());
    elf.validate_segments().unwrap();

    let all: Vec<ProgramHeader> = elf.segments().map(Result::unwrap).collect();
    assert_eq!(all.len(), 3);
    assert_eq!(all[1].p_type, PT_ARM_EXIDX);
    assert_eq!(
        all[2],
        ProgramHeader {
            p_type: PT_LOAD,
            p_offset: b.seg_offsets[2] as u32,
            p_vaddr: 0x2000_0000,
            p_paddr: 0x2000_0000,
            p_filesz: 0x40,
            p_memsz: 0x200,
            p_flags: 7,
            p_align: 4,
        }
    );
    assert_eq!(elf.program_header(2), Ok(all[2]));
}

#[test]
fn valid_image_has_two_load_segments() {
    let b = built();
    let elf = Elf32::parse(&b.image).unwrap();
    let segs: Vec<LoadSegment<'_>> = elf.load_segments().map(Result::unwrap).collect();
    let s = sample();
    assert_eq!(
        segs,
        vec![
            LoadSegment {
                index: 0,
                paddr: 0,
                memsz: 0x100,
                filesz: 0x100,
                data: &s.segments[0].data,
            },
            LoadSegment {
                index: 2,
                paddr: 0x2000_0000,
                memsz: 0x200,
                filesz: 0x40,
                data: &s.segments[2].data,
            },
        ]
    );
    // The data is borrowed from the image, not copied.
    let start = b.seg_offsets[2];
    assert!(core::ptr::eq(segs[1].data, &b.image[start..start + 0x40]));
    assert_eq!(elf.load_segment(1), Ok(None));
}

#[test]
fn larger_phentsize_is_accepted() {
    let mut builder = sample();
    builder.phentsize = 48;
    let b = builder.build();
    let elf = Elf32::parse(&b.image).unwrap();
    elf.validate_segments().unwrap();
    assert_eq!(elf.load_segments().count(), 2);
    assert_eq!(elf.program_header(2).unwrap().p_paddr, 0x2000_0000);
}

#[test]
fn program_header_index_out_of_range() {
    let b = built();
    let elf = Elf32::parse(&b.image).unwrap();
    assert_eq!(
        elf.program_header(3),
        Err(Error::SegmentIndexOutOfRange { index: 3 })
    );
    assert_eq!(
        elf.load_segment(usize::MAX),
        Err(Error::SegmentIndexOutOfRange { index: usize::MAX })
    );
}

// ---------------------------------------------------------------------
// File header.

#[test]
fn truncated_header_is_too_short() {
    let b = built();
    for len in 0..52 {
        assert_eq!(parse_err(&b.image[..len]), Error::TooShort, "len {len}");
    }
}

#[test]
fn bad_magic() {
    for i in 0..4 {
        let mut b = built();
        b.image[i] ^= 0x20;
        assert_eq!(parse_err(&b.image), Error::BadMagic);
    }
}

#[test]
fn bad_class() {
    for class in [0, 2, 3, 0xff] {
        let mut b = built();
        b.image[EI_CLASS] = class;
        assert_eq!(parse_err(&b.image), Error::BadClass);
    }
}

#[test]
fn bad_data_encoding() {
    for data in [0, 2, 0xff] {
        let mut b = built();
        b.image[EI_DATA] = data;
        assert_eq!(parse_err(&b.image), Error::BadData);
    }
}

#[test]
fn bad_version() {
    let mut b = built();
    b.image[EI_VERSION] = 0;
    assert_eq!(parse_err(&b.image), Error::BadVersion);
    let mut b = built();
    b.image[EI_VERSION] = 2;
    assert_eq!(parse_err(&b.image), Error::BadVersion);
    let mut b = built();
    b.set_eh32(eh::VERSION, 0);
    assert_eq!(parse_err(&b.image), Error::BadVersion);
    let mut b = built();
    b.set_eh32(eh::VERSION, 0x101);
    assert_eq!(parse_err(&b.image), Error::BadVersion);
}

#[test]
fn bad_type() {
    for t in [0u16, 1, 3, 4, 0xfe00] {
        let mut b = built();
        b.set_eh16(eh::TYPE, t);
        assert_eq!(parse_err(&b.image), Error::BadType, "e_type {t}");
    }
}

#[test]
fn bad_machine() {
    for m in [0u16, 3, 183, 40 + 0x100] {
        let mut b = built();
        b.set_eh16(eh::MACHINE, m);
        assert_eq!(parse_err(&b.image), Error::BadMachine, "e_machine {m}");
    }
}

#[test]
fn bad_ehsize() {
    let mut b = built();
    b.set_eh16(eh::EHSIZE, 51);
    assert_eq!(parse_err(&b.image), Error::BadEhSize);
    b.set_eh16(eh::EHSIZE, 0);
    assert_eq!(parse_err(&b.image), Error::BadEhSize);
    b.set_eh16(eh::EHSIZE, 64);
    assert!(Elf32::parse(&b.image).is_ok());
}

#[test]
fn phentsize_too_small() {
    for size in [0u16, 1, 31] {
        let mut b = built();
        b.set_eh16(eh::PHENTSIZE, size);
        assert_eq!(parse_err(&b.image), Error::PhEntSizeTooSmall);
    }
}

#[test]
fn no_segments() {
    let mut b = built();
    b.set_eh16(eh::PHNUM, 0);
    assert_eq!(parse_err(&b.image), Error::NoSegments);
}

#[test]
fn extended_phnum_is_too_many_segments() {
    let mut b = built();
    b.set_eh16(eh::PHNUM, 0xffff);
    assert_eq!(parse_err(&b.image), Error::TooManySegments);
}

#[test]
fn phoff_beyond_file() {
    let mut b = built();
    let len = b.image.len() as u32;
    for off in [len + 1, 0x8000_0000, u32::MAX] {
        b.set_eh32(eh::PHOFF, off);
        assert_eq!(
            parse_err(&b.image),
            Error::PhOffOutOfFile,
            "e_phoff {off:#x}"
        );
    }
    // At the very end of the file the offset is fine but the table is not.
    b.set_eh32(eh::PHOFF, len);
    assert_eq!(parse_err(&b.image), Error::PhTableOutOfFile);
}

#[test]
fn ph_table_overflow() {
    // e_phoff + e_phnum * e_phentsize must overflow 32 bits while e_phoff
    // is still inside the file: 0xfffe * 0xffff = 0xfffd_0002, so the file
    // must be at least 0x3_0000 bytes long.
    let mut b = built();
    b.image.resize(0x3_0000, 0);
    b.set_eh32(eh::PHOFF, 0x3_0000);
    b.set_eh16(eh::PHNUM, 0xfffe);
    b.set_eh16(eh::PHENTSIZE, 0xffff);
    assert_eq!(parse_err(&b.image), Error::PhTableOverflow);
    // One byte less does not overflow, and is simply out of the file.
    b.set_eh32(eh::PHOFF, 0x2_fffd);
    assert_eq!(parse_err(&b.image), Error::PhTableOutOfFile);
}

#[test]
fn ph_table_beyond_file() {
    let mut b = built();
    b.set_eh16(eh::PHNUM, 0xfff0);
    assert_eq!(parse_err(&b.image), Error::PhTableOutOfFile);

    // Truncating the file inside the program-header table.
    let b = built();
    let end = b.ph(3);
    assert!(Elf32::parse(&b.image[..end]).is_ok());
    assert_eq!(parse_err(&b.image[..end - 1]), Error::PhTableOutOfFile);
    assert_eq!(parse_err(&b.image[..52]), Error::PhTableOutOfFile);
}

// ---------------------------------------------------------------------
// Program headers / segments.

#[test]
fn segment_beyond_file() {
    let mut b = built();
    let len = b.image.len() as u32;
    // p_offset + p_filesz one byte past the end.
    b.set_ph(2, ph::OFFSET, len - 0x3f);
    assert_eq!(segments_err(&b.image), Error::SegmentOutOfFile { index: 2 });
    // Ending exactly at the end of the file is fine.
    b.set_ph(2, ph::OFFSET, len - 0x40);
    let elf = Elf32::parse(&b.image).unwrap();
    elf.validate_segments().unwrap();
    let seg = elf.load_segment(2).unwrap().unwrap();
    assert_eq!(seg.data, &b.image[b.image.len() - 0x40..]);
    // Offset itself beyond the file.
    b.set_ph(0, ph::OFFSET, len + 1);
    assert_eq!(segments_err(&b.image), Error::SegmentOutOfFile { index: 0 });
}

#[test]
fn segment_offset_wraps() {
    let mut b = built();
    b.set_ph(2, ph::OFFSET, 0xffff_fff0);
    assert_eq!(segments_err(&b.image), Error::SegmentOutOfFile { index: 2 });
    let mut b = built();
    b.set_ph(0, ph::OFFSET, u32::MAX);
    b.set_ph(0, ph::FILESZ, u32::MAX);
    b.set_ph(0, ph::MEMSZ, u32::MAX);
    b.set_ph(0, ph::PADDR, 0);
    assert_eq!(segments_err(&b.image), Error::SegmentOutOfFile { index: 0 });
}

#[test]
fn filesz_exceeds_memsz() {
    let mut b = built();
    b.set_ph(2, ph::MEMSZ, 0x3f);
    assert_eq!(
        segments_err(&b.image),
        Error::FileSizeExceedsMemSize { index: 2 }
    );
    // A segment with file bytes but no memory size is not silently skipped.
    b.set_ph(2, ph::MEMSZ, 0);
    assert_eq!(
        segments_err(&b.image),
        Error::FileSizeExceedsMemSize { index: 2 }
    );
}

#[test]
fn segment_address_wraps() {
    let mut b = built();
    b.set_ph(2, ph::PADDR, 0xffff_ff00);
    b.set_ph(2, ph::MEMSZ, 0x101);
    assert_eq!(
        segments_err(&b.image),
        Error::SegmentAddressWraps { index: 2 }
    );
    let mut b = built();
    b.set_ph(0, ph::PADDR, u32::MAX);
    assert_eq!(
        segments_err(&b.image),
        Error::SegmentAddressWraps { index: 0 }
    );
    // Ending exactly at 4 GiB is allowed.
    let mut b = built();
    b.set_ph(2, ph::PADDR, 0xffff_ff00);
    b.set_ph(2, ph::MEMSZ, 0x100);
    let elf = Elf32::parse(&b.image).unwrap();
    elf.validate_segments().unwrap();
}

#[test]
fn first_bad_segment_is_reported() {
    let mut b = built();
    b.set_ph(2, ph::MEMSZ, 0);
    b.set_ph(0, ph::PADDR, u32::MAX);
    assert_eq!(
        segments_err(&b.image),
        Error::SegmentAddressWraps { index: 0 }
    );
}

#[test]
fn bss_only_segment_does_not_read_the_file() {
    let mut builder = sample();
    builder.segments.push(Seg {
        p_type: PT_LOAD,
        paddr: 0x2000_1000,
        data: vec![],
        memsz: 0x800,
    });
    let mut b = builder.build();
    b.set_ph(3, ph::OFFSET, u32::MAX);
    let elf = Elf32::parse(&b.image).unwrap();
    elf.validate_segments().unwrap();
    let seg = elf.load_segment(3).unwrap().unwrap();
    assert_eq!((seg.filesz, seg.memsz, seg.data.len()), (0, 0x800, 0));
}

#[test]
fn empty_and_non_load_segments_are_skipped() {
    let mut b = built();
    // An empty PT_LOAD with a bogus offset and address.
    b.set_ph(0, ph::FILESZ, 0);
    b.set_ph(0, ph::MEMSZ, 0);
    b.set_ph(0, ph::OFFSET, u32::MAX);
    b.set_ph(0, ph::PADDR, u32::MAX);
    // A non-load header with garbage everywhere.
    b.set_ph(1, ph::OFFSET, u32::MAX);
    b.set_ph(1, ph::FILESZ, u32::MAX);
    b.set_ph(1, ph::MEMSZ, 1);
    let elf = Elf32::parse(&b.image).unwrap();
    elf.validate_segments().unwrap();
    let idx: Vec<usize> = elf.load_segments().map(|s| s.unwrap().index).collect();
    assert_eq!(idx, vec![2]);
}

#[test]
fn no_load_segments() {
    let mut b = built();
    b.set_ph(0, ph::TYPE, PT_ARM_EXIDX);
    b.set_ph(2, ph::TYPE, 4 /* PT_NOTE */);
    let elf = Elf32::parse(&b.image).unwrap();
    assert_eq!(elf.validate_segments(), Err(Error::NoLoadSegments));
    assert_eq!(elf.load_segments().count(), 0);
}

// ---------------------------------------------------------------------
// load_into

#[test]
fn load_into_copies_and_zero_fills_the_tail() {
    let b = built();
    let elf = Elf32::parse(&b.image).unwrap();
    let seg = elf.load_segment(2).unwrap().unwrap();
    let mut dst = vec![0xaa; 0x200];
    load_into(&seg, &mut dst).unwrap();
    assert_eq!(&dst[..0x40], &sample().segments[2].data[..]);
    assert!(dst[0x40..].iter().all(|&b| b == 0));
}

#[test]
fn load_into_exact_segment() {
    let b = built();
    let elf = Elf32::parse(&b.image).unwrap();
    let seg = elf.load_segment(0).unwrap().unwrap();
    let mut dst = vec![0xaa; 0x100];
    load_into(&seg, &mut dst).unwrap();
    assert_eq!(dst, sample().segments[0].data);
}

#[test]
fn load_into_bss_only() {
    let seg = LoadSegment {
        index: 4,
        paddr: 0x2000_0000,
        memsz: 16,
        filesz: 0,
        data: &[],
    };
    let mut dst = [0x55u8; 16];
    load_into(&seg, &mut dst).unwrap();
    assert_eq!(dst, [0; 16]);
}

#[test]
fn load_into_rejects_wrong_destination_size() {
    let b = built();
    let elf = Elf32::parse(&b.image).unwrap();
    let seg = elf.load_segment(2).unwrap().unwrap();
    for len in [0, 0x40, 0x1ff, 0x201] {
        let mut dst = vec![0xaa; len];
        assert_eq!(
            load_into(&seg, &mut dst),
            Err(Error::DestinationSizeMismatch { index: 2 })
        );
        assert!(dst.iter().all(|&b| b == 0xaa), "destination untouched");
    }
}

#[test]
fn load_into_rejects_inconsistent_hand_made_segment() {
    let data = [1u8; 8];
    let seg = LoadSegment {
        index: 1,
        paddr: 0,
        memsz: 4,
        filesz: 8,
        data: &data,
    };
    let mut dst = [0u8; 4];
    assert_eq!(
        load_into(&seg, &mut dst),
        Err(Error::FileSizeExceedsMemSize { index: 1 })
    );
}

// ---------------------------------------------------------------------
// Sections.

#[test]
fn section_found_by_name() {
    let b = built();
    let elf = Elf32::parse(&b.image).unwrap();
    let rt = elf.find_section(b".resource_table").unwrap().unwrap();
    assert_eq!(rt.index, 2);
    assert_eq!(rt.addr, 0x2000_0100);
    assert_eq!(rt.offset as usize, b.sec_offsets[1]);
    assert_eq!(rt.size, 0x30);
    assert_eq!(rt.data, &sample().sections.unwrap()[1].data[..]);

    let text = elf.find_section(b".text").unwrap().unwrap();
    assert_eq!((text.index, text.size), (1, 0x20));
    let strtab = elf.find_section(b".shstrtab").unwrap().unwrap();
    assert_eq!(strtab.index, b.shstrndx);
}

#[test]
fn nobits_section_has_no_data_and_unchecked_offset() {
    let mut b = built();
    b.set_sh(3, sh::OFFSET, u32::MAX);
    let elf = Elf32::parse(&b.image).unwrap();
    let bss = elf.find_section(b".bss").unwrap().unwrap();
    assert_eq!(bss.sh_type, SHT_NOBITS);
    assert_eq!(bss.size, 0x1c0);
    assert!(bss.data.is_empty());
}

#[test]
fn section_not_found() {
    let b = built();
    let elf = Elf32::parse(&b.image).unwrap();
    assert_eq!(elf.find_section(b".resource"), Ok(None));
    assert_eq!(elf.find_section(b".resource_table\0"), Ok(None));
    assert_eq!(elf.find_section(b".resource_tablex"), Ok(None));
}

#[test]
fn no_section_headers() {
    let mut builder = sample();
    builder.sections = None;
    let b = builder.build();
    let elf = Elf32::parse(&b.image).unwrap();
    assert_eq!(elf.find_section(b".resource_table"), Ok(None));

    // e_shnum == 0 makes the other section fields irrelevant.
    let mut b = built();
    b.set_eh16(eh::SHNUM, 0);
    b.set_eh32(eh::SHOFF, u32::MAX);
    b.set_eh16(eh::SHENTSIZE, 0);
    let elf = Elf32::parse(&b.image).unwrap();
    assert_eq!(elf.find_section(b".resource_table"), Ok(None));
}

#[test]
fn no_section_name_table() {
    let mut b = built();
    b.set_eh16(eh::SHSTRNDX, 0);
    let elf = Elf32::parse(&b.image).unwrap();
    assert_eq!(elf.find_section(b".resource_table"), Ok(None));
}

#[test]
fn shentsize_too_small() {
    let mut b = built();
    b.set_eh16(eh::SHENTSIZE, 39);
    assert_eq!(
        section_err(&b.image, b".resource_table"),
        Error::ShEntSizeTooSmall
    );
}

#[test]
fn shoff_beyond_file() {
    let mut b = built();
    let len = b.image.len() as u32;
    b.set_eh32(eh::SHOFF, len + 1);
    assert_eq!(section_err(&b.image, b".text"), Error::ShOffOutOfFile);
    b.set_eh32(eh::SHOFF, u32::MAX);
    assert_eq!(section_err(&b.image, b".text"), Error::ShOffOutOfFile);
}

#[test]
fn sh_table_overflow() {
    let mut b = built();
    b.image.resize(0x3_0000, 0);
    b.set_eh32(eh::SHOFF, 0x3_0000);
    b.set_eh16(eh::SHNUM, 0xfffe);
    b.set_eh16(eh::SHENTSIZE, 0xffff);
    b.set_eh16(eh::SHSTRNDX, 1);
    assert_eq!(section_err(&b.image, b".text"), Error::ShTableOverflow);
}

#[test]
fn sh_table_beyond_file() {
    let b = built();
    // Truncate the last byte of the section-header table.
    let img = &b.image[..b.image.len() - 1];
    assert_eq!(section_err(img, b".text"), Error::ShTableOutOfFile);
    let mut b = built();
    b.set_eh16(eh::SHNUM, 6);
    assert_eq!(section_err(&b.image, b".text"), Error::ShTableOutOfFile);
}

#[test]
fn bad_shstrndx() {
    let mut b = built();
    b.set_eh16(eh::SHSTRNDX, b.shnum as u16);
    assert_eq!(section_err(&b.image, b".text"), Error::BadShStrNdx);
    b.set_eh16(eh::SHSTRNDX, 0xffff);
    assert_eq!(section_err(&b.image, b".text"), Error::BadShStrNdx);
}

#[test]
fn shstrtab_bad_type() {
    let mut b = built();
    // Point e_shstrndx at .text (SHT_PROGBITS).
    b.set_eh16(eh::SHSTRNDX, 1);
    assert_eq!(section_err(&b.image, b".text"), Error::ShStrTabBadType);
    // A NOBITS string table is rejected too.
    let mut b = built();
    let i = b.shstrndx;
    b.set_sh(i, sh::TYPE, SHT_NOBITS);
    assert_eq!(section_err(&b.image, b".text"), Error::ShStrTabBadType);
}

#[test]
fn shstrtab_beyond_file() {
    let mut b = built();
    let i = b.shstrndx;
    let len = b.image.len() as u32;
    b.set_sh(i, sh::OFFSET, len - 1);
    assert_eq!(section_err(&b.image, b".text"), Error::ShStrTabOutOfFile);
    let mut b = built();
    b.set_sh(i, sh::OFFSET, 16);
    b.set_sh(i, sh::SIZE, u32::MAX);
    assert_eq!(section_err(&b.image, b".text"), Error::ShStrTabOutOfFile);
}

#[test]
fn section_name_outside_table() {
    let mut b = built();
    let size = b.shstrtab_size as u32;
    b.set_sh(1, sh::NAME, size);
    assert_eq!(
        section_err(&b.image, b".resource_table"),
        Error::SectionNameOutOfTable { index: 1 }
    );
    b.set_sh(1, sh::NAME, u32::MAX);
    assert_eq!(
        section_err(&b.image, b".resource_table"),
        Error::SectionNameOutOfTable { index: 1 }
    );
    // The last byte of the table is still inside it (the final NUL).
    b.set_sh(1, sh::NAME, size - 1);
    assert!(Elf32::parse(&b.image)
        .unwrap()
        .find_section(b".resource_table")
        .unwrap()
        .is_some());
}

#[test]
fn section_name_unterminated() {
    let mut b = built();
    let i = b.shstrndx;
    // Drop the final NUL of ".shstrtab" and point .text's name at it.
    let size = b.shstrtab_size as u32;
    b.set_sh(i, sh::SIZE, size - 1);
    let shstrtab_name = common::get_u32(&b.image, b.sh(i) + sh::NAME);
    b.set_sh(1, sh::NAME, shstrtab_name);
    assert_eq!(
        section_err(&b.image, b".resource_table"),
        Error::SectionNameUnterminated { index: 1 }
    );
    // Sections after the match are not examined.
    let mut b = built();
    b.set_sh(i, sh::SIZE, size - 1);
    assert!(Elf32::parse(&b.image)
        .unwrap()
        .find_section(b".resource_table")
        .unwrap()
        .is_some());
    assert_eq!(
        section_err(&b.image, b".nope"),
        Error::SectionNameUnterminated { index: i }
    );
}

#[test]
fn section_beyond_file() {
    let mut b = built();
    let len = b.image.len() as u32;
    b.set_sh(2, sh::OFFSET, len - 0x2f);
    assert_eq!(
        section_err(&b.image, b".resource_table"),
        Error::SectionOutOfFile { index: 2 }
    );
    b.set_sh(2, sh::OFFSET, len - 0x30);
    assert!(Elf32::parse(&b.image)
        .unwrap()
        .find_section(b".resource_table")
        .unwrap()
        .is_some());
    b.set_sh(2, sh::OFFSET, 0xffff_fff0);
    b.set_sh(2, sh::SIZE, 0x20);
    assert_eq!(
        section_err(&b.image, b".resource_table"),
        Error::SectionOutOfFile { index: 2 }
    );
    // Other sections are still found.
    assert!(Elf32::parse(&b.image)
        .unwrap()
        .find_section(b".text")
        .unwrap()
        .is_some());
}

#[test]
fn null_sections_are_ignored() {
    let mut b = built();
    // Garbage in the SHT_NULL entry 0 does not matter.
    b.set_sh(0, sh::NAME, u32::MAX);
    b.set_sh(0, sh::OFFSET, u32::MAX);
    b.set_sh(0, sh::SIZE, u32::MAX);
    let elf = Elf32::parse(&b.image).unwrap();
    assert!(elf.find_section(b".resource_table").unwrap().is_some());
}

#[test]
fn larger_shentsize_is_accepted() {
    let mut builder: ElfBuilder = sample();
    builder.shentsize = 64;
    let b = builder.build();
    let elf = Elf32::parse(&b.image).unwrap();
    let rt = elf.find_section(b".resource_table").unwrap().unwrap();
    assert_eq!((rt.index, rt.size), (2, 0x30));
}
