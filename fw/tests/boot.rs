// SPDX-License-Identifier: GPL-2.0

//! Reset-vector derivation and its checks.

mod common;

use common::{put_u32, sample, ElfBuilder, Sec, Seg, SHT_PROGBITS};
use imx_rproc_fw::{
    boot::{reset_vector, VectorSource},
    elf::{Elf32, PT_LOAD},
    error::Error,
};

/// A DDR image as a Zephyr link makes it: vector table at 0x80000000
/// (SP, reset handler 0x80000401), entry = the reset handler.
fn ddr(sp: u32, pc: u32, entry: u32, sections: Option<Vec<Sec>>) -> ElfBuilder {
    let mut code = vec![0u8; 0x800];
    put_u32(&mut code, 0, sp);
    put_u32(&mut code, 4, pc);
    ElfBuilder {
        entry,
        phentsize: 32,
        shentsize: 40,
        segments: vec![
            Seg {
                p_type: PT_LOAD,
                paddr: 0x8000_0000,
                data: code,
                memsz: 0x800,
            },
            Seg {
                p_type: PT_LOAD,
                paddr: 0x8001_0000,
                data: vec![1; 0x10],
                memsz: 0x1000,
            },
        ],
        sections,
    }
}

fn vector_of(b: &ElfBuilder) -> Result<imx_rproc_fw::boot::ResetVector, Error> {
    let built = b.build();
    let elf = Elf32::parse(&built.image).expect("valid image");
    reset_vector(&elf)
}

fn sec(name: &[u8], addr: u32) -> Sec {
    Sec {
        name: name.to_vec(),
        sh_type: SHT_PROGBITS,
        addr,
        data: vec![0; 8],
    }
}

#[test]
fn masked_entry_as_upstream() {
    let v = vector_of(&ddr(0x8001_0800, 0x8000_0401, 0x8000_0401, Some(vec![]))).unwrap();
    assert_eq!(v.addr, 0x8000_0000);
    assert_eq!(v.source, VectorSource::MaskedEntry);
    assert_eq!(v.initial_sp, 0x8001_0800);
    assert!(v.entry_matches);
}

#[test]
fn masked_entry_is_masked_to_64k_only() {
    // A second vector table at the next 64 KiB boundary, the entry in it:
    // a coarser mask (1 MiB) would pick the table at 0x80000000 instead.
    let mut b = ddr(0x8001_0800, 0x8000_0401, 0x8001_0009, Some(vec![]));
    put_u32(&mut b.segments[1].data, 0, 0x8001_0800);
    put_u32(&mut b.segments[1].data, 4, 0x8001_0009);
    let v = vector_of(&b).unwrap();
    assert_eq!((v.addr, v.source), (0x8001_0000, VectorSource::MaskedEntry));
    assert_eq!(v.reset_handler, 0x8001_0009);
    assert!(v.entry_matches);
}

#[test]
fn zephyr_rom_start_section() {
    let b = ddr(
        0x8001_0800,
        0x8000_0401,
        0x8000_0401,
        Some(vec![sec(b"rom_start", 0x8000_0000)]),
    );
    let v = vector_of(&b).unwrap();
    assert_eq!((v.addr, v.source), (0x8000_0000, VectorSource::RomStart));
}

#[test]
fn mcuxpresso_interrupts_section_wins() {
    // The table is not at the 64 KiB boundary: masking would be wrong.
    let mut b = ddr(
        0,
        0,
        0x8000_0501,
        Some(vec![sec(b".interrupts", 0x8000_0100)]),
    );
    put_u32(&mut b.segments[0].data, 0x100, 0x8001_0800);
    put_u32(&mut b.segments[0].data, 0x104, 0x8000_0501);
    let v = vector_of(&b).unwrap();
    assert_eq!((v.addr, v.source), (0x8000_0100, VectorSource::Interrupts));
    assert!(v.entry_matches);
}

#[test]
fn entry_that_is_not_the_reset_handler_is_reported() {
    let v = vector_of(&ddr(0x8001_0800, 0x8000_0401, 0x8000_0601, None)).unwrap();
    assert!(!v.entry_matches);
}

#[test]
fn vector_table_outside_the_image() {
    // Entry in the second segment: masked, it points at 0x80010000, which
    // has only 16 bytes of file data -- fine; push the entry beyond both.
    let b = ddr(0x8001_0800, 0x8000_0401, 0x9000_0401, None);
    assert_eq!(
        vector_of(&b),
        Err(Error::VectorTableNotLoaded { addr: 0x9000_0000 })
    );
}

#[test]
fn vector_table_in_bss_is_not_loaded() {
    let b = ddr(
        0x8001_0800,
        0x8000_0401,
        0x8000_0401,
        Some(vec![sec(b".interrupts", 0x8001_0100)]),
    );
    assert_eq!(
        vector_of(&b),
        Err(Error::VectorTableNotLoaded { addr: 0x8001_0100 })
    );
}

#[test]
fn zero_or_misaligned_stack_pointer() {
    assert_eq!(
        vector_of(&ddr(0, 0x8000_0401, 0x8000_0401, None)),
        Err(Error::BadInitialSp { sp: 0 })
    );
    assert_eq!(
        vector_of(&ddr(0x8001_0802, 0x8000_0401, 0x8000_0401, None)),
        Err(Error::BadInitialSp { sp: 0x8001_0802 })
    );
}

#[test]
fn reset_handler_without_thumb_bit() {
    assert_eq!(
        vector_of(&ddr(0x8001_0800, 0x8000_0400, 0x8000_0400, None)),
        Err(Error::ResetHandlerNotThumb { pc: 0x8000_0400 })
    );
}

#[test]
fn reset_handler_outside_the_image() {
    assert_eq!(
        vector_of(&ddr(0x8001_0800, 0x8800_0001, 0x8000_0401, None)),
        Err(Error::ResetHandlerNotLoaded { pc: 0x8800_0001 })
    );
}

#[test]
fn itcm_sample_image() {
    // The common sample: ITCM code at 0 whose first words are a pattern.
    let built = sample().build();
    let elf = Elf32::parse(&built.image).unwrap();
    // Whatever the pattern holds, the function returns a result, never panics.
    let _ = reset_vector(&elf);
}
