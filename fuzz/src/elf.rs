// SPDX-License-Identifier: GPL-2.0

//! Reference model of the ELF32 parser and [`check_elf`].

use imx_rproc_fw::elf::{load_into, Elf32, LoadSegment, ProgramHeader, Section};
use imx_rproc_fw::error::Error;

use crate::{assert_subslice_at, check_error, range, rd16, rd32};

/// Section names every image is searched for.
pub const NAMES: [&[u8]; 8] = [
    b".resource_table",
    b".text",
    b".data",
    b".bss",
    b".shstrtab",
    b"rom_start",
    b"",
    b".resource_table\0",
];

/// Largest segment [`check_elf`] loads with `load_into`.
pub const MAX_LOAD: u32 = 1 << 16;

/// The file header fields, as the reference reads them.
#[derive(Debug, Clone, Copy)]
pub struct RefElf {
    pub entry: u32,
    pub flags: u32,
    pub phoff: u64,
    pub phentsize: u64,
    pub phnum: u64,
    pub shoff: u64,
    pub shentsize: u64,
    pub shnum: u64,
    pub shstrndx: u64,
}

/// What `Elf32::parse` must return, from the documentation.
pub fn ref_parse(d: &[u8]) -> Result<RefElf, Error> {
    if d.len() < 52 {
        return Err(Error::TooShort);
    }
    if d[..4] != [0x7f, b'E', b'L', b'F'] {
        return Err(Error::BadMagic);
    }
    if d[4] != 1 {
        return Err(Error::BadClass);
    }
    if d[5] != 1 {
        return Err(Error::BadData);
    }
    let w16 = |o: u64| u64::from(rd16(d, o).unwrap());
    let w32 = |o: u64| rd32(d, o).unwrap();
    if d[6] != 1 || w32(20) != 1 {
        return Err(Error::BadVersion);
    }
    if w16(16) != 2 {
        return Err(Error::BadType);
    }
    if w16(18) != 40 {
        return Err(Error::BadMachine);
    }
    if w16(40) < 52 {
        return Err(Error::BadEhSize);
    }
    let h = RefElf {
        entry: w32(24),
        flags: w32(36),
        phoff: u64::from(w32(28)),
        phentsize: w16(42),
        phnum: w16(44),
        shoff: u64::from(w32(32)),
        shentsize: w16(46),
        shnum: w16(48),
        shstrndx: w16(50),
    };
    if h.phentsize < 32 {
        return Err(Error::PhEntSizeTooSmall);
    }
    if h.phnum == 0 {
        return Err(Error::NoSegments);
    }
    if h.phnum == 0xffff {
        return Err(Error::TooManySegments);
    }
    if h.phoff > d.len() as u64 {
        return Err(Error::PhOffOutOfFile);
    }
    let end = h.phoff + h.phnum * h.phentsize;
    if end > u64::from(u32::MAX) {
        return Err(Error::PhTableOverflow);
    }
    if end > d.len() as u64 {
        return Err(Error::PhTableOutOfFile);
    }
    Ok(h)
}

/// Program header `i` read from the bytes (`i < phnum`).
pub fn ref_phdr(d: &[u8], h: &RefElf, i: u64) -> ProgramHeader {
    let base = h.phoff + i * h.phentsize;
    let f = |k: u64| rd32(d, base + 4 * k).expect("program header inside the image");
    ProgramHeader {
        p_type: f(0),
        p_offset: f(1),
        p_vaddr: f(2),
        p_paddr: f(3),
        p_filesz: f(4),
        p_memsz: f(5),
        p_flags: f(6),
        p_align: f(7),
    }
}

/// What `load_segment(i)` must return.
pub fn ref_load_segment<'a>(
    d: &'a [u8],
    h: &RefElf,
    i: u64,
) -> Result<Option<LoadSegment<'a>>, Error> {
    let index = i as usize;
    let ph = ref_phdr(d, h, i);
    if ph.p_type != 1 || (ph.p_filesz == 0 && ph.p_memsz == 0) {
        return Ok(None);
    }
    if ph.p_filesz > ph.p_memsz {
        return Err(Error::FileSizeExceedsMemSize { index });
    }
    if u64::from(ph.p_paddr) + u64::from(ph.p_memsz) > 1 << 32 {
        return Err(Error::SegmentAddressWraps { index });
    }
    let data = if ph.p_filesz == 0 {
        &d[..0]
    } else {
        range(d, ph.p_offset.into(), ph.p_filesz.into()).ok_or(Error::SegmentOutOfFile { index })?
    };
    Ok(Some(LoadSegment {
        index,
        paddr: ph.p_paddr,
        memsz: ph.p_memsz,
        filesz: ph.p_filesz,
        data,
    }))
}

