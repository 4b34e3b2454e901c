// SPDX-License-Identifier: GPL-2.0

//! The test images' manifest (`tools/mkfw/README.md`, "Manifest").

use imx_rproc_fw::manifest::*;

#[test]
fn fields_at_their_offsets() {
    let m = Manifest {
        version: VERSION,
        size: 64,
        flags: 0x0102_0304,
        behaviour: BEHAVIOUR_IDLE,
        crash_after_ms: 0x1111_1111,
        code_addr: 0x8000_0000,
        code_len: 0x4000,
        data_addr: 0x8000_4000,
        data_filesz: 0x1000,
        data_memsz: 0x3000,
        rsc_addr: 0x8822_0000,
        rsc_len: 88,
        data_crc: 0xdead_beef,
        reserved: 0,
        code_crc: 0x1234_5678,
    };
    let b = m.encode();
    let word = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    assert_eq!(&b[..8], b"IMXRSIM1");
    assert_eq!(u16::from_le_bytes([b[8], b[9]]), 1);
    assert_eq!(u16::from_le_bytes([b[10], b[11]]), 64);
    assert_eq!(word(0x0c), 0x0102_0304);
    assert_eq!(word(0x10), 1);
    assert_eq!(word(0x18), 0x8000_0000);
    assert_eq!(word(0x2c), 0x8822_0000);
    assert_eq!(word(0x34), 0xdead_beef);
    assert_eq!(word(CODE_CRC_FIELD), 0x1234_5678);
    assert_eq!(OFFSET + CODE_CRC_FIELD, CODE_CRC_OFFSET);
    assert_eq!(Manifest::decode(&b), Some(m));
    assert_eq!(m.behaviour_name(), Some("idle"));
}

#[test]
fn decode_refuses_short_or_foreign_bytes() {
    let b = Manifest::default().encode();
    assert!(Manifest::decode(&b).is_some());
    assert_eq!(Manifest::decode(&b[..63]), None);
    let mut bad = b;
    bad[7] = b'2';
    assert_eq!(Manifest::decode(&bad), None);
}

#[test]
fn code_crc_pieces_skip_the_field() {
    let code: Vec<u8> = (0..0x100u32).map(|i| i as u8).collect();
    let (head, tail) = code_crc_pieces(&code).unwrap();
    assert_eq!((head.len(), tail.len()), (0x7c, 0x80));
    assert_eq!((head[0x7b], tail[0]), (0x7b, 0x80));
    assert_eq!(code_crc_pieces(&code[..0x7f]), None);
    assert!(code_crc_pieces(&code[..0x80]).is_some_and(|(_, t)| t.is_empty()));
}
