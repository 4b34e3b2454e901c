// SPDX-License-Identifier: GPL-2.0

//! Remote processor driver for the Cortex-M7 of the NXP i.MX95, controlled
//! through the i.MX System Manager.
//!
//! A drop-in replacement for the i.MX95 path of `drivers/remoteproc/imx_rproc.c`:
//! it binds `fsl,imx95-cm7` (and, as data in `dcfg`, the i.MX94 cores the C
//! driver carries), registers the device tree's reserved memory as
//! carveouts, talks to the M7 through the `tx`/`rx` mailboxes and boots and
//! stops it with the System Manager's CPU protocol (the M7 sits in Linux's
//! logical machine) or LMM protocol (it has a logical machine of its own).
//!
//! The crate root only declares the modules, one concern each
//! (`Documentation/design.rst` draws them), and the module itself: the
//! platform driver and the module's debugfs root.

mod crash;
mod dcfg;
mod diag;
mod driver;
mod fw;
mod image;
mod kernel_ext;
mod mbox;
mod memory;
mod ready;
mod rproc;
mod rx;
// Only in the test build (`make tests-modules`, see Kbuild).
#[cfg(all(CONFIG_KUNIT, imx_rproc_rs_tests))]
mod selftests;
mod sm;

use kernel::{
    platform,
    prelude::*, //
};
use kernel_ext::module_dir::ModuleDir;

/// The module: the platform driver and the debugfs root its devices share
/// (`/sys/kernel/debug/imx_rproc_rs/`), as `drivers/gpu/nova-core` keeps its
/// root; otherwise what `module_platform_driver!` makes.
#[pin_data]
struct ImxRprocModule {
    // Dropped first: unregistering unbinds every device, and with it its
    // directory, before the root goes.
    #[pin]
    _driver: kernel::driver::Registration<platform::Adapter<driver::ImxRprocDriver>>,
    _debugfs: ModuleDir,
}

impl kernel::InPlaceModule for ImxRprocModule {
    fn init(module: &'static kernel::ThisModule) -> impl PinInit<Self, Error> {
        let debugfs = ModuleDir::create(<Self as kernel::ModuleMetadata>::NAME);
        try_pin_init!(Self {
            _debugfs: debugfs,
            _driver <- kernel::driver::Registration::new(
                <Self as kernel::ModuleMetadata>::NAME,
                module,
            ),
        })
    }
}

module! {
    type: ImxRprocModule,
    name: "imx_rproc_rs",
    authors: ["imx_rproc_rs developers"],
    description: "i.MX95 Cortex-M7 (and i.MX94 M7/M33S) remote processor driver (Rust)",
    license: "GPL",
    params: {
        detach_on_unbind: u8 {
            default: 1,
            description: "1 (default): on unbind or rmmod, detach from an M7 that was attached to (booted by someone else) instead of stopping it; 0: stop it, as upstream",
        },
        crash_poll_ms: u32 {
            default: 1000,
            description: "While the M7 runs, ask the System Manager this often (ms) whether it still does, and report a crash when not; 0 = off (upstream has no crash detection on SM platforms)",
        },
        graceful_stop_ms: u32 {
            default: 0,
            description: "LMM mode: ask the M7's logical machine to shut down gracefully and wait this long (ms) before forcing it; 0 = forceful at once, as upstream",
        },
    },
}
