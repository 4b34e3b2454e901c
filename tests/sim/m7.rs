// SPDX-License-Identifier: GPL-2.0

//! The simulated Cortex-M7, behind the simulated MU7.
//!
//! For now a stub that counts the notifications ("kicks") Linux sends on the MU7 TX data channel
//! and sends words to Linux on demand (debugfs `m7_send`). The System Manager tells it when the
//! M7 is started or stopped ([`M7::on_start`], [`M7::on_stop`]), which is where a full model of
//! the firmware (resource table, vrings, rpmsg) plugs in.
//!
//! Wiring (i.MX95, as used by `imx_rproc` and Zephyr's `openamp_rsc_table` sample): Linux
//! `tx` = MU TX data channel 1 (`<&mu7 0 1>`), Linux `rx` = MU RX data channel 1 (`<&mu7 1 1>`),
//! Linux `rxdb` = MU RX doorbell 1 (`<&mu7 3 1>`).

use crate::{
    mbox_ctrl::Message,
    mu::{ChanType, Mu},
};
use kernel::{
    new_mutex,
    prelude::*,
    sync::{Arc, Mutex},
};

/// The MU index of the data channels between Linux and the M7.
pub(crate) const M7_MU_IDX: usize = 1;

/// Observable state of the M7.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct M7Stats {
    /// Number of words Linux sent on TX channel 1.
    pub(crate) kicks: u64,
    /// The last of them.
    pub(crate) last_kick: u32,
    /// Whether the System Manager has the M7 running.
    pub(crate) running: bool,
    /// The reset vector the M7 was last started at.
    pub(crate) boot_vector: u64,
}

/// The simulated Cortex-M7.
#[pin_data]
pub(crate) struct M7 {
    #[pin]
    stats: Mutex<M7Stats>,
    /// The MU through which the M7 talks to Linux, while the MU7 device is bound.
    #[pin]
    link: Mutex<Option<Arc<Mu>>>,
}

impl M7 {
    /// Creates a stopped M7, not connected to any MU.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            stats <- new_mutex!(M7Stats::default()),
            link <- new_mutex!(None),
        })
    }

    /// Connects the M7 to the MU it talks to Linux through.
    pub(crate) fn attach(&self, mu: Arc<Mu>) {
        *self.link.lock() = Some(mu);
    }

    /// Disconnects the M7 from its MU (the MU device is going away).
    pub(crate) fn detach(&self) {
        let old = self.link.lock().take();
        drop(old);
    }

    /// Linux wrote `value` into the TX data register of channel [`M7_MU_IDX`] (a kick:
    /// `imx_rproc` sends `vqid << 16`, Zephyr ignores the value and looks at all vrings).
    ///
    /// Called from the MU's work item (process context) after the word was taken, i.e. after
    /// Linux's transmission completed.
    pub(crate) fn on_kick(&self, value: u32) {
        let mut stats = self.stats.lock();
        stats.kicks += 1;
        stats.last_kick = value;
    }

    /// Linux rang TX doorbell `idx` of MU7. Nothing uses it yet.
    pub(crate) fn on_doorbell(&self, _idx: usize) {}

    /// The M7 sends `value` to Linux on RX data channel [`M7_MU_IDX`] (the i.MX MU driver hands
    /// the client a pointer to the received word).
    ///
    /// Process context only. Fails with `ENODEV` if the MU7 device is not bound, and with
    /// `ENXIO` if Linux has not requested the channel.
    pub(crate) fn send_to_linux(&self, value: u32) -> Result {
        let mu = self.link.lock().clone().ok_or(ENODEV)?;
        mu.received(ChanType::Rx.chan(M7_MU_IDX), Message::Word(value))
    }

    /// The System Manager started the M7 at `vector` (CPU_START, LMM_BOOT, LMM_RESET, or the
    /// debugfs "already running" switch).
    ///
    /// Called from the System Manager's context (the MU2 work item or a debugfs write) without
    /// System Manager locks held; must not block for long.
    pub(crate) fn on_start(&self, vector: u64) {
        let mut stats = self.stats.lock();
        stats.running = true;
        stats.boot_vector = vector;
    }

    /// The System Manager stopped the M7 (CPU_STOP, LMM_SHUTDOWN, or debugfs). Same context as
    /// [`M7::on_start`].
    pub(crate) fn on_stop(&self) {
        self.stats.lock().running = false;
    }

    /// Returns a snapshot of the M7's observable state.
    pub(crate) fn stats(&self) -> M7Stats {
        *self.stats.lock()
    }
}
