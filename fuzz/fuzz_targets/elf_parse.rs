// SPDX-License-Identifier: GPL-2.0

//! Arbitrary bytes as an ELF32 image: `Elf32::parse`, every program header,
//! `load_segment(s)` (each segment loaded with `load_into` when it is at
//! most 64 KiB), `validate_segments`, `find_section` on fixed names, on
//! every name of the image (and prefixes and suffixes of them) and on the
//! bytes 8..8+n of `e_ident` (not checked by the parser), each compared
//! with a reference model (imx_rproc_fw_fuzz::elf).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let n = data.get(7).map_or(0, |&b| usize::from(b % 9));
    let extra = data.get(8..8 + n).unwrap_or(&[]);
    imx_rproc_fw_fuzz::elf::check_elf(data, extra);
});
