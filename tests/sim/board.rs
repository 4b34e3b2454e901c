// SPDX-License-Identifier: GPL-2.0

//! The simulated board: the System Manager, the Cortex-M7, and their debugfs controls in
//! `/sys/kernel/debug/imx95_sim/`.
//!
//! | file           | mode | meaning                                                        |
//! |----------------|------|----------------------------------------------------------------|
//! | `linux_lm`     | rw   | LM of the Linux agent: 1 (M7 in Linux's LM, CPU protocol) or 2 |
//! | `lmm_control`  | rw   | 1: Linux may manage LM 1; 0: BOOT/POWER_ON/... return DENIED   |
//! | `lm_ignore_graceful` | rw | 1: LM 1 ignores graceful LMM_SHUTDOWN (stays on until forced) |
//! | `m7_running`   | rw   | CPU 1 runs; writing 1 pre-boots the M7, 0 stops it             |
//! | `m7_vector`    | r    | last reset vector set for CPU 1 (hex)                          |
//! | `fail`         | rw   | `PROTO MSGID ACTION [NTH [TIMES]]` (see `write_fail`), `clear` |
//! | `log`          | rw   | handled SCMI messages; any write clears                        |
//! | `state`        | r    | summary of the System Manager state                            |
//! | `m7_kicks`     | r    | number of words Linux sent to the M7 on MU7 TX channel 1       |
//! | `m7_last_kick` | r    | the last of them (hex)                                         |
//! | `m7_send`      | w    | the M7 sends this u32 to Linux on MU7 RX channel 1             |
//! | `m7_state`     | r    | the M7's view: running, phase, boot vector, kicks              |
//! | `m7_boot`      | w    | pre-boot (U-Boot `bootaux`): ELF under /lib/firmware or a path |
//! | `m7_image`     | rw   | the ELF the M7 runs (its link map, [`crate::fwimage`]); `none` |
//! | `m7_stats`     | r    | `name value` lines: state, boots, faults, violations, kicks... |
//! | `m7_log`       | rw   | the M7's own log (its console); any write clears               |
//! | `m7_violations`| r    | number of shared-memory protocol violations by Linux           |
//! | `m7_crash`     | w    | 1: the M7 crashes (silent; the SM reports it stopped)          |
//! | `m7_dirty`     | w    | BYTE: the M7's own memory (not IPC) is filled with it (M7 off) |
//! | `m7_hang`      | rw   | 1: the M7 stops processing (the SM still says running)         |
//! | `m7_mute`      | rw   | 1: the M7 receives messages but answers none                   |
//! | `m7_ns_delay_ms` | rw | delay between DRIVER_OK and the name-service announcements     |
//! | `m7_drop_kicks`| rw   | N: the M7 ignores the next N kicks                             |
//! | `m7_corrupt_kick` | rw | N: no notification for the next N replies (Linux not rung)    |
//! | `m7_flood`     | rw   | `N [ADDR]`: endpoint ADDR (default 0x402) sends N messages     |
//! | `m7_sample_destroy` | rw | 1: the sample endpoint destroys itself after 100 messages |
//! | `m7_abuse`     | w    | `VERB [ARGS]`: the M7 breaks the protocol once, see [`crate::hostile`] |
//! | `m7_selftest`  | r    | KTAP self-test of the M7's checker and endpoints (M7 stopped)  |
//! | `selftest`     | r    | KTAP results of the protocol handlers against a fresh SM       |
//! | `bench_memcpy` | rw   | `SIZE [REPS [toio]]`: time a copy into `m7_reserved` (M7 off)   |
//! | `bench_mu_pingpong` | rw | `N`: time N kick/notify round trips of the sim's hops, see [`bench`] |
//! | `mu7_refuse`   | rw   | N: MU7 refuses the next N sends on a TX data channel (`EBUSY`) |
//! | `mu7_drop_tx`  | rw   | N: the next N words Linux sends on MU7 are lost (no TX done)   |
//! | `mu7_drop_rx`  | rw   | N: the next N words the M7 sends to Linux on MU7 are lost      |
//! | `mu7_faults`   | r    | `refused N`, `dropped_tx N`, `dropped_rx N`: faults so far     |
//! | `mu7_words`    | rw   | every MU7 data word, `SEQ CHAN WORD FATE`; `clear` forgets them |
//! | `mu7_chans`    | r    | `NAME requested 0\|1 requests N frees M` per channel used     |
//! | `m7_kick`      | w    | WORD: the M7 takes WORD as if Linux had sent it on TX1         |
//! | `vm7_stats`    | r    | `name value` lines of the link to vm7 ([`crate::vm7link`]), or `none` |
//! | `vm7_poke`     | w    | `ADDR VALUE`: vm7 writes VALUE at M7 address ADDR while the core runs |