/// The raw fields of section header `i` the parser uses: name, type, addr,
/// offset, size.
fn ref_shdr(d: &[u8], h: &RefElf, i: u64) -> [u32; 5] {
    let base = h.shoff + i * h.shentsize;
    let f = |o: u64| rd32(d, base + o).expect("section header inside the image");
    [f(0), f(4), f(12), f(16), f(20)]
}

/// What `find_section(name)` must return.
pub fn ref_find_section<'a>(
    d: &'a [u8],
    h: &RefElf,
    name: &[u8],
) -> Result<Option<Section<'a>>, Error> {
    if h.shnum == 0 {
        return Ok(None);
    }
    if h.shentsize < 40 {
        return Err(Error::ShEntSizeTooSmall);
    }
    if h.shoff > d.len() as u64 {
        return Err(Error::ShOffOutOfFile);
    }
    let end = h.shoff + h.shnum * h.shentsize;
    if end > u64::from(u32::MAX) {
        return Err(Error::ShTableOverflow);
    }
    if end > d.len() as u64 {
        return Err(Error::ShTableOutOfFile);
    }
    if h.shstrndx == 0 {
        return Ok(None);
    }
    if h.shstrndx >= h.shnum {
        return Err(Error::BadShStrNdx);
    }
    let [_, st_type, _, st_off, st_size] = ref_shdr(d, h, h.shstrndx);
    if st_type != 3 {
        return Err(Error::ShStrTabBadType);
    }
    let strtab = range(d, st_off.into(), st_size.into()).ok_or(Error::ShStrTabOutOfFile)?;
    for i in 0..h.shnum {
        let index = i as usize;
        let [sh_name, sh_type, sh_addr, sh_offset, sh_size] = ref_shdr(d, h, i);
        if sh_type == 0 {
            continue;
        }
        if u64::from(sh_name) >= strtab.len() as u64 {
            return Err(Error::SectionNameOutOfTable { index });
        }
        let rest = &strtab[sh_name as usize..];
        let nul = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or(Error::SectionNameUnterminated { index })?;
        if &rest[..nul] != name {
            continue;
        }
        let data = if sh_type == 8 {
            &d[..0]
        } else {
            range(d, sh_offset.into(), sh_size.into()).ok_or(Error::SectionOutOfFile { index })?
        };
        return Ok(Some(Section {
            index,
            sh_type,
            addr: sh_addr,
            offset: sh_offset,
            size: sh_size,
            data,
        }));
    }
    Ok(None)
}

/// Every section name the reference can read (`sh_name` of every header
/// that has one), for `find_section` on names taken from the image itself.
pub fn ref_section_names<'a>(d: &'a [u8], h: &RefElf) -> Vec<&'a [u8]> {
    let mut names = Vec::new();
    let Some(end) = h
        .shnum
        .checked_mul(h.shentsize)
        .and_then(|s| s.checked_add(h.shoff))
    else {
        return names;
    };
    if h.shentsize < 40 || end > d.len() as u64 || h.shstrndx >= h.shnum {
        return names;
    }
    let [_, _, _, st_off, st_size] = ref_shdr(d, h, h.shstrndx);
    let Some(strtab) = range(d, st_off.into(), st_size.into()) else {
        return names;
    };
    for i in 0..h.shnum.min(64) {
        let [sh_name, ..] = ref_shdr(d, h, i);
        if let Some(rest) = strtab.get(sh_name as usize..) {
            let n = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            names.push(&rest[..n]);
            // A suffix and a prefix of a real name must not match it.
            if n > 1 {
                names.push(&rest[1..n]);
                names.push(&rest[..n - 1]);
            }
        }
    }
    names
}

