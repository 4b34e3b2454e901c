// SPDX-License-Identifier: GPL-2.0

//! What the M7 sends: the mailbox callback defers to a work item that walks
//! the virtqueues and accounts spurious notifications.

use crate::{
    diag::Stats,
    kernel_ext::{
        mailbox::RxHandler,
        remoteproc::Rproc, //
    }, //
};
use core::sync::atomic::{
    AtomicI64,
    AtomicU32,
    AtomicU64,
    Ordering, //
};
use kernel::{
    prelude::*,
    sync::{
        aref::ARef,
        Arc, //
    },
    time::{
        Instant,
        Monotonic, //
    },
    workqueue::{
        self,
        impl_has_work,
        Work,
        WorkItem, //
    }, //
};

/// Notifications in a row that find no used buffer before the driver
/// reports them.
pub(crate) const SPURIOUS_WARN: u64 = 100;

/// Spurious notifications are reported at most this often.
pub(crate) const SPURIOUS_LOG_MS: i64 = 5000;

/// Defers "the M7 sent something" from the mailbox callback, which may be
/// atomic, to process context, where the rpmsg receive path may sleep.
///
/// Its `ARef<Rproc>` does not outlive unbind: the only references to the
/// item are [`ImxRproc::rx`](crate::rproc::ImxRproc::rx) and the `rx` channel's handler, and the
/// registration (devres-bound, dropped at unbind) drops [`ImxRproc`](crate::rproc::ImxRproc) right
/// after `rproc_del`, whose drop frees the channel, then cancels the item
/// and waits for a running one (`cancel_work_sync`).
#[pin_data]
pub(crate) struct RxWork {
    pub(crate) rproc: ARef<Rproc>,
    pub(crate) stats: Arc<Stats>,
    /// `stats.rx` when the last walk started.
    pub(crate) seen: AtomicU64,
    /// [`Rproc::vq_used_sum`] at the last walk.
    pub(crate) last_used: AtomicU32,
    /// Notifications in a row whose walk found nothing new.
    pub(crate) idle_streak: AtomicU64,
    /// Spurious notifications not reported yet.
    pub(crate) unreported: AtomicU64,
    /// When they were last reported, in ms since `base`.
    pub(crate) last_log_ms: AtomicI64,
    pub(crate) base: Instant<Monotonic>,
    #[pin]
    pub(crate) work: Work<RxWork>,
}

impl_has_work! {
    impl HasWork<Self> for RxWork { self.work }
}

impl WorkItem for RxWork {
    type Pointer = Arc<RxWork>;

    fn run(this: Arc<RxWork>) {
        Stats::bump(&this.stats.rx_runs);
        // Notifications coalesce into one run: count those since the last.
        let rx = this.stats.rx.load(Ordering::Relaxed);
        let words = rx.saturating_sub(this.seen.swap(rx, Ordering::Relaxed));
        // The M7's word is not trustworthy (Zephyr sends an uninitialised
        // one), so an unknown notify id cannot be told from a normal
        // notification: look at every virtqueue, and report notifications
        // after which no virtqueue had a new used buffer (a remote kicking
        // for no reason).
        let used = this.rproc.vq_used_sum();
        this.rproc.vq_interrupt_all();
        if this.last_used.swap(used, Ordering::Relaxed) != used {
            this.idle_streak.store(0, Ordering::Relaxed);
            return;
        }
        this.stats.rx_spurious.fetch_add(words, Ordering::Relaxed);
        let streak = this
            .idle_streak
            .fetch_add(words, Ordering::Relaxed)
            .saturating_add(words);
        // A few in a row happen when notifications coalesce; more is a
        // remote that floods: counted, and reported at most every
        // SPURIOUS_LOG_MS (the kernel crate has no printk ratelimit).
        if streak < SPURIOUS_WARN {
            return;
        }
        let new = if streak - words < SPURIOUS_WARN {
            streak
        } else {
            words
        };
        let unreported = this
            .unreported
            .fetch_add(new, Ordering::Relaxed)
            .saturating_add(new);
        let now = (Instant::<Monotonic>::now() - this.base).as_millis();
        if now.saturating_sub(this.last_log_ms.load(Ordering::Relaxed)) >= SPURIOUS_LOG_MS {
            this.last_log_ms.store(now, Ordering::Relaxed);
            this.unreported.store(0, Ordering::Relaxed);
            dev_warn!(
                this.rproc.dev(),
                "{} notifications from the M7 brought no new used buffer in any virtqueue (spurious, ignored; reported at most every {} ms)\n",
                unreported,
                SPURIOUS_LOG_MS
            );
        }
    }
}

impl RxHandler for RxWork {
    fn received(this: &Arc<Self>) {
        Stats::bump(&this.stats.rx);
        // Already queued: that run will see this message's buffers too.
        let _ = workqueue::system_highpri().enqueue(this.clone());
    }
}
