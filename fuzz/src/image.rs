// SPDX-License-Identifier: GPL-2.0

//! The structure-aware `image` target: valid base images built with
//! `mkfw`, field mutations decoded from the fuzzer's bytes, and the
//! driver's pipeline over the result.
//!
//! # Input format
//!
//! `[variant] ([op] [idx] [value: u32 LE])*`: byte 0 picks a base image
//! ([`BASES`]), then every 6 bytes are one [`Mutation`] (at most
//! [`MAX_OPS`]; a trailing partial one is ignored). `op & 0x3f` picks the
//! field ([`Field`], modulo their number), `op >> 6` how `value` is used
//! ([`value`]), `idx` which program header, section header, offset or
//! vring. Field positions are those of the base image: moving `e_phoff`
//! does not move the program headers the other mutations patch.

use std::sync::OnceLock;

use imx_rproc_fw::att::IMX95_M7_ATT;
use imx_rproc_fw::elf::{ehdr_field as eh, phdr_field as ph, shdr_field as sh};
use imx_rproc_fw::elf::{Elf32, PHDR_SIZE, SHDR_SIZE};
use imx_rproc_fw::rsc::{
    table_field, trace_field, vdev_field, Limits, FW_RSC_VDEV_VRING_SIZE, RSC_HDR_SIZE,
    RSC_OFFSET_SIZE,
};
use mkfw::firmware::{self, Params};

use crate::att::check_map_segment;
use crate::elf::check_elf;
use crate::rsc::{check_rsc, check_rsc_all, DRIVER};

/// Most mutations applied to one image.
pub const MAX_OPS: usize = 24;

/// A valid image and where its fields are.
#[derive(Debug)]
pub struct Base {
    pub bytes: Vec<u8>,
    pub phoff: usize,
    pub phnum: usize,
    pub shoff: usize,
    pub shnum: usize,
    /// File offset of `.resource_table`.
    pub rsc: usize,
    pub rsc_len: usize,
    /// Offsets inside the table of the vdev and trace entries.
    pub vdev: usize,
    pub trace: Option<usize>,
}

/// `mkfw` parameters of the base images: the default image, with the trace
/// entry, minimal ones in DDR, ITCM (0) and DTCM (0x2000_0000).
pub fn base_params() -> Vec<Params> {
    let small = Params {
        code_size: firmware::MIN_CODE_SIZE,
        data_size: 8,
        bss_size: 0x100,
        ..Params::default()
    };
    let small_trace = Params {
        bss_size: 0x140,
        trace_len: Some(64),
        ..small.clone()
    };
    vec![
        Params::default(),
        Params {
            trace_len: Some(firmware::DEFAULT_TRACE_LEN),
            ..Params::default()
        },
        small.clone(),
        small_trace.clone(),
        Params {
            base: 0,
            region_size: 0x4_0000,
            ..small
        },
        Params {
            base: 0x2000_0000,
            region_size: 0x4_0000,
            ..small_trace
        },
    ]
}

fn rd32(b: &[u8], off: usize) -> usize {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap()) as usize
}

fn rd16(b: &[u8], off: usize) -> usize {
    usize::from(u16::from_le_bytes(b[off..off + 2].try_into().unwrap()))
}

impl Base {
    fn new(p: &Params) -> Self {
        let bytes = firmware::build(p)
            .and_then(|fw| fw.to_bytes())
            .expect("mkfw builds the base image");
        let elf = Elf32::parse(&bytes).expect("base image parses");
        let sec = elf
            .find_section(b".resource_table")
            .expect("base image sections")
            .expect("base image has .resource_table");
        let t = sec.data;
        let num = rd32(t, table_field::NUM);
        let offset = |i: usize| rd32(t, table_field::OFFSETS + RSC_OFFSET_SIZE * i);
        let b = Base {
            phoff: rd32(&bytes, eh::PHOFF),
            phnum: rd16(&bytes, eh::PHNUM),
            shoff: rd32(&bytes, eh::SHOFF),
            shnum: rd16(&bytes, eh::SHNUM),
            rsc: sec.offset as usize,
            rsc_len: t.len(),
            vdev: offset(0),
            trace: (num > 1).then(|| offset(1)),
            bytes: bytes.clone(),
        };
        // The unmutated image goes through the whole pipeline.
        assert!(run_pipeline(&b.bytes, true), "base image rejected: {p:?}");
        b
    }
}

