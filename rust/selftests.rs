// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the firmware-format code as compiled into the module.
//!
//! The same functions are tested at length on the host (`cargo test` in
//! `fw/`); these run them with the kernel's compiler flags at module load
//! (`kunit.enable=1`), where their results appear as KTAP in the kernel log.

use kernel::prelude::*;

#[kunit_tests(imx_rproc_rs_fw)]
mod tests {
    use crate::fw::{
        att::{da_to_sys, IMX95_M7_ATT},
        builder::{vdev_header, write_table, write_vdev_entry, Cursor},
        elf::Elf32,
        error::Error,
        rsc::{
            table_field, vdev_field, vring_field, Limits, Resource, ResourceTable, FW_RSC_ADDR_ANY,
            FW_RSC_VDEV_SIZE, FW_RSC_VDEV_VRING_SIZE, RSC_HDR_SIZE, VIRTIO_ID_RPMSG,
        },
    };

    /// Zephyr's `openamp_rsc_table` table: one rpmsg vdev, two vrings of 8
    /// (Zephyr's `lib/open-amp/resource_table.c`), written with the
    /// builders of `fw/src/builder.rs`. Returns the table and the offset of
    /// its vdev entry.
    fn zephyr_table() -> ([u8; 88], usize) {
        let vrings = [
            [FW_RSC_ADDR_ANY, 16, 8, 0, 0],
            [FW_RSC_ADDR_ANY, 16, 8, 1, 0],
        ];
        let header = vdev_header(VIRTIO_ID_RPMSG, 0, 1, &vrings, &[]);
        let mut entry = [0u8; RSC_HDR_SIZE + FW_RSC_VDEV_SIZE + 2 * FW_RSC_VDEV_VRING_SIZE];
        let mut c = Cursor::new(&mut entry);
        write_vdev_entry(&mut c, &header, &vrings, &[]);
        let mut table = [0u8; 88];
        let mut vdev = 0;
        if let Some(entry) = c.finish() {
            let mut c = Cursor::new(&mut table);
            [vdev] = write_table::<1>(&mut c, &[entry], 0);
            assert!(c.finish().is_some());
        }
        (table, vdev)
    }

    #[test]
    fn att_translates_itcm() {
        let (sys, _) = da_to_sys(&IMX95_M7_ATT, 0x100, 0x10).unwrap_or((0, &IMX95_M7_ATT[0]));
        assert_eq!(sys, 0x203c_0100);
    }

    #[test]
    fn att_accepts_range_ending_at_region_end() {
        // Upstream's strict `<` rejects this; the range is inside the DDR entry.
        assert!(da_to_sys(&IMX95_M7_ATT, 0xcfff_fff0, 0x10).is_ok());
    }

    #[test]
    fn att_rejects_range_one_byte_past_region_end() {
        assert!(da_to_sys(&IMX95_M7_ATT, 0xcfff_fff0, 0x11).is_err());
    }

    #[test]
    fn att_rejects_wrapping_range() {
        assert!(da_to_sys(&IMX95_M7_ATT, u64::MAX - 4, 0x10).is_err());
    }

    #[test]
    fn elf_rejects_truncated_header() {
        assert_eq!(Elf32::parse(b"\x7fELF").err(), Some(Error::TooShort));
    }

    #[test]
    fn rsc_accepts_zephyr_table() {
        let (table, _) = zephyr_table();
        let parsed = ResourceTable::parse(&table, &Limits::DEFAULT);
        assert!(parsed.is_ok());
        if let Ok(parsed) = parsed {
            assert_eq!(parsed.num_vdevs(), 1);
            let vdev = parsed.entries().find_map(|e| match e.resource {
                Resource::Vdev(v) => Some(v),
                _ => None,
            });
            assert_eq!(vdev.map(|v| v.vrings().count()), Some(2));
        }
    }

    #[test]
    fn rsc_rejects_num_past_table() {
        let (mut table, _) = zephyr_table();
        let num = table_field::NUM;
        table[num..num + 4].copy_from_slice(&1000u32.to_le_bytes());
        assert!(ResourceTable::parse(&table, &Limits::DEFAULT).is_err());
    }

    #[test]
    fn rsc_rejects_vring_num_not_power_of_two() {
        let (mut table, vdev) = zephyr_table();
        // vring 0's `num`, after the vdev's type word and fixed part.
        let num = vdev + RSC_HDR_SIZE + vdev_field::VRINGS + vring_field::NUM;
        table[num..num + 4].copy_from_slice(&7u32.to_le_bytes());
        assert!(ResourceTable::parse(&table, &Limits::DEFAULT).is_err());
    }
}
