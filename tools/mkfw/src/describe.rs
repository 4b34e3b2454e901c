// SPDX-License-Identifier: GPL-2.0

//! `mkfw --describe`: parses an image with the driver's own parser
//! (`imx_rproc_fw::elf`) and prints what the driver and the simulated M7
//! would see: file header, program headers, loadable segments, the known
//! sections, the vector table at the reset vector (`e_entry & 0xFFFF_0000`),
//! the resource table (validated with `imx_rproc_fw::rsc`, then decoded
//! field by field by [`crate::rsc::decode`], which also shows tables the
//! validator rejects) and the manifest with its checksums recomputed over
//! the segments as loaded (file bytes, then zero fill).

use std::fmt::Write as _;

use imx_rproc_fw::elf::{Elf32, LoadSegment, PT_LOAD};
use imx_rproc_fw::rsc::{Limits, ResourceTable};

use crate::manifest::{self, Manifest};
use crate::rsc;

/// Sections looked up by name (the parser has no section iterator).
const SECTIONS: [&str; 7] = [
    "rom_start",
    ".interrupts",
    ".text",
    ".resource_table",
    ".data",
    ".bss",
    ".shstrtab",
];

/// Mask giving the i.MX95 reset vector from the entry point.
pub const RESET_VECTOR_MASK: u32 = 0xffff_0000;

fn flags_str(f: u32) -> String {
    let mut s = String::new();
    s.push(if f & 4 != 0 { 'R' } else { '-' });
    s.push(if f & 2 != 0 { 'W' } else { '-' });
    s.push(if f & 1 != 0 { 'X' } else { '-' });
    s
}