use crate::m7mem::M7Mem;
use crate::{
    bench,
    hostile::{self, Abuse, RscField},
    m7::{Knobs, M7},
    mu::{MuFault, MuFaults, MuTrace},
    preboot, rpmsg,
    sm::{self, Fail, FailAction, RemoteIds, Sm},
    vm7link,
};
use kernel::{
    debugfs::{Dir, File},
    fmt,
    prelude::*,
    str::CStr,
    sync::Arc,
    uaccess::UserSliceReader,
};

/// The simulated board.
#[pin_data]
pub(crate) struct Board {
    /// The System Manager.
    pub(crate) sm: Arc<Sm>,
    /// The Cortex-M7.
    pub(crate) m7: Arc<M7>,
    /// The faults of MU7, the M7's messaging unit.
    pub(crate) mu7_faults: Arc<MuFaults>,
    /// The words and channels of MU7.
    pub(crate) mu7_trace: Arc<MuTrace>,
    /// The link to vm7, once MU7 is bound with `imxrprocrs,vm7-link`.
    pub(crate) vm7: Arc<vm7link::Slot>,
    #[pin]
    vm7_stats: File<Arc<vm7link::Slot>>,
    #[pin]
    vm7_poke: File<Arc<vm7link::Slot>>,
    #[pin]
    linux_lm: File<Arc<Sm>>,
    #[pin]
    lmm_control: File<Arc<Sm>>,
    #[pin]
    lm_ignore_graceful: File<Arc<Sm>>,
    #[pin]
    m7_running: File<Arc<Sm>>,
    #[pin]
    m7_vector: File<Arc<Sm>>,
    #[pin]
    fail: File<Arc<Sm>>,
    #[pin]
    log: File<Arc<Sm>>,
    #[pin]
    state: File<Arc<Sm>>,
    #[pin]
    m7_kicks: File<Arc<M7>>,
    #[pin]
    m7_last_kick: File<Arc<M7>>,
    #[pin]
    m7_send: File<Arc<M7>>,
    #[pin]
    m7_state: File<Arc<M7>>,
    #[pin]
    m7_boot: File<Arc<Sm>>,
    #[pin]
    m7_image: File<Arc<M7>>,
    #[pin]
    m7_stats: File<Arc<M7>>,
    #[pin]
    m7_log: File<Arc<M7>>,
    #[pin]
    m7_violations: File<Arc<M7>>,
    #[pin]
    m7_crash: File<Arc<M7>>,
    #[pin]
    m7_dirty: File<Arc<M7>>,
    #[pin]
    m7_hang: File<KnobFile>,
    #[pin]
    m7_mute: File<KnobFile>,
    #[pin]
    m7_ns_delay_ms: File<KnobFile>,
    #[pin]
    m7_drop_kicks: File<KnobFile>,
    #[pin]
    m7_corrupt_kick: File<KnobFile>,
    #[pin]
    m7_flood: File<Arc<M7>>,
    #[pin]
    m7_sample_destroy: File<KnobFile>,
    #[pin]
    m7_abuse: File<Arc<M7>>,
    #[pin]
    m7_selftest: File<Arc<M7>>,
    #[pin]
    selftest: File<()>,
    #[pin]
    bench_memcpy: File<Arc<bench::Memcpy>>,
    #[pin]
    bench_mu_pingpong: File<Arc<bench::PingPong>>,
    #[pin]
    mu7_refuse: File<MuFaultFile>,
    #[pin]
    mu7_drop_tx: File<MuFaultFile>,
    #[pin]
    mu7_drop_rx: File<MuFaultFile>,
    #[pin]
    mu7_stats: File<Arc<MuFaults>>,
    #[pin]
    mu7_words: File<Arc<MuTrace>>,
    #[pin]
    mu7_chans: File<Arc<MuTrace>>,
    #[pin]
    m7_kick: File<Arc<M7>>,
    #[pin]
    bench_readfw: File<bench::ReadFw>,
    _dir: Dir,
}

