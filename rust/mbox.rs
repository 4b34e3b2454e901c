// SPDX-License-Identifier: GPL-2.0

//! The `tx` and `rx` mailbox channels of the M7's messaging unit, and the
//! words a kick sends.

use crate::{
    diag::Stats,
    kernel_ext::mailbox::{
        self,
        Channel, //
    },
    rproc::ImxRproc,
    rx::RxWork, //
};
use core::sync::atomic::{
    AtomicU32,
    Ordering, //
};
use kernel::{
    device::{
        Bound,
        Device, //
    },
    io::poll::read_poll_timeout,
    prelude::*,
    sync::Arc,
    time::Delta, //
};

/// How long a kick waits for the MU to take its word, as the C driver's `tx_tout`.
pub(crate) const MBOX_TX_TIMEOUT_MS: u32 = 100;

/// Failed kicks logged one by one before only every
/// `KICK_ERR_LOG_EVERY`th is.
pub(crate) const KICK_ERR_LOG_FIRST: u64 = 10;

/// See `KICK_ERR_LOG_FIRST`.
pub(crate) const KICK_ERR_LOG_EVERY: u64 = 1000;

/// Virtqueue ids a kick can name: the core gives each vring a notify id
/// from 0, and a resource table has at most 32 entries of at most 2 vrings.
pub(crate) const MAX_KICK_IDS: usize = 64;

/// The word a kick of virtqueue `i` sends (the NXP convention: the id in the
/// upper half-word). Static, so the pointer the mailbox framework keeps is
/// valid whatever happens to the kick that sent it.
pub(crate) static KICK_WORDS: [AtomicU32; MAX_KICK_IDS] = kick_words();

pub(crate) const fn kick_words() -> [AtomicU32; MAX_KICK_IDS] {
    let mut words = [const { AtomicU32::new(0) }; MAX_KICK_IDS];
    let mut i = 0;
    while i < MAX_KICK_IDS {
        words[i] = AtomicU32::new((i as u32) << 16);
        i += 1;
    }
    words
}

/// The `tx` and `rx` channels of the M7's messaging unit.
pub(crate) struct Mailboxes {
    pub(crate) tx: Channel<RxWork>,
    pub(crate) _rx: Channel<RxWork>,
}

impl Mailboxes {
    /// Requests both channels, as `imx_rproc_xtr_mbox_init` does.
    pub(crate) fn request(dev: &Device<Bound>, rx: &Arc<RxWork>) -> Result<Self> {
        let tx = Self::channel(dev, c"tx", None)?;
        let rx_chan = Self::channel(dev, c"rx", Some(rx.clone()))?;
        Ok(Self { tx, _rx: rx_chan })
    }

    /// Requests channel `name`, reporting failures other than a deferral.
    /// Sends block until the MU took the word, at most
    /// `MBOX_TX_TIMEOUT_MS`, as in the C driver: the mailbox core ticks a
    /// send that timed out off, so one lost TX-done (a word the M7 never
    /// took) does not stall every later kick, as it does with queued,
    /// non-blocking sends until the channel is freed.
    pub(crate) fn channel(
        dev: &Device<Bound>,
        name: &CStr,
        handler: Option<Arc<RxWork>>,
    ) -> Result<Channel<RxWork>> {
        let config = mailbox::Config {
            tx_block: true,
            tx_tout_ms: MBOX_TX_TIMEOUT_MS,
            knows_txdone: false,
        };
        Channel::request(dev, name, config, handler).inspect_err(|e| {
            if *e != EPROBE_DEFER {
                dev_err!(dev, "failed to request {} mailbox channel: {:?}\n", name, e);
            }
        })
    }
}

impl ImxRproc {
    /// Requests the mailbox channels again after a stop.
    pub(crate) fn mbox_init(&self, dev: &Device<Bound>) -> Result {
        let mut guard = self.mbox.lock();
        if guard.is_none() {
            *guard = Some(Arc::new(Mailboxes::request(dev, &self.rx)?, GFP_KERNEL)?);
        }
        Ok(())
    }

    pub(crate) fn mbox_free(&self) {
        let taken = self.mbox.lock().take();
        drop(taken);
        // A kick still sending holds the channels until its send returns
        // (at most MBOX_TX_TIMEOUT_MS): wait for it, so that they are
        // released and free for the next start when this returns.
        let sent = read_poll_timeout(
            || Ok(self.kicks_sending.load(Ordering::Acquire)),
            |&sending| sending == 0,
            Delta::from_millis(1),
            Delta::from_millis((2 * MBOX_TX_TIMEOUT_MS).into()),
        );
        if sent.is_err() {
            pr_warn!("imx_rproc_rs: a kick is still sending after stop\n");
        }
    }

    /// Sends the kick of virtqueue `vqid` (`Operations::kick`): from any
    /// context, without the core's lock, so without `ImxRproc::boot`.
    pub(crate) fn send_kick(this: &Self, parent: &Device<Bound>, vqid: i32) {
        let Some(word) = usize::try_from(vqid).ok().and_then(|i| KICK_WORDS.get(i)) else {
            Stats::bump(&this.stats.kick_errors);
            dev_err!(parent, "kick: no virtqueue id {}\n", vqid);
            return;
        };
        let mbox = {
            let guard = this.mbox.lock();
            if guard.is_some() {
                // Under the lock, so that `mbox_free` sees it.
                this.kicks_sending.fetch_add(1, Ordering::Acquire);
            }
            guard.clone()
        };
        let Some(mbox) = mbox else {
            dev_err!(parent, "No initialized mbox tx channel\n");
            return;
        };
        Stats::bump(&this.stats.kicks);
        // Waits until the MU took the word (or `MBOX_TX_TIMEOUT_MS`).
        if let Err(e) = mbox.tx.post_u32(word) {
            // A remote that stopped taking words fails every kick: the first
            // few are logged, then one in KICK_ERR_LOG_EVERY with the count.
            let failed = this.stats.kick_errors.fetch_add(1, Ordering::Relaxed) + 1;
            if failed <= KICK_ERR_LOG_FIRST || failed % KICK_ERR_LOG_EVERY == 0 {
                dev_err!(
                    parent,
                    "kick: failed ({}, err:{:?}), {} failed kicks so far\n",
                    vqid,
                    e,
                    failed
                );
            }
        }
        // The channels go before the count does: when `mbox_free` sees no
        // kick sending, they are released.
        drop(mbox);
        this.kicks_sending.fetch_sub(1, Ordering::Release);
    }
}
