// SPDX-License-Identifier: GPL-2.0

//! The simulated i.MX Messaging Unit (MU).
//!
//! A mailbox controller with the channel layout and `#mbox-cells = <2>` meaning of the i.MX95 MU
//! (`fsl,imx95-mu`, `imx_mu_xlate()` in `drivers/mailbox/imx-mailbox.c`): 24 channels, cells
//! `<type idx>`, channel `type * 4 + idx`. Its remote side is a simulated peer, the System
//! Manager (MU2) or the Cortex-M7 (MU7).
//!
//! Linux to peer: `send_data` latches the word or doorbell in the "registers" below and queues
//! the MU's work item (the peer's interrupt), which hands it to the peer and signals TX done the
//! way the real MU does:
//!
//! - TX: `mbox_chan_txdone()` once the peer took the word (TX-empty interrupt);
//! - TXDB: `mbox_chan_txdone()` right away (the MU driver's `txdb_work`);
//! - TXDB_V2: no TX done from the controller; the client acknowledges (`MBOX_TXDONE_BY_ACK`, set
//!   by `of_xlate` as `imx_mu_xlate()` does), as the SCMI mailbox transport does with
//!   `mbox_client_txdone()` once the reply arrived.
//!
//! Peer to Linux: the peer calls [`Controller::received`] from process context (the real MU
//! driver delivers from its threaded interrupt handler): a pointer to the word for RX channels,
//! `NULL` for RXDB doorbells.
//!
//! Faults ([`MuFaults`], MU7's in debugfs): a send on a TX data channel refused, a word sent by
//! Linux lost on the way (never delivered, never completed), a word from the peer lost.

use crate::{
    m7::{M7, M7_MU_IDX},
    mbox_ctrl::{Controller, Message, Ops, Payload, Xlate},
    sm::ScmiChannel,
    vm7link::Link,
};
use kernel::{
    fmt, new_spinlock,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Full, Relaxed},
        Arc, ArcBorrow, SpinLock,
    },
};

/// Number of channels of an MU (`IMX_MU_CHANS`).
pub(crate) const NUM_CHANS: usize = 24;

/// Number of channels per type.
const NUM_IDX: usize = 4;

/// The doorbell (general purpose interrupt) index of the SCMI A2P channel (`<&mu2 5 0>` sends,
/// `<&mu2 3 0>` receives the completion).
const SCMI_A2P_IDX: usize = 0;

/// MU channel types (`enum imx_mu_chan_type`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ChanType {
    /// Transmit data register.
    Tx = 0,
    /// Receive data register.
    Rx = 1,
    /// Transmit doorbell (general purpose interrupt request).
    TxDb = 2,
    /// Receive doorbell (general purpose interrupt pending).
    RxDb = 3,
    /// MU reset.
    Rst = 4,
    /// Transmit doorbell acknowledged by the client.
    TxDbV2 = 5,
}

impl ChanType {
    /// All types, in cell order.
    const ALL: [ChanType; 6] = [
        ChanType::Tx,
        ChanType::Rx,
        ChanType::TxDb,
        ChanType::RxDb,
        ChanType::Rst,
        ChanType::TxDbV2,
    ];

    /// Returns the channel number of index `idx` (`0..4`) of this type.
    pub(crate) const fn chan(self, idx: usize) -> usize {
        self as usize * NUM_IDX + idx
    }

    /// Splits a channel number into type and index.
    fn of_chan(chan: usize) -> Option<(ChanType, usize)> {
        let ty = *Self::ALL.get(chan / NUM_IDX)?;
        Some((ty, chan % NUM_IDX))
    }

    /// Returns the type of mailbox cell value `cell`.
    fn of_cell(cell: u32) -> Option<ChanType> {
        Self::ALL.get(usize::try_from(cell).ok()?).copied()
    }
}

/// Bit of [`Regs::pending`] for TX data register `idx` being full.
const fn tr_full(idx: usize) -> u32 {
    1 << idx
}

/// Bit of [`Regs::pending`] for a TXDB doorbell `idx` (controller acknowledges).
const fn gir_txdb(idx: usize) -> u32 {
    1 << (NUM_IDX + idx)
}

/// Bit of [`Regs::pending`] for a TXDB_V2 doorbell `idx` (client acknowledges).
const fn gir_txdb_v2(idx: usize) -> u32 {
    1 << (2 * NUM_IDX + idx)
}