/// The base images, built once.
pub fn bases() -> &'static [Base] {
    static BASES: OnceLock<Vec<Base>> = OnceLock::new();
    BASES.get_or_init(|| base_params().iter().map(Base::new).collect())
}

/// Number of base images.
pub const BASES: usize = 6;

/// The fields a mutation can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    EPhoff,
    EPhnum,
    EPhentsize,
    EShoff,
    EShnum,
    EShentsize,
    EShstrndx,
    PType,
    POffset,
    PPaddr,
    PFilesz,
    PMemsz,
    ShName,
    ShType,
    ShAddr,
    ShOffset,
    ShSize,
    RscVer,
    RscNum,
    RscReserved,
    RscOffset,
    /// Words of the vdev entry: type, id, notifyid, dfeatures, gfeatures,
    /// config_len.
    VdevWord,
    /// Bytes of the vdev entry: status, num_of_vrings, reserved[2].
    VdevByte,
    /// `idx / 5 % 2`: the vring, `idx % 5`: da, align, num, notifyid, pa.
    Vring,
    /// Words of the trace entry (type, da, len, reserved, name) when there
    /// is one, else of the end of the table.
    TraceWord,
    /// Any word of the table.
    RscWord,
    /// Byte `value % len` of the file is set to `idx`.
    Byte,
    /// The file is cut to `value % (len + 1)` bytes.
    Truncate,
    /// Program header `idx & 0xf` is copied over `idx >> 4`.
    CopyPhdr,
    /// Section header `idx & 0xf` is copied over `idx >> 4`.
    CopyShdr,
    /// `value & 0xfff` zero bytes are appended, or with mode 3 `0x30000 +
    /// (value & 0xffff)` (images past 192 KiB reach the header-table
    /// overflow checks).
    Extend,
}

const FIELDS: [Field; 31] = [
    Field::EPhoff,
    Field::EPhnum,
    Field::EPhentsize,
    Field::EShoff,
    Field::EShnum,
    Field::EShentsize,
    Field::EShstrndx,
    Field::PType,
    Field::POffset,
    Field::PPaddr,
    Field::PFilesz,
    Field::PMemsz,
    Field::ShName,
    Field::ShType,
    Field::ShAddr,
    Field::ShOffset,
    Field::ShSize,
    Field::RscVer,
    Field::RscNum,
    Field::RscReserved,
    Field::RscOffset,
    Field::VdevWord,
    Field::VdevByte,
    Field::Vring,
    Field::TraceWord,
    Field::RscWord,
    Field::Byte,
    Field::Truncate,
    Field::CopyPhdr,
    Field::CopyShdr,
    Field::Extend,
];

/// One decoded mutation.
#[derive(Debug, Clone, Copy)]
pub struct Mutation {
    pub field: Field,
    pub mode: u8,
    pub idx: u8,
    pub value: u32,
}

/// Decodes the input: the base image index and the mutations.
pub fn decode(data: &[u8]) -> (usize, Vec<Mutation>) {
    let Some((&v, rest)) = data.split_first() else {
        return (0, Vec::new());
    };
    let muts = rest
        .chunks_exact(6)
        .take(MAX_OPS)
        .map(|c| Mutation {
            field: FIELDS[usize::from(c[0] & 0x3f) % FIELDS.len()],
            mode: c[0] >> 6,
            idx: c[1],
            value: u32::from_le_bytes([c[2], c[3], c[4], c[5]]),
        })
        .collect();
    (usize::from(v) % BASES, muts)
}

/// Values near the usual boundaries, for mode 3.
fn special(raw: u32, orig: u32, len: u32) -> u32 {
    let table = [
        0,
        1,
        2,
        4,
        0x20,
        0x28,
        0x34,
        0x7fff,
        0xfffe,
        0xffff,
        0x1_0000,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_fffc,
        0xffff_ffff,
        len,
        len.wrapping_sub(1),
        len.wrapping_add(1),
        u32::MAX - len,
        orig.wrapping_mul(2),
        orig / 2,
        orig.wrapping_add(len),
        0x1000,
        0x1001,
        0x4_0000,
        0x2000_0000,
        0x5000_0000,
        0xd000_0000,
        FW_ANY,
    ];
    table[raw as usize % table.len()]
}