/// The remote-core nodes the board knows, by compatible, and how the SoC's System Manager
/// numbers each core (drivers/remoteproc/imx_rproc.c, Linux 7.2: the `cpuid` and `lmid` of
/// `imx_rproc_cfg_imx95_m7`, `imx_rproc_cfg_imx94_m70`, `_m71`, `_m33s`).
const REMOTES: [(&CStr, RemoteIds); 4] = [
    (c"fsl,imx95-cm7", RemoteIds::IMX95),
    (c"fsl,imx94-cm70", RemoteIds { cpu: 1, lm: 2 }),
    (c"fsl,imx94-cm71", RemoteIds { cpu: 7, lm: 3 }),
    (c"fsl,imx94-cm33s", RemoteIds { cpu: 8, lm: 1 }),
];

impl Board {
    /// Creates the board in its power-on state, with its debugfs directory.
    pub(crate) fn new() -> Result<Arc<Self>> {
        // The remote core's node: the i.MX95's cm7, or one of the i.MX94's cores, which the
        // System Manager numbers as the SoC does (sm::RemoteIds).
        let found = REMOTES
            .iter()
            .find_map(|&(compatible, ids)| Some((M7Mem::from_dt(compatible).ok()?, ids)));
        let (mem, ids) = found.unwrap_or_else(|| {
            pr_warn!("no memory for the simulated M7 (no remote core node); it will fault\n");
            (M7Mem::empty(), RemoteIds::IMX95)
        });
        let m7 = Arc::pin_init(M7::new(mem), GFP_KERNEL)?;
        for r in m7.mem().regions() {
            m7.note(format_args!(
                "memory: {} at {:#x}, {:#x} bytes ({:?})",
                r.name(),
                r.phys(),
                r.size(),
                r.kind()
            ));
        }
        let vm7 = vm7link::Slot::new()?;
        let sm = Arc::pin_init(Sm::new(m7.clone(), vm7.clone()), GFP_KERNEL)?;
        sm.set_remote_ids(ids);
        let mu7_faults = Arc::new(MuFaults::new(), GFP_KERNEL)?;
        let mu7_trace = MuTrace::new()?;
        let dir = Dir::new(c"imx95_sim");

        Arc::pin_init(
            try_pin_init!(Self {
                linux_lm <- dir.read_write_callback_file(
                    c"linux_lm",
                    sm.clone(),
                    &|sm: &Arc<Sm>, f: &mut fmt::Formatter<'_>| writeln!(f, "{}", sm.linux_lm()),
                    &|sm: &Arc<Sm>, r: &mut UserSliceReader| sm.set_linux_lm(read_u32(r)?),
                ),
                lmm_control <- dir.read_write_callback_file(
                    c"lmm_control",
                    sm.clone(),
                    &|sm: &Arc<Sm>, f: &mut fmt::Formatter<'_>| {
                        writeln!(f, "{}", u32::from(sm.lmm_control()))
                    },
                    &|sm: &Arc<Sm>, r: &mut UserSliceReader| {
                        sm.set_lmm_control(read_bool(r)?);
                        Ok(())
                    },
                ),
                lm_ignore_graceful <- dir.read_write_callback_file(
                    c"lm_ignore_graceful",
                    sm.clone(),
                    &|sm: &Arc<Sm>, f: &mut fmt::Formatter<'_>| {
                        writeln!(f, "{}", u32::from(sm.ignore_graceful()))
                    },
                    &|sm: &Arc<Sm>, r: &mut UserSliceReader| {
                        sm.set_ignore_graceful(read_bool(r)?);
                        Ok(())
                    },
                ),
                m7_running <- dir.read_write_callback_file(
                    c"m7_running",
                    sm.clone(),
                    &|sm: &Arc<Sm>, f: &mut fmt::Formatter<'_>| {
                        writeln!(f, "{}", u32::from(sm.m7_running()))
                    },
                    &|sm: &Arc<Sm>, r: &mut UserSliceReader| {
                        sm.set_m7_running(read_bool(r)?);
                        Ok(())
                    },
                ),
                m7_vector <- dir.read_callback_file(
                    c"m7_vector",
                    sm.clone(),
                    &|sm: &Arc<Sm>, f: &mut fmt::Formatter<'_>| writeln!(f, "{:#x}", sm.m7_vector()),
                ),
                fail <- dir.read_write_callback_file(
                    c"fail",
                    sm.clone(),
                    &|sm: &Arc<Sm>, f: &mut fmt::Formatter<'_>| sm.show_fails(f),
                    &write_fail,
                ),
                log <- dir.read_write_callback_file(
                    c"log",
                    sm.clone(),
                    &|sm: &Arc<Sm>, f: &mut fmt::Formatter<'_>| sm.show_log(f),
                    &|sm: &Arc<Sm>, _r: &mut UserSliceReader| {
                        sm.clear_log();
                        Ok(())
                    },
                ),
                state <- dir.read_callback_file(
                    c"state",
                    sm.clone(),
                    &|sm: &Arc<Sm>, f: &mut fmt::Formatter<'_>| sm.show_state(f),
                ),
                m7_kicks <- dir.read_callback_file(
                    c"m7_kicks",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| {
                        writeln!(f, "{}", m7.snapshot().stats.kicks_in)
                    },
                ),
                m7_last_kick <- dir.read_callback_file(
                    c"m7_last_kick",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| {
                        writeln!(f, "{:#x}", m7.snapshot().stats.last_kick)
                    },
                ),
                m7_send <- dir.write_callback_file(
                    c"m7_send",
                    m7.clone(),
                    &|m7: &Arc<M7>, r: &mut UserSliceReader| m7.send_to_linux(read_u32(r)?),
                ),
                m7_state <- dir.read_callback_file(
                    c"m7_state",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| {
                        let s = m7.snapshot();
                        writeln!(f, "running {}", u32::from(s.running))?;
                        writeln!(f, "phase {}", s.phase.name())?;
                        writeln!(f, "boot_vector {:#x}", s.boot_vector)?;
                        writeln!(f, "kicks {}", s.stats.kicks_in)?;
                        writeln!(f, "last_kick {:#x}", s.stats.last_kick)
                    },
                ),
                m7_boot <- dir.write_callback_file(
                    c"m7_boot",
                    sm.clone(),
                    &|sm: &Arc<Sm>, r: &mut UserSliceReader| {
                        let mut buf = [0u8; 256];
                        preboot::boot_file(sm, read_str(r, &mut buf)?)
                    },
                ),
                m7_image <- dir.read_write_callback_file(
                    c"m7_image",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| m7.show_image(f),
                    &|m7: &Arc<M7>, r: &mut UserSliceReader| {
                        let mut buf = [0u8; 256];
                        preboot::image_file(m7, read_str(r, &mut buf)?)
                    },
                ),
                m7_stats <- dir.read_callback_file(
                    c"m7_stats",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| m7.show_stats(f),
                ),
                m7_log <- dir.read_write_callback_file(
                    c"m7_log",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| m7.show_log(f),
                    &|m7: &Arc<M7>, _r: &mut UserSliceReader| {
                        m7.clear_log();
                        Ok(())
                    },
                ),
                m7_violations <- dir.read_callback_file(
                    c"m7_violations",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| {
                        writeln!(f, "{}", m7.snapshot().violations)
                    },
                ),
                m7_crash <- dir.write_callback_file(
                    c"m7_crash",
                    m7.clone(),
                    &|m7: &Arc<M7>, r: &mut UserSliceReader| match read_u32(r)? {
                        1 => m7.crash_now(),
                        _ => Err(EINVAL),
                    },
                ),
                m7_dirty <- dir.write_callback_file(
                    c"m7_dirty",
                    m7.clone(),
                    &|m7: &Arc<M7>, r: &mut UserSliceReader| {
                        m7.dirty(u8::try_from(read_u32(r)?).map_err(|_| EINVAL)?)
                    },
                ),
                m7_hang <- knob(&dir, c"m7_hang", &m7, KnobId::Hang),
                m7_mute <- knob(&dir, c"m7_mute", &m7, KnobId::Mute),
                m7_ns_delay_ms <- knob(&dir, c"m7_ns_delay_ms", &m7, KnobId::NsDelayMs),
                m7_drop_kicks <- knob(&dir, c"m7_drop_kicks", &m7, KnobId::DropKicks),
                m7_corrupt_kick <- knob(&dir, c"m7_corrupt_kick", &m7, KnobId::CorruptKick),
                m7_sample_destroy <- knob(
                    &dir,
                    c"m7_sample_destroy",
                    &m7,
                    KnobId::SampleDestroy
                ),
                m7_abuse <- dir.write_callback_file(c"m7_abuse", m7.clone(), &write_abuse),
                m7_selftest <- dir.read_callback_file(
                    c"m7_selftest",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| m7.selftest(f),
                ),
                m7_flood <- dir.read_write_callback_file(
                    c"m7_flood",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| {
                        writeln!(f, "{}", m7.snapshot().flood)
                    },
                    &write_flood,
                ),
                selftest <- dir.read_callback_file(
                    c"selftest",
                    (),
                    &|(): &(), f: &mut fmt::Formatter<'_>| sm::selftest(f),
                ),
                bench_memcpy <- bench::memcpy_file(&dir, c"bench_memcpy", &m7),
                bench_mu_pingpong <- bench::pingpong_file(&dir, c"bench_mu_pingpong"),
                mu7_refuse <- mu_fault(&dir, c"mu7_refuse", &mu7_faults, MuFault::Refuse),
                mu7_drop_tx <- mu_fault(&dir, c"mu7_drop_tx", &mu7_faults, MuFault::DropTx),
                mu7_drop_rx <- mu_fault(&dir, c"mu7_drop_rx", &mu7_faults, MuFault::DropRx),
                mu7_stats <- dir.read_callback_file(
                    c"mu7_faults",
                    mu7_faults.clone(),
                    &|m: &Arc<MuFaults>, f: &mut fmt::Formatter<'_>| {
                        writeln!(f, "refused {}", m.count(MuFault::Refuse))?;
                        writeln!(f, "dropped_tx {}", m.count(MuFault::DropTx))?;
                        writeln!(f, "dropped_rx {}", m.count(MuFault::DropRx))
                    },
                ),
                mu7_faults,
                mu7_words <- dir.read_write_callback_file(
                    c"mu7_words",
                    mu7_trace.clone(),
                    &|t: &Arc<MuTrace>, f: &mut fmt::Formatter<'_>| t.show_words(f),
                    &|t: &Arc<MuTrace>, r: &mut UserSliceReader| {
                        let mut buf = [0u8; 16];
                        if read_str(r, &mut buf)? != "clear" {
                            return Err(EINVAL);
                        }
                        t.clear();
                        Ok(())
                    },
                ),
                mu7_chans <- dir.read_callback_file(
                    c"mu7_chans",
                    mu7_trace.clone(),
                    &|t: &Arc<MuTrace>, f: &mut fmt::Formatter<'_>| t.show_chans(f),
                ),
                mu7_trace,
                vm7_stats <- dir.read_callback_file(
                    c"vm7_stats",
                    vm7.clone(),
                    &|v: &Arc<vm7link::Slot>, f: &mut fmt::Formatter<'_>| v.show_stats(f),
                ),
                vm7_poke <- dir.write_callback_file(
                    c"vm7_poke",
                    vm7.clone(),
                    &|v: &Arc<vm7link::Slot>, r: &mut UserSliceReader| {
                        let mut buf = [0u8; 32];
                        let mut it = read_str(r, &mut buf)?.split_whitespace();
                        let addr = parse_u32(it.next().ok_or(EINVAL)?)?;
                        let value = parse_u32(it.next().ok_or(EINVAL)?)?;
                        v.get().ok_or(ENODEV)?.poke(addr, value)
                    },
                ),
                vm7,
                m7_kick <- dir.write_callback_file(
                    c"m7_kick",
                    m7.clone(),
                    &|m7: &Arc<M7>, r: &mut UserSliceReader| {
                        m7.on_kick(read_u32(r)?);
                        Ok(())
                    },
                ),
                bench_readfw <- bench::readfw_file(&dir, c"bench_readfw"),
                sm,
                m7,
                _dir: dir,
            }? Error),
            GFP_KERNEL,
        )
    }
}