/// The Linux-to-peer half of the MU's registers.
struct Regs {
    /// Transmit data registers.
    tr: [Atomic<u32>; NUM_IDX],
    /// Pending events for the peer, see [`tr_full`], [`gir_txdb`], [`gir_txdb_v2`].
    pending: Atomic<u32>,
}

impl Regs {
    /// Sets `bits` in `pending`, ordered after the preceding register writes.
    fn raise(&self, bits: u32) {
        let mut old = self.pending.load(Relaxed);
        while let Err(cur) = self.pending.cmpxchg(old, old | bits, Full) {
            old = cur;
        }
    }
}

/// Injected faults of an MU's data channels: each counter is how many of the next events fail.
pub(crate) struct MuFaults {
    /// Sends on a TX data channel that `send_data` refuses (`EBUSY`, as for a full register).
    refuse: Atomic<u32>,
    /// Words Linux sends on a TX data channel that are latched but lost: the peer never sees
    /// them and the transmission never completes, so a blocking client times out.
    drop_tx: Atomic<u32>,
    /// Words the peer sends on an RX data channel that never reach Linux.
    drop_rx: Atomic<u32>,
    /// How many sends were refused, Linux words lost, peer words lost.
    done: [Atomic<u32>; 3],
}

/// A kind of [`MuFaults`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MuFault {
    /// A refused send.
    Refuse = 0,
    /// A word from Linux lost.
    DropTx = 1,
    /// A word from the peer lost.
    DropRx = 2,
}

impl MuFaults {
    /// No fault pending.
    pub(crate) const fn new() -> Self {
        Self {
            refuse: Atomic::new(0),
            drop_tx: Atomic::new(0),
            drop_rx: Atomic::new(0),
            done: [const { Atomic::new(0) }; 3],
        }
    }

    fn counter(&self, kind: MuFault) -> &Atomic<u32> {
        match kind {
            MuFault::Refuse => &self.refuse,
            MuFault::DropTx => &self.drop_tx,
            MuFault::DropRx => &self.drop_rx,
        }
    }

    /// Returns how many events of `kind` are still to fail.
    pub(crate) fn pending(&self, kind: MuFault) -> u32 {
        self.counter(kind).load(Relaxed)
    }

    /// Makes the next `n` events of `kind` fail.
    pub(crate) fn set(&self, kind: MuFault, n: u32) {
        self.counter(kind).store(n, Relaxed);
    }

    /// Returns how many events of `kind` failed so far.
    pub(crate) fn count(&self, kind: MuFault) -> u32 {
        self.done[kind as usize].load(Relaxed)
    }

    /// Whether this event of `kind` fails (and counts it). Atomic context is fine.
    pub(crate) fn take(&self, kind: MuFault) -> bool {
        let counter = self.counter(kind);
        let mut old = counter.load(Relaxed);
        while old > 0 {
            match counter.cmpxchg(old, old - 1, Full) {
                Ok(_) => {
                    let done = &self.done[kind as usize];
                    let mut d = done.load(Relaxed);
                    while let Err(cur) = done.cmpxchg(d, d.wrapping_add(1), Relaxed) {
                        d = cur;
                    }
                    return true;
                }
                Err(cur) => old = cur,
            }
        }
        false
    }
}

/// How many words [`MuTrace`] keeps (the oldest are overwritten).
const TRACE_LEN: usize = 1024;

/// How many distinct words Linux sent [`MuTrace`] counts one by one.
const TRACE_DISTINCT: usize = 8;

/// What became of a word on a data channel.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Fate {
    /// Linux to peer: latched in the TX register.
    Sent,
    /// Linux to peer: refused by `send_data` (`mu7_refuse`).
    Refused,
    /// Lost on the way (`mu7_drop_tx`, `mu7_drop_rx`).
    Lost,
    /// Peer to Linux: handed to the client of the RX channel.
    Delivered,
    /// Peer to Linux: no client has the RX channel (freed or never requested).
    Undelivered,
}

impl Fate {
    fn name(self) -> &'static str {
        match self {
            Fate::Sent => "sent",
            Fate::Refused => "refused",
            Fate::Lost => "lost",
            Fate::Delivered => "delivered",
            Fate::Undelivered => "undelivered",
        }
    }
}

/// One logged word.
#[derive(Clone, Copy)]
struct Entry {
    seq: u64,
    chan: usize,
    word: u32,
    fate: Fate,
}