/// The `len` bytes at device address `addr` after loading, if they lie in
/// one loadable segment.
fn loaded(segs: &[LoadSegment<'_>], addr: u32, len: u32) -> Option<(usize, Vec<u8>)> {
    let end = u64::from(addr) + u64::from(len);
    let s = segs
        .iter()
        .find(|s| addr >= s.paddr && end <= u64::from(s.paddr) + u64::from(s.memsz))?;
    let off = (addr - s.paddr) as usize;
    let mut out = vec![0u8; len as usize];
    if off < s.data.len() {
        let n = (s.data.len() - off).min(out.len());
        out[..n].copy_from_slice(&s.data[off..off + n]);
    }
    Some((s.index, out))
}

fn where_is(segs: &[LoadSegment<'_>], addr: u32) -> String {
    for s in segs {
        let end = u64::from(s.paddr) + u64::from(s.memsz);
        if addr >= s.paddr && u64::from(addr) < end {
            return format!("inside segment {}", s.index);
        }
        if u64::from(addr) == end {
            return format!("end of segment {}", s.index);
        }
    }
    "OUTSIDE every loaded segment".into()
}

fn check(ok: bool) -> &'static str {
    if ok {
        "OK"
    } else {
        "MISMATCH"
    }
}

/// Describes the image `data`; `Err` if the driver's parser rejects its
/// file header.
pub fn describe(data: &[u8]) -> Result<String, String> {
    let elf = Elf32::parse(data)
        .map_err(|e| format!("rejected by imx_rproc_fw: {} ({e:?})", e.describe()))?;
    let mut o = String::new();
    let entry = elf.entry();
    let rv = entry & RESET_VECTOR_MASK;
    let _ = writeln!(
        o,
        "ELF32 LE ARM ET_EXEC, {} bytes, e_flags 0x{:08x}, {} program headers, {} section headers",
        data.len(),
        elf.flags(),
        elf.phnum(),
        elf.shnum()
    );
    let _ = writeln!(
        o,
        "entry 0x{entry:08x} ({}), reset vector (entry & 0x{RESET_VECTOR_MASK:08x}) 0x{rv:08x}",
        if entry & 1 != 0 { "Thumb" } else { "ARM/even" }
    );

    let _ = writeln!(o, "program headers:");
    for (i, ph) in elf.segments().enumerate() {
        match ph {
            Ok(ph) => {
                let ty = if ph.p_type == PT_LOAD {
                    "LOAD".to_string()
                } else {
                    format!("0x{:x}", ph.p_type)
                };
                let _ = writeln!(
                    o,
                    "  [{i}] {ty:<5} off 0x{:08x} vaddr 0x{:08x} paddr 0x{:08x} filesz 0x{:08x} memsz 0x{:08x} {} align {}",
                    ph.p_offset,
                    ph.p_vaddr,
                    ph.p_paddr,
                    ph.p_filesz,
                    ph.p_memsz,
                    flags_str(ph.p_flags),
                    ph.p_align
                );
            }
            Err(e) => {
                let _ = writeln!(o, "  [{i}] error: {}", e.describe());
            }
        }
    }
    match elf.validate_segments() {
        Ok(()) => {
            let _ = writeln!(o, "segments: valid (imx_rproc_fw validate_segments)");
        }
        Err(e) => {
            let _ = writeln!(o, "segments: INVALID: {} ({e:?})", e.describe());
        }
    }
    let segs: Vec<LoadSegment<'_>> = elf.load_segments().filter_map(Result::ok).collect();

    let _ = writeln!(o, "sections:");
    for name in SECTIONS {
        match elf.find_section(name.as_bytes()) {
            Ok(Some(s)) => {
                let _ = writeln!(
                    o,
                    "  [{}] {name:<16} type {} addr 0x{:08x} off 0x{:08x} size 0x{:x}",
                    s.index, s.sh_type, s.addr, s.offset, s.size
                );
            }
            Ok(None) => {}
            Err(e) => {
                let _ = writeln!(o, "  {name}: error: {} ({e:?})", e.describe());
                break;
            }
        }
    }

    match loaded(&segs, rv, 16 * 4) {
        Some((idx, vt)) => {
            let w = |i: usize| {
                u32::from_le_bytes([vt[4 * i], vt[4 * i + 1], vt[4 * i + 2], vt[4 * i + 3]])
            };
            let (sp, pc) = (w(0), w(1));
            let _ = writeln!(o, "vector table @0x{rv:08x} (segment {idx}):");
            let _ = writeln!(o, "  SP 0x{sp:08x} ({})", where_is(&segs, sp));
            let _ = writeln!(
                o,
                "  PC 0x{pc:08x} ({}, {}{})",
                if pc & 1 != 0 { "Thumb" } else { "NOT Thumb" },
                where_is(&segs, pc & !1),
                if pc == entry {
                    ", = entry"
                } else {
                    ", != entry"
                }
            );
            let bad = (2..16)
                .filter(|&i| w(i) & 1 == 0 || !where_is(&segs, w(i) & !1).starts_with("inside"))
                .count();
            let _ = writeln!(
                o,
                "  exception vectors 2..15: {}",
                if bad == 0 {
                    "all Thumb, inside loaded segments".to_string()
                } else {
                    format!("{bad} not a Thumb address inside a loaded segment")
                }
            );
        }
        None => {
            let _ = writeln!(
                o,
                "vector table: NONE (no loaded segment holds 64 bytes at 0x{rv:08x})"
            );
        }
    }

    match elf.find_section(b".resource_table") {
        Ok(Some(s)) => {
            let _ = writeln!(
                o,
                "resource table: .resource_table @0x{:08x}, {} bytes ({})",
                s.addr,
                s.size,
                match loaded(&segs, s.addr, s.size) {
                    Some((i, _)) => format!("loaded by segment {i}"),
                    None => "NOT inside a loaded segment".into(),
                }
            );
            let _ = match ResourceTable::parse(s.data, &Limits::DEFAULT) {
                Ok(t) => writeln!(
                    o,
                    "  imx_rproc_fw::rsc: valid, {} entries, {} of {} bytes used",
                    t.len(),
                    t.used_size(),
                    t.size()
                ),
                Err(e) => writeln!(o, "  imx_rproc_fw::rsc: REJECTED: {} ({e:?})", e.describe()),
            };
            match rsc::decode(s.data) {
                Ok(t) => {
                    let _ = write!(o, "  {t}");
                }
                Err(e) => {
                    let _ = writeln!(o, "  cannot decode: {e}");
                }
            }
        }
        Ok(None) => {
            let _ = writeln!(o, "resource table: none");
        }
        Err(e) => {
            let _ = writeln!(o, "resource table: error: {}", e.describe());
        }
    }

    let m = loaded(
        &segs,
        rv.wrapping_add(manifest::OFFSET as u32),
        manifest::SIZE as u32,
    )
    .and_then(|(_, b)| Manifest::decode(&b));
    match m {
        Some(m) => describe_manifest(&mut o, &m, rv, &segs),
        None => {
            let _ = writeln!(
                o,
                "manifest: none (no \"IMXRSIM1\" at 0x{:08x})",
                rv.wrapping_add(0x40)
            );
        }
    }
    Ok(o)
}

fn describe_manifest(o: &mut String, m: &Manifest, rv: u32, segs: &[LoadSegment<'_>]) {
    let mut flags = Vec::new();
    for (bit, name) in [
        (manifest::FLAG_READY_DOORBELL, "ready-doorbell"),
        (manifest::FLAG_CRASH_AFTER, "crash-after"),
        (manifest::FLAG_HANG, "hang"),
    ] {
        if m.flags & bit != 0 {
            flags.push(name);
        }
    }
    let _ = writeln!(
        o,
        "manifest @0x{:08x}: IMXRSIM1 version {} size {} flags 0x{:x} [{}] behaviour {} ({}) crash_after_ms {}",
        rv.wrapping_add(manifest::OFFSET as u32),
        m.version,
        m.size,
        m.flags,
        flags.join(","),
        m.behaviour,
        m.behaviour_name().unwrap_or("unknown"),
        m.crash_after_ms
    );
    let _ = writeln!(
        o,
        "  code 0x{:08x}+0x{:x}, data 0x{:08x}+0x{:x} (memsz 0x{:x}), rsc 0x{:08x}+0x{:x}",
        m.code_addr, m.code_len, m.data_addr, m.data_filesz, m.data_memsz, m.rsc_addr, m.rsc_len
    );
    let code = loaded(segs, m.code_addr, m.code_len).and_then(|(_, b)| manifest::code_checksum(&b));
    let _ = match code {
        Some(c) => writeln!(
            o,
            "  code_crc 0x{:08x}, recomputed over the loaded bytes 0x{c:08x}: {}",
            m.code_crc,
            check(c == m.code_crc)
        ),
        None => writeln!(o, "  code_crc 0x{:08x}: code range not loaded", m.code_crc),
    };
    let data = loaded(segs, m.data_addr, m.data_memsz);
    let _ = match data {
        Some((_, b)) if m.data_filesz <= m.data_memsz => {
            let (file, bss) = b.split_at(m.data_filesz as usize);
            let c = crc32fast::hash(file);
            writeln!(
                o,
                "  data_crc 0x{:08x}, recomputed 0x{c:08x}: {}; .bss 0x{:x} bytes zero after load: {}",
                m.data_crc,
                check(c == m.data_crc),
                bss.len(),
                check(bss.iter().all(|&x| x == 0))
            )
        }
        _ => writeln!(o, "  data_crc 0x{:08x}: data range not loaded", m.data_crc),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::firmware::{build, Params};

    #[test]
    fn describes_the_default_image() {
        let b = build(&Params::default()).unwrap().to_bytes().unwrap();
        let d = describe(&b).unwrap();
        for needle in [
            "entry 0x80000401 (Thumb), reset vector (entry & 0xffff0000) 0x80000000",
            "segments: valid",
            "rom_start",
            ".resource_table",
            "SP 0x80007058 (end of segment 2)",
            "PC 0x80000401 (Thumb, inside segment 0, = entry)",
            "vdev id 7 notifyid 0 dfeatures 0x1",
            "vring1 da 0xffffffff align 16 num 8 notifyid 1 pa 0x00000000",
            "behaviour 0 (zephyr)",
            "imx_rproc_fw::rsc: valid, 1 entries, 88 of 88 bytes used",
        ] {
            assert!(d.contains(needle), "missing {needle:?} in\n{d}");
        }
        assert_eq!(d.matches(": OK").count(), 3, "{d}");
        assert!(!d.contains("MISMATCH"));
    }

    #[test]
    fn detects_a_corrupted_segment() {
        let mut b = build(&Params::default()).unwrap().to_bytes().unwrap();
        let elf = Elf32::parse(&b).unwrap();
        let off = elf.program_header(0).unwrap().p_offset as usize;
        b[off + 0x1000] ^= 1;
        let d = describe(&b).unwrap();
        assert!(d.contains("MISMATCH"), "{d}");
    }

    #[test]
    fn rejects_garbage() {
        assert!(describe(b"not an elf").is_err());
    }
}