/// A knob of the M7.
#[derive(Clone, Copy)]
enum KnobId {
    Hang,
    Mute,
    NsDelayMs,
    DropKicks,
    CorruptKick,
    SampleDestroy,
}

/// The data of a knob's file.
struct KnobFile {
    m7: Arc<M7>,
    id: KnobId,
}

impl KnobFile {
    /// Returns the knob's value.
    fn get(&self) -> u32 {
        let k = self.m7.knobs();
        match self.id {
            KnobId::Hang => u32::from(k.hang),
            KnobId::Mute => u32::from(k.mute),
            KnobId::NsDelayMs => k.ns_delay_ms,
            KnobId::DropKicks => k.drop_kicks,
            KnobId::CorruptKick => k.corrupt_kick,
            KnobId::SampleDestroy => u32::from(k.sample_destroy),
        }
    }

    /// Sets the knob (0 or 1 for the switches).
    fn set(&self, v: u32) -> Result {
        if matches!(self.id, KnobId::Hang | KnobId::Mute | KnobId::SampleDestroy) && v > 1 {
            return Err(EINVAL);
        }
        let id = self.id;
        self.m7.set_knobs(|k: &mut Knobs| match id {
            KnobId::Hang => k.hang = v == 1,
            KnobId::Mute => k.mute = v == 1,
            KnobId::NsDelayMs => k.ns_delay_ms = v,
            KnobId::DropKicks => k.drop_kicks = v,
            KnobId::CorruptKick => k.corrupt_kick = v,
            KnobId::SampleDestroy => k.sample_destroy = v == 1,
        });
        Ok(())
    }
}

