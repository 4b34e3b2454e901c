// SPDX-License-Identifier: GPL-2.0

//! Structure-aware: a valid mkfw image (6 variants) with field mutations
//! decoded from the input (ELF header, program and section headers,
//! resource table header, offsets, vdev, vrings, trace, truncation; see
//! imx_rproc_fw_fuzz::image), then the driver's whole pipeline, every step
//! checked against the reference models. An image left unchanged by the
//! mutations must go through the pipeline.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (base, img) = imx_rproc_fw_fuzz::image::mutate(data);
    imx_rproc_fw_fuzz::image::run_pipeline(&img, img == base.bytes);
});