/// The words of a [`MuTrace`].
struct Words {
    next_seq: u64,
    /// The last [`TRACE_LEN`] entries, entry `seq` at `seq % TRACE_LEN`.
    ring: KVec<Entry>,
    /// The first [`TRACE_DISTINCT`] distinct words Linux sent, with how many times.
    tx_distinct: [(u32, u64); TRACE_DISTINCT],
    tx_distinct_len: usize,
    /// Words Linux sent that did not fit in `tx_distinct`.
    tx_other: u64,
    /// Words of the peer that reached no client.
    undelivered: u64,
}

/// What went over an MU (debugfs `mu7_words`, `mu7_chans`): every data word in each direction
/// with a sequence number, and which channels have a client. Tests read it to check the words
/// a driver sends (the kick encoding) and that it gives its channels back.
#[pin_data]
pub(crate) struct MuTrace {
    #[pin]
    words: SpinLock<Words>,
    /// 1 while channel `i` has a client.
    requested: [Atomic<u32>; NUM_CHANS],
    /// How many times each channel was requested, freed.
    requests: [Atomic<u32>; NUM_CHANS],
    frees: [Atomic<u32>; NUM_CHANS],
}

/// Returns the name of channel `chan` (`tx1`, `rxdb1`, ...).
fn chan_name(chan: usize) -> (&'static str, usize) {
    match ChanType::of_chan(chan) {
        Some((ChanType::Tx, i)) => ("tx", i),
        Some((ChanType::Rx, i)) => ("rx", i),
        Some((ChanType::TxDb, i)) => ("txdb", i),
        Some((ChanType::RxDb, i)) => ("rxdb", i),
        Some((ChanType::Rst, i)) => ("rst", i),
        Some((ChanType::TxDbV2, i)) => ("txdb_v2", i),
        None => ("?", chan),
    }
}

impl MuTrace {
    /// An empty trace.
    pub(crate) fn new() -> Result<Arc<Self>> {
        let ring = KVec::with_capacity(TRACE_LEN, GFP_KERNEL)?;
        Arc::pin_init(
            pin_init!(Self {
                words <- new_spinlock!(Words {
                    next_seq: 1,
                    ring,
                    tx_distinct: [(0, 0); TRACE_DISTINCT],
                    tx_distinct_len: 0,
                    tx_other: 0,
                    undelivered: 0,
                }),
                requested: [const { Atomic::new(0) }; NUM_CHANS],
                requests: [const { Atomic::new(0) }; NUM_CHANS],
                frees: [const { Atomic::new(0) }; NUM_CHANS],
            }),
            GFP_KERNEL,
        )
    }

    /// Logs `word` on data channel `chan`. Atomic context is fine (never allocates).
    pub(crate) fn word(&self, chan: usize, word: u32, fate: Fate) {
        let mut w = self.words.lock();
        let seq = w.next_seq;
        w.next_seq += 1;
        let e = Entry {
            seq,
            chan,
            word,
            fate,
        };
        let slot = (seq as usize) % TRACE_LEN;
        if let Some(old) = w.ring.get_mut(slot) {
            *old = e;
        } else {
            // Filled in order up to TRACE_LEN, within the capacity reserved in `new`.
            let _ = w.ring.push_within_capacity(e);
        }
        if fate == Fate::Undelivered {
            w.undelivered += 1;
        }
        if matches!(ChanType::of_chan(chan), Some((ChanType::Tx, _))) {
            let n = w.tx_distinct_len;
            if let Some(d) = w.tx_distinct[..n].iter_mut().find(|d| d.0 == word) {
                d.1 += 1;
            } else if n < TRACE_DISTINCT {
                w.tx_distinct[n] = (word, 1);
                w.tx_distinct_len += 1;
            } else {
                w.tx_other += 1;
            }
        }
    }

    /// Forgets the words (the sequence numbers go on).
    pub(crate) fn clear(&self) {
        let mut w = self.words.lock();
        w.ring.clear();
        w.tx_distinct_len = 0;
        w.tx_other = 0;
        w.undelivered = 0;
    }

    /// Writes `mu7_words`: `# tx_words WORD:COUNT...`, `# undelivered N`, then one line per
    /// word, oldest first: `SEQ CHAN WORD FATE`.
    pub(crate) fn show_words(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.words.lock();
        let mut d = w.tx_distinct;
        let d = &mut d[..w.tx_distinct_len];
        d.sort_unstable_by_key(|e| e.0);
        write!(f, "# tx_words")?;
        for (word, n) in d.iter() {
            write!(f, " {word:#x}:{n}")?;
        }
        writeln!(f, " other:{}", w.tx_other)?;
        writeln!(f, "# undelivered {}", w.undelivered)?;
        let n = w.ring.len();
        let first = w.next_seq.saturating_sub(n as u64);
        for s in first..w.next_seq {
            if let Some(e) = w.ring.get((s as usize) % TRACE_LEN) {
                let (ty, i) = chan_name(e.chan);
                writeln!(f, "{} {ty}{i} {:#x} {}", e.seq, e.word, e.fate.name())?;
            }
        }
        Ok(())
    }