/// Creates the read-write file of knob `id`.
fn knob<'a>(
    dir: &'a Dir,
    name: &'a CStr,
    m7: &Arc<M7>,
    id: KnobId,
) -> impl PinInit<File<KnobFile>> + 'a {
    dir.read_write_callback_file(
        name,
        KnobFile { m7: m7.clone(), id },
        &|k: &KnobFile, f: &mut fmt::Formatter<'_>| writeln!(f, "{}", k.get()),
        &|k: &KnobFile, r: &mut UserSliceReader| k.set(read_u32(r)?),
    )
}

/// The data of an MU fault's file.
struct MuFaultFile {
    faults: Arc<MuFaults>,
    kind: MuFault,
}

/// Creates the read-write file of MU fault `kind`: how many of the next events fail.
fn mu_fault<'a>(
    dir: &'a Dir,
    name: &'a CStr,
    faults: &Arc<MuFaults>,
    kind: MuFault,
) -> impl PinInit<File<MuFaultFile>> + 'a {
    dir.read_write_callback_file(
        name,
        MuFaultFile {
            faults: faults.clone(),
            kind,
        },
        &|m: &MuFaultFile, f: &mut fmt::Formatter<'_>| writeln!(f, "{}", m.faults.pending(m.kind)),
        &|m: &MuFaultFile, r: &mut UserSliceReader| {
            m.faults.set(m.kind, read_u32(r)?);
            Ok(())
        },
    )
}

