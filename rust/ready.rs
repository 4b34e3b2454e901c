// SPDX-License-Identifier: GPL-2.0

//! The ready handshake: a firmware that announces it (the
//! `.imx_rproc.ready` section) rings the `rxdb` doorbell once it is ready
//! for IPC, and `start` waits for it.

use crate::kernel_ext::mailbox::RxHandler;
use core::sync::atomic::{
    AtomicBool,
    Ordering, //
};
use kernel::{
    device::Device,
    io::poll::read_poll_timeout,
    prelude::*,
    sync::Arc,
    time::{
        Delta,
        Instant,
        Monotonic, //
    }, //
};

/// A firmware that rings the `rxdb` doorbell once ready says so with this
/// section, holding the longest wait in ms as a little-endian `u32` (0: the
/// default, [`READY_DEFAULT_MS`]). Replaces the rejected
/// `fsl,startup-delay-ms`: no fixed sleep, and no wait at all for a
/// firmware that does not announce it.
pub(crate) const READY_SECTION: &[u8] = b".imx_rproc.ready";

/// Default wait for the ready doorbell.
pub(crate) const READY_DEFAULT_MS: u32 = 1000;

/// The `rxdb` doorbell a firmware rings once it is ready for IPC.
pub(crate) struct ReadyBell {
    pub(crate) rung: AtomicBool,
}

impl RxHandler for ReadyBell {
    fn received(this: &Arc<Self>) {
        this.rung.store(true, Ordering::Release);
    }
}

/// Waits until the firmware rang the ready doorbell, at most `ms` (measured
/// on the monotonic clock by `read_poll_timeout`, not by counting sleeps,
/// which last longer than asked on a loaded machine).
pub(crate) fn wait_ready(dev: &Device, bell: &ReadyBell, ms: u32) -> Result {
    let begin = Instant::<Monotonic>::now();
    read_poll_timeout(
        || Ok(bell.rung.load(Ordering::Acquire)),
        |&rung| rung,
        Delta::from_millis(1),
        Delta::from_millis(ms.into()),
    )
    .inspect_err(|_| {
        dev_err!(
            dev,
            "the M7 did not signal ready on rxdb within {} ms\n",
            ms
        )
    })?;
    dev_info!(
        dev,
        "the M7 signalled ready after {} ms\n",
        begin.elapsed().as_millis()
    );
    Ok(())
}