const FW_ANY: u32 = 0xffff_ffff;

/// The new value of a field whose current value is `orig`, in an image of
/// `len` bytes: mode 0 `value`, 1 `orig` plus a small signed delta
/// (`value as i16`), 2 `len` plus a small signed delta, 3 a boundary
/// value ([`special`]).
pub fn value(mode: u8, raw: u32, orig: u32, len: u32) -> u32 {
    let delta = i32::from(raw as u16 as i16) as u32;
    match mode & 3 {
        0 => raw,
        1 => orig.wrapping_add(delta),
        2 => len.wrapping_add(delta),
        _ => special(raw, orig, len),
    }
}

fn get32(img: &[u8], off: usize) -> Option<u32> {
    img.get(off..off.checked_add(4)?)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
}

/// Sets the 32-bit field at `off` (ignored if outside the image).
fn set32(img: &mut [u8], off: usize, m: &Mutation) {
    let len = img.len() as u32;
    if let Some(orig) = get32(img, off) {
        let v = value(m.mode, m.value, orig, len);
        img[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
}

/// Sets the 16-bit field at `off` (ignored if outside the image).
fn set16(img: &mut [u8], off: usize, m: &Mutation) {
    let len = img.len() as u32;
    if let Some(w) = img.get(off..off + 2) {
        let orig = u32::from(u16::from_le_bytes([w[0], w[1]]));
        let v = value(m.mode, m.value, orig, len) as u16;
        img[off..off + 2].copy_from_slice(&v.to_le_bytes());
    }
}

/// Copies `size` bytes from `from` to `to` inside `img`, if both fit.
fn copy_within(img: &mut [u8], from: usize, to: usize, size: usize) {
    if from + size <= img.len() && to + size <= img.len() {
        img.copy_within(from..from + size, to);
    }
}

/// Applies `m` to `img`, built from `b`.
pub fn apply(b: &Base, img: &mut Vec<u8>, m: &Mutation) {
    let i = usize::from(m.idx);
    let phdr = |f: usize| b.phoff + (i % b.phnum) * PHDR_SIZE + f;
    let shdr = |f: usize| b.shoff + (i % b.shnum) * SHDR_SIZE + f;
    let t = |f: usize| b.rsc + f;
    // The vdev's fields after its type word.
    let vdev = b.vdev + RSC_HDR_SIZE;
    match m.field {
        Field::EPhoff => set32(img, eh::PHOFF, m),
        Field::EShoff => set32(img, eh::SHOFF, m),
        Field::EPhentsize => set16(img, eh::PHENTSIZE, m),
        Field::EPhnum => set16(img, eh::PHNUM, m),
        Field::EShentsize => set16(img, eh::SHENTSIZE, m),
        Field::EShnum => set16(img, eh::SHNUM, m),
        Field::EShstrndx => set16(img, eh::SHSTRNDX, m),
        Field::PType => set32(img, phdr(ph::TYPE), m),
        Field::POffset => set32(img, phdr(ph::OFFSET), m),
        Field::PPaddr => set32(img, phdr(ph::PADDR), m),
        Field::PFilesz => set32(img, phdr(ph::FILESZ), m),
        Field::PMemsz => set32(img, phdr(ph::MEMSZ), m),
        Field::ShName => set32(img, shdr(sh::NAME), m),
        Field::ShType => set32(img, shdr(sh::TYPE), m),
        Field::ShAddr => set32(img, shdr(sh::ADDR), m),
        Field::ShOffset => set32(img, shdr(sh::OFFSET), m),
        Field::ShSize => set32(img, shdr(sh::SIZE), m),
        Field::RscVer => set32(img, t(table_field::VER), m),
        Field::RscNum => set32(img, t(table_field::NUM), m),
        Field::RscReserved => set32(img, t(table_field::RESERVED + 4 * (i % 2)), m),
        Field::RscOffset => set32(img, t(table_field::OFFSETS + RSC_OFFSET_SIZE * (i % 4)), m),
        // The type word, then id .. config_len.
        Field::VdevWord => set32(img, t(b.vdev + 4 * (i % 6)), m),
        Field::VdevByte => {
            if let Some(byte) = img.get_mut(t(vdev + vdev_field::STATUS + i % 4)) {
                *byte = value(m.mode, m.value, u32::from(*byte), 0) as u8;
            }
        }
        Field::Vring => {
            let vring = vdev + vdev_field::VRINGS + FW_RSC_VDEV_VRING_SIZE * (i / 5 % 2);
            set32(img, t(vring + 4 * (i % 5)), m)
        }
        Field::TraceWord => {
            let start = b.trace.unwrap_or(b.rsc_len.saturating_sub(16));
            // The type word, then the trace body's 11 words.
            let words = (RSC_HDR_SIZE + trace_field::NAME + 32) / 4;
            set32(img, t(start + 4 * (i % words)), m)
        }
        Field::RscWord => set32(img, t(4 * (i % (b.rsc_len / 4))), m),
        Field::Byte => {
            if !img.is_empty() {
                let n = img.len();
                img[m.value as usize % n] = m.idx;
            }
        }
        Field::Truncate => img.truncate(m.value as usize % (img.len() + 1)),
        Field::CopyPhdr => {
            let (from, to) = (i & 0xf, i >> 4);
            let at = |k: usize| b.phoff + (k % b.phnum) * PHDR_SIZE;
            copy_within(img, at(from), at(to), PHDR_SIZE)
        }
        Field::CopyShdr => {
            let (from, to) = (i & 0xf, i >> 4);
            let at = |k: usize| b.shoff + (k % b.shnum) * SHDR_SIZE;
            copy_within(img, at(from), at(to), SHDR_SIZE)
        }
        Field::Extend => {
            // Small unless mode 3: a large image is slow to build and check.
            let extra = match m.mode {
                3 => 0x3_0000 + (m.value & 0xffff),
                _ => m.value & 0xfff,
            };
            img.resize(img.len() + extra as usize, 0)
        }
    }
}

/// Builds the mutated image of `data`, returning it and its base.
pub fn mutate(data: &[u8]) -> (&'static Base, Vec<u8>) {
    let (v, muts) = decode(data);
    let b = &bases()[v];
    let mut img = b.bytes.clone();
    for m in &muts {
        apply(b, &mut img, m);
    }
    (b, img)
}

/// The driver's pipeline over `fw`: `sanity_check` (parse, validate the
/// segments), `parse_fw` (find `.resource_table`, validate it with the
/// driver's limits), `load` (every segment translated with the i.MX95
/// ATT), `find_loaded_rsc_table` (the table's address translated). Every
/// step is also checked against the reference models.
///
/// Returns whether the driver would accept the image with a resource table
/// and load every segment. With `must_accept`, asserts that it does.
pub fn run_pipeline(fw: &[u8], must_accept: bool) -> bool {
    let extra = fw.get(8..16).unwrap_or(&[]);
    let Some(elf) = check_elf(fw, extra) else {
        assert!(!must_accept, "valid image: parse failed");
        return false;
    };
    let sane = elf.validate_segments().is_ok();
    assert!(
        sane || !must_accept,
        "valid image: validate_segments failed"
    );

    let mut table_ok = false;
    match elf.find_section(b".resource_table") {
        Ok(Some(sec)) => {
            let t = sec.data;
            // The driver's limits, and the others.
            table_ok = check_rsc(t, &DRIVER);
            let default = check_rsc_all(t);
            if DRIVER == Limits::DEFAULT {
                assert_eq!(table_ok, default, "DRIVER and DEFAULT limits differ");
            }
            // Where the driver finds the loaded table (no rsc-table region).
            if let Ok((sa, e)) =
                crate::att::check_da_to_sys(&IMX95_M7_ATT, sec.addr.into(), t.len() as u64)
            {
                assert!(sa >= e.sa);
            }
        }
        Ok(None) => {}
        Err(e) => crate::check_error(&e),
    }
    assert!(
        table_ok || !must_accept,
        "valid image: resource table rejected"
    );

    let mut mapped = true;
    for seg in elf.load_segments() {
        let Ok(seg) = seg else {
            mapped = false;
            continue;
        };
        // What `load` hands to rproc_write_memory: no underflow.
        let tail = seg.memsz.checked_sub(seg.filesz);
        assert!(tail.is_some(), "filesz > memsz in a validated segment");
        if check_map_segment(&IMX95_M7_ATT, &seg).is_none() {
            mapped = false;
        }
    }
    assert!(
        mapped || !must_accept,
        "valid image: a segment is not mapped"
    );
    sane && table_ok && mapped
}