/// Handles a write to `m7_flood`: `N [ADDR]`.
fn write_flood(m7: &Arc<M7>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 64];
    let s = read_str(r, &mut buf)?;
    let mut words = s.split_whitespace();
    let n = parse_u32(words.next().ok_or(EINVAL)?)?;
    let addr = match words.next() {
        Some(a) => parse_u32(a)?,
        None => rpmsg::RAW_ADDR,
    };
    if words.next().is_some() {
        return Err(EINVAL);
    }
    m7.flood(n, addr)
}

/// Handles a write to `m7_abuse`: `VERB [ARGS]` ([`crate::hostile`]).
fn write_abuse(m7: &Arc<M7>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 64];
    let s = read_str(r, &mut buf)?;
    let mut words = s.split_whitespace();
    let verb = words.next().ok_or(EINVAL)?;
    let mut arg = || words.next().ok_or(EINVAL).and_then(parse_u32);
    let abuse = match verb {
        "used-id" => Abuse::UsedId(arg()?),
        "used-len" => Abuse::UsedLen(arg()?),
        "hdr-len" => Abuse::HdrLen(u16::try_from(arg()?).map_err(|_| EINVAL)?),
        "used-idx" => Abuse::UsedIdx(u16::try_from(arg()?).map_err(|_| EINVAL)?),
        "dst" => Abuse::Dst(arg()?),
        "ns-unterminated" => Abuse::NsUnterminated,
        "ns-short" => Abuse::NsShort,
        "desc-tx" => Abuse::DescTx(match words.next() {
            Some(f) => u16::try_from(parse_u32(f)?).map_err(|_| EINVAL)?,
            None => hostile::DESC_FLAGS,
        }),
        "kick-flood" => return m7.kick_flood(arg()?),
        "rsc" => {
            let field = words.next().and_then(RscField::parse).ok_or(EINVAL)?;
            let value = parse_u32(words.next().ok_or(EINVAL)?)?;
            return m7.rsc_write(field, value);
        }
        _ => return Err(EINVAL),
    };
    m7.abuse(abuse)
}