    /// Writes `mu7_chans`: for each channel ever requested, `NAME requested 0|1 requests N
    /// frees M`.
    pub(crate) fn show_chans(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in 0..NUM_CHANS {
            let n = self.requests[c].load(Relaxed);
            if n == 0 {
                continue;
            }
            let (ty, i) = chan_name(c);
            writeln!(
                f,
                "{ty}{i} requested {} requests {n} frees {}",
                self.requested[c].load(Relaxed),
                self.frees[c].load(Relaxed)
            )?;
        }
        Ok(())
    }

    fn startup(&self, chan: usize) {
        self.requested[chan].store(1, Relaxed);
        self.requests[chan].fetch_add(1, Relaxed);
    }

    fn shutdown(&self, chan: usize) {
        self.requested[chan].store(0, Relaxed);
        self.frees[chan].fetch_add(1, Relaxed);
    }
}

/// The remote end of an MU.
pub(crate) enum Peer {
    /// The System Manager: serves SCMI requests from the shared memory on doorbell 0.
    Sm(ScmiChannel),
    /// The Cortex-M7.
    M7(Arc<M7>),
    /// The Cortex-M7 executed by vm7 on the host, through the link page.
    Vm7(Arc<Link>),
}

impl Peer {
    /// Returns the name used in the device tree (`imxrprocrs,peer`).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Peer::Sm(_) => "sm",
            Peer::M7(_) | Peer::Vm7(_) => "m7",
        }
    }
}

/// The state of a simulated MU: its registers, its peer and its faults.
pub(crate) struct MuHw {
    regs: Regs,
    peer: Peer,
    faults: Arc<MuFaults>,
    trace: Arc<MuTrace>,
}

/// A simulated MU.
pub(crate) type Mu = Controller<MuHw>;

impl MuHw {
    /// Creates an idle MU connected to `peer`, failing as `faults` says.
    pub(crate) fn new(peer: Peer, faults: Arc<MuFaults>, trace: Arc<MuTrace>) -> Self {
        Self {
            regs: Regs {
                tr: [const { Atomic::new(0) }; NUM_IDX],
                pending: Atomic::new(0),
            },
            peer,
            faults,
            trace,
        }
    }

    /// Returns the log of words and channels.
    pub(crate) fn trace(&self) -> &MuTrace {
        &self.trace
    }

    /// Returns the injected faults.
    pub(crate) fn faults(&self) -> &MuFaults {
        &self.faults
    }

    /// Returns the peer.
    pub(crate) fn peer(&self) -> &Peer {
        &self.peer
    }

    /// The peer took word `value` from TX register `idx`.
    fn peer_word(&self, mu: &Mu, idx: usize, value: u32) {
        match &self.peer {
            Peer::M7(m7) if idx == M7_MU_IDX => m7.on_kick(value),
            // vm7's MU7 B side has all four receive registers.
            Peer::Vm7(link) => link.to_m7(idx, Some(value)),
            _ => dev_dbg!(
                mu.dev(),
                "word {:#x} on TX{} ignored by the peer\n",
                value,
                idx
            ),
        }
    }

    /// The peer got doorbell `idx`.
    fn peer_doorbell(&self, mu: &Mu, idx: usize) {
        match &self.peer {
            Peer::Sm(scmi) if idx == SCMI_A2P_IDX => {
                if scmi.serve() {
                    // The completion interrupt, after the channel was marked free.
                    if let Err(e) = mu.received(ChanType::RxDb.chan(SCMI_A2P_IDX), Message::Signal)
                    {
                        dev_warn!(mu.dev(), "SCMI completion not delivered: {:?}\n", e);
                    }
                }
            }
            // Doorbell 1 of MU2 is the agent's P2A notification acknowledgement: nothing to do
            // as the simulated System Manager sends no notifications.
            Peer::Sm(_) => {}
            Peer::M7(m7) => m7.on_doorbell(idx),
            Peer::Vm7(link) => link.to_m7(idx, None),
        }
    }
}

