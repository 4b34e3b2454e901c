// SPDX-License-Identifier: GPL-2.0

//! The ELF writer (`fw/src/elfw.rs`): what it writes, the reader reads back.

use imx_rproc_fw::elf::{Elf32, PF_R, PF_X, SHDR_SIZE, SHF_ALLOC, SHF_EXECINSTR, SHT_PROGBITS};
use imx_rproc_fw::elfw::*;

fn tiny() -> Image {
    Image {
        header: Header::arm_exec(0x1001),
        segments: vec![Segment::load(0x1000, PF_R | PF_X, vec![1, 2, 3, 4], 8, 4)],
        sections: vec![
            Section::null(),
            Section::new(
                ".text",
                SHT_PROGBITS,
                SHF_ALLOC | SHF_EXECINSTR,
                0x1000,
                4,
                SectionData::InSegment {
                    segment: 0,
                    offset: 0,
                    size: 4,
                },
            ),
            Section::shstrtab(),
        ],
    }
}

#[test]
fn tiny_image_parses() {
    let (bytes, layout) = tiny().serialize().unwrap();
    assert_eq!(layout.len as usize, bytes.len());
    assert_eq!(layout.shstrndx, 2);
    let elf = Elf32::parse(&bytes).unwrap();
    assert_eq!(elf.entry(), 0x1001);
    elf.validate_segments().unwrap();
    let text = elf.find_section(b".text").unwrap().unwrap();
    assert_eq!(text.data, &[1, 2, 3, 4]);
    assert_eq!(text.offset, layout.segment_offsets[0]);
}

#[test]
fn segment_offset_congruent_to_vaddr() {
    let mut img = tiny();
    img.segments[0].p_vaddr = 0x1008;
    img.segments[0].p_align = 8;
    let (_, layout) = img.serialize().unwrap();
    assert_eq!(layout.segment_offsets[0] % 16, 8);
}

#[test]
fn overrides_are_written() {
    let mut img = tiny();
    img.header.e_shstrndx = Some(7);
    img.segments[0].p_filesz = Some(100);
    img.sections[1].sh_size = Some(0x1234);
    let (bytes, layout) = img.serialize().unwrap();
    // The offsets as the ELF specification gives them (System V ABI,
    // "ELF Header", "Program Header", "Sections"; the kernel's
    // include/uapi/linux/elf.h), not the writer's constants: e_shstrndx at
    // 50, p_filesz at 16, sh_size at 20.
    assert_eq!(u16::from_le_bytes([bytes[50], bytes[51]]), 7);
    let p = layout.phoff as usize;
    assert_eq!(&bytes[p + 16..p + 20], &100u32.to_le_bytes());
    let s = layout.shoff as usize + SHDR_SIZE;
    assert_eq!(&bytes[s + 20..s + 24], &0x1234u32.to_le_bytes());
}

#[test]
fn missing_segment_is_an_error() {
    let mut img = tiny();
    img.sections[1].data = SectionData::InSegment {
        segment: 3,
        offset: 0,
        size: 4,
    };
    assert!(matches!(img.serialize(), Err(SerializeError(_))));
}

#[test]
fn strides_space_the_header_tables() {
    let mut img = tiny();
    img.header.e_phentsize = 48;
    img.header.ph_stride = 48;
    img.header.e_shentsize = 64;
    img.header.sh_stride = 64;
    let (bytes, layout) = img.serialize().unwrap();
    assert_eq!(layout.segment_offsets[0] as usize % 16, 0);
    assert!(layout.segment_offsets[0] as usize >= 52 + 48);
    assert_eq!(layout.len as usize, layout.shoff as usize + 3 * 64);
    let elf = Elf32::parse(&bytes).unwrap();
    elf.validate_segments().unwrap();
    let text = elf.find_section(b".text").unwrap().unwrap();
    assert_eq!((text.index, text.data), (1, &[1u8, 2, 3, 4][..]));
    // A stride below the structure's size is raised to it.
    let mut img = tiny();
    img.header.ph_stride = 1;
    img.header.sh_stride = 0;
    assert_eq!(img.serialize().unwrap(), tiny().serialize().unwrap());
}
