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
use imx_rproc_fw::elf::Elf32;
use imx_rproc_fw::rsc::Limits;
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
        let num = rd32(t, 4);
        let b = Base {
            phoff: rd32(&bytes, 28),
            phnum: rd16(&bytes, 44),
            shoff: rd32(&bytes, 32),
            shnum: rd16(&bytes, 48),
            rsc: sec.offset as usize,
            rsc_len: t.len(),
            vdev: rd32(t, 16),
            trace: (num > 1).then(|| rd32(t, 20)),
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
    let ph = |f: usize| b.phoff + (i % b.phnum) * 32 + f;
    let sh = |f: usize| b.shoff + (i % b.shnum) * 40 + f;
    let t = |f: usize| b.rsc + f;
    match m.field {
        Field::EPhoff => set32(img, 28, m),
        Field::EShoff => set32(img, 32, m),
        Field::EPhentsize => set16(img, 42, m),
        Field::EPhnum => set16(img, 44, m),
        Field::EShentsize => set16(img, 46, m),
        Field::EShnum => set16(img, 48, m),
        Field::EShstrndx => set16(img, 50, m),
        Field::PType => set32(img, ph(0), m),
        Field::POffset => set32(img, ph(4), m),
        Field::PPaddr => set32(img, ph(12), m),
        Field::PFilesz => set32(img, ph(16), m),
        Field::PMemsz => set32(img, ph(20), m),
        Field::ShName => set32(img, sh(0), m),
        Field::ShType => set32(img, sh(4), m),
        Field::ShAddr => set32(img, sh(12), m),
        Field::ShOffset => set32(img, sh(16), m),
        Field::ShSize => set32(img, sh(20), m),
        Field::RscVer => set32(img, t(0), m),
        Field::RscNum => set32(img, t(4), m),
        Field::RscReserved => set32(img, t(8 + 4 * (i % 2)), m),
        Field::RscOffset => set32(img, t(16 + 4 * (i % 4)), m),
        Field::VdevWord => set32(img, t(b.vdev + 4 * (i % 6)), m),
        Field::VdevByte => {
            if let Some(byte) = img.get_mut(t(b.vdev + 4 + 20 + i % 4)) {
                *byte = value(m.mode, m.value, u32::from(*byte), 0) as u8;
            }
        }
        Field::Vring => {
            let off = b.vdev + 4 + 24 + 20 * (i / 5 % 2) + 4 * (i % 5);
            set32(img, t(off), m)
        }
        Field::TraceWord => {
            let start = b.trace.unwrap_or(b.rsc_len.saturating_sub(16));
            set32(img, t(start + 4 * (i % 12)), m)
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
            let at = |k: usize| b.phoff + (k % b.phnum) * 32;
            copy_within(img, at(from), at(to), 32)
        }
        Field::CopyShdr => {
            let (from, to) = (i & 0xf, i >> 4);
            let at = |k: usize| b.shoff + (k % b.shnum) * 40;
            copy_within(img, at(from), at(to), 40)
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
