// SPDX-License-Identifier: GPL-2.0

//! i.MX95 Cortex-M7 remoteproc driver.

use kernel::prelude::*;

mod kernel_ext;

module! {
    type: ImxRprocModule,
    name: "imx_rproc_rs",
    authors: ["imx_rproc_rs developers"],
    description: "i.MX95 Cortex-M7 remote processor driver (Rust)",
    license: "GPL",
}

struct ImxRprocModule;

impl kernel::Module for ImxRprocModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let _ = kernel_ext::bindings::rproc_vq_interrupt;
        Ok(ImxRprocModule)
    }
}