impl Mu {
    /// The peer sends `value` to Linux on RX data channel `idx`: one path for every peer (the
    /// manifest M7, vm7 through the link page). An injected [`MuFault::DropRx`] loses it on
    /// the way; otherwise it goes to the channel's client ([`Controller::received`]). Either
    /// way its fate is logged in the trace (`mu7_words`).
    ///
    /// Process context only. Fails with `ENXIO` if Linux has not requested the channel (the
    /// word is logged undelivered); a lost word is sent as far as the peer knows (`Ok`).
    pub(crate) fn peer_sends(&self, idx: usize, value: u32) -> Result {
        let chan = ChanType::Rx.chan(idx);
        let trace = self.data().trace();
        if self.data().faults().take(MuFault::DropRx) {
            trace.word(chan, value, Fate::Lost);
            return Ok(());
        }
        let r = self.received(chan, Message::Word(value));
        let fate = if r.is_ok() {
            Fate::Delivered
        } else {
            Fate::Undelivered
        };
        trace.word(chan, value, fate);
        r
    }
}

impl Ops for MuHw {
    fn payload(&self, index: usize) -> Payload {
        match ChanType::of_chan(index) {
            Some((ChanType::Tx | ChanType::Rx, _)) => Payload::Word,
            _ => Payload::Signal,
        }
    }

    fn xlate(&self, args: &[u32]) -> Result<Xlate> {
        let &[ty, idx] = args else {
            return Err(EINVAL);
        };
        let ty = ChanType::of_cell(ty).ok_or(EINVAL)?;
        let idx = usize::try_from(idx).map_err(|_| EINVAL)?;
        // The real MU only rejects a channel number >= 24 and RST with idx != 0; an index >= 4
        // would alias a channel of the next type, which is a device-tree bug.
        if idx >= NUM_IDX || (ty == ChanType::Rst && idx != 0) {
            return Err(EINVAL);
        }
        Ok(Xlate {
            index: ty.chan(idx),
            client_acks: ty == ChanType::TxDbV2,
        })
    }

    fn startup(&self, index: usize) -> Result {
        if index >= NUM_CHANS {
            return Err(EINVAL);
        }
        self.trace.startup(index);
        Ok(())
    }

    fn shutdown(&self, index: usize) {
        if index < NUM_CHANS {
            self.trace.shutdown(index);
        }
    }

    fn send_data(ctrl: ArcBorrow<'_, Mu>, index: usize, msg: Message) -> Result {
        let (ty, idx) = ChanType::of_chan(index).ok_or(EINVAL)?;
        let regs = &ctrl.data().regs;
        match (ty, msg) {
            (ChanType::Tx, Message::Word(value)) => {
                let trace = &ctrl.data().trace;
                if regs.pending.load(Acquire) & tr_full(idx) != 0 {
                    trace.word(index, value, Fate::Refused);
                    return Err(EBUSY);
                }
                let faults = &ctrl.data().faults;
                if faults.take(MuFault::Refuse) {
                    trace.word(index, value, Fate::Refused);
                    return Err(EBUSY);
                }
                if faults.take(MuFault::DropTx) {
                    // Accepted, then lost: no TX-empty interrupt will ever say it went out.
                    trace.word(index, value, Fate::Lost);
                    return Ok(());
                }
                trace.word(index, value, Fate::Sent);
                regs.tr[idx].store(value, Relaxed);
                regs.raise(tr_full(idx));
            }
            (ChanType::TxDb, _) => regs.raise(gir_txdb(idx)),
            (ChanType::TxDbV2, _) => regs.raise(gir_txdb_v2(idx)),
            // Like `imx_mu_generic_tx()`: "Send data on wrong channel type".
            _ => return Err(EINVAL),
        }
        Mu::schedule(ctrl);
        Ok(())
    }

    fn work(mu: &Mu) {
        let hw = mu.data();
        loop {
            let pending = hw.regs.pending.xchg(0, Full);
            if pending == 0 {
                break;
            }
            for idx in 0..NUM_IDX {
                if pending & tr_full(idx) != 0 {
                    let value = hw.regs.tr[idx].load(Relaxed);
                    // TX empty: the transmission is complete once the peer read the register.
                    let _ = mu.txdone(ChanType::Tx.chan(idx), Ok(()));
                    hw.peer_word(mu, idx, value);
                }
                if pending & gir_txdb(idx) != 0 {
                    let _ = mu.txdone(ChanType::TxDb.chan(idx), Ok(()));
                    hw.peer_doorbell(mu, idx);
                }
                if pending & gir_txdb_v2(idx) != 0 {
                    hw.peer_doorbell(mu, idx);
                }
            }
        }
    }
}