/// Checks a validated segment's guarantees and loads it if it is small.
pub fn check_load_segment(d: &[u8], seg: &LoadSegment<'_>) {
    assert!(seg.memsz > 0, "empty segment returned: {seg:?}");
    assert!(seg.filesz <= seg.memsz, "filesz > memsz: {seg:?}");
    assert_eq!(seg.data.len() as u64, u64::from(seg.filesz));
    assert!(u64::from(seg.paddr) + u64::from(seg.memsz) <= 1 << 32);
    if seg.memsz <= MAX_LOAD {
        let memsz = seg.memsz as usize;
        let mut dst = vec![0xa5u8; memsz];
        load_into(seg, &mut dst).expect("load_into a buffer of memsz bytes");
        assert_eq!(&dst[..seg.data.len()], seg.data, "file bytes not copied");
        assert!(
            dst[seg.data.len()..].iter().all(|&b| b == 0),
            "bss not zeroed"
        );
        for wrong in [memsz - 1, memsz + 1] {
            let mut dst = vec![0u8; wrong];
            assert_eq!(
                load_into(seg, &mut dst),
                Err(Error::DestinationSizeMismatch { index: seg.index })
            );
        }
    }
    let _ = d;
}

/// Runs every entry point of the ELF parser over `d`, compares each result
/// with the reference and checks the guarantees of the `Ok`s. `extra_name`
/// is looked up with `find_section` too.
///
/// Returns the parsed image, if `Elf32::parse` accepted it.
pub fn check_elf<'a>(d: &'a [u8], extra_name: &[u8]) -> Option<Elf32<'a>> {
    let want = ref_parse(d);
    let elf = match (Elf32::parse(d), want) {
        (Ok(elf), Ok(h)) => (elf, h),
        (Err(e), Err(w)) => {
            assert_eq!(e, w, "Elf32::parse error differs from the reference");
            check_error(&e);
            return None;
        }
        (got, want) => panic!(
            "Elf32::parse: got {:?}, reference {:?}",
            got.err(),
            want.err()
        ),
    };
    let (elf, h) = elf;

    // File header accessors.
    assert_eq!(elf.entry(), h.entry);
    assert_eq!(elf.flags(), h.flags);
    assert_eq!(u64::from(elf.phnum()), h.phnum);
    assert_eq!(u64::from(elf.shnum()), h.shnum);
    assert!(std::ptr::eq(elf.data(), d));

    // Program headers.
    let phnum = h.phnum as usize;
    assert_eq!(elf.segments().count(), phnum);
    for (i, ph) in elf.segments().enumerate() {
        assert_eq!(ph, Ok(ref_phdr(d, &h, i as u64)));
    }
    for i in [phnum, phnum + 1, usize::MAX] {
        assert_eq!(
            elf.program_header(i),
            Err(Error::SegmentIndexOutOfRange { index: i })
        );
        assert_eq!(
            elf.load_segment(i),
            Err(Error::SegmentIndexOutOfRange { index: i })
        );
    }

    // Loadable segments.
    let mut expected = Vec::new();
    let mut first_err = None;
    for i in 0..phnum {
        let got = elf.load_segment(i);
        let want = ref_load_segment(d, &h, i as u64);
        assert_eq!(got, want, "load_segment({i})");
        match got {
            Ok(Some(seg)) => {
                let off = ref_phdr(d, &h, i as u64).p_offset;
                assert_subslice_at(d, seg.data, off.into());
                check_load_segment(d, &seg);
                expected.push(Ok(seg));
            }
            Ok(None) => {}
            Err(e) => {
                check_error(&e);
                first_err.get_or_insert(e);
                expected.push(Err(e));
            }
        }
    }
    let got: Vec<_> = elf.load_segments().collect();
    assert_eq!(got, expected, "load_segments");
    let want_valid = match first_err {
        Some(e) => Err(e),
        None if expected.is_empty() => Err(Error::NoLoadSegments),
        None => Ok(()),
    };
    assert_eq!(elf.validate_segments(), want_valid, "validate_segments");

    // Sections.
    let mut names: Vec<&[u8]> = NAMES.to_vec();
    names.push(extra_name);
    names.extend(ref_section_names(d, &h));
    for name in names {
        let got = elf.find_section(name);
        let want = ref_find_section(d, &h, name);
        assert_eq!(got, want, "find_section({name:?})");
        match got {
            Ok(Some(s)) => {
                if s.sh_type == 8 {
                    assert!(s.data.is_empty());
                } else {
                    assert_eq!(s.data.len() as u64, u64::from(s.size));
                    assert_subslice_at(d, s.data, s.offset.into());
                }
            }
            Ok(None) => {}
            Err(e) => check_error(&e),
        }
    }
    Some(elf)
}