/// Handles a write to `fail`: `clear`, or `PROTO MSGID ACTION [NTH [TIMES]]`. ACTION is an SCMI
/// status (`-10..=0`), `noreply` (never answered, not acted on) or `lost` (acted on, the answer
/// lost); the NTH matching request (default 1, the next one) is the first to fail, and TIMES
/// requests fail from there (default 0: all of them, for good; 1: a one-shot).
fn write_fail(sm: &Arc<Sm>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 64];
    let s = read_str(r, &mut buf)?;
    if s == "clear" {
        sm.clear_fails();
        return Ok(());
    }
    let mut words = s.split_whitespace();
    let mut next = || words.next().ok_or(EINVAL);
    let proto = u8::try_from(parse_u32(next()?)?).map_err(|_| EINVAL)?;
    let msg = u8::try_from(parse_u32(next()?)?).map_err(|_| EINVAL)?;
    let action = match next()? {
        "noreply" => FailAction::NoReply,
        "lost" => FailAction::Lost,
        status => FailAction::Status(parse_i32(status)?),
    };
    let nth = words.next().map(parse_u32).transpose()?.unwrap_or(1);
    let times = words.next().map(parse_u32).transpose()?.unwrap_or(0);
    if nth == 0 || words.next().is_some() {
        return Err(EINVAL);
    }
    sm.add_fail(Fail {
        proto,
        msg,
        action,
        skip: nth - 1,
        times,
    })
}

/// Reads a short write from user space as trimmed UTF-8.
fn read_str<'a>(r: &mut UserSliceReader, buf: &'a mut [u8]) -> Result<&'a str> {
    let n = r.len();
    let buf = buf.get_mut(..n).ok_or(EINVAL)?;
    r.read_slice(buf)?;
    Ok(core::str::from_utf8(buf).map_err(|_| EINVAL)?.trim())
}

/// Reads a `u32` (decimal, or hex with `0x`).
fn read_u32(r: &mut UserSliceReader) -> Result<u32> {
    let mut buf = [0u8; 32];
    parse_u32(read_str(r, &mut buf)?)
}

/// Reads `0` or `1`.
fn read_bool(r: &mut UserSliceReader) -> Result<bool> {
    match read_u32(r)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(EINVAL),
    }
}

/// Parses a `u32`: decimal, or hex with a `0x` prefix.
fn parse_u32(s: &str) -> Result<u32> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => s.parse::<u32>(),
    };
    r.map_err(|_| EINVAL)
}

/// Parses an `i32`: an optional `-`, then as [`parse_u32`].
fn parse_i32(s: &str) -> Result<i32> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    let v = i64::from(parse_u32(digits)?);
    i32::try_from(if neg { -v } else { v }).map_err(|_| EINVAL)
}
