// SPDX-License-Identifier: GPL-2.0

//! Arbitrary bytes as a resource table: `ResourceTable::parse` with
//! `Limits::DEFAULT`, no limits, stricter limits (and fixed vring address
//! ranges) and the attach path's `max_len = len`; every entry and every
//! vring of an accepted table is read back and checked, and acceptance is
//! compared with a reference model (imx_rproc_fw_fuzz::rsc).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    imx_rproc_fw_fuzz::rsc::check_rsc_all(data);
});
