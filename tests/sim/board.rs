// SPDX-License-Identifier: GPL-2.0

//! The simulated board: the System Manager, the Cortex-M7, and their debugfs controls in
//! `/sys/kernel/debug/imx95_sim/`.
//!
//! | file           | mode | meaning                                                        |
//! |----------------|------|----------------------------------------------------------------|
//! | `linux_lm`     | rw   | LM of the Linux agent: 1 (M7 in Linux's LM, CPU protocol) or 2 |
//! | `lmm_control`  | rw   | 1: Linux may manage LM 1; 0: BOOT/POWER_ON/... return DENIED   |
//! | `m7_running`   | rw   | CPU 1 runs; writing 1 pre-boots the M7, 0 stops it             |
//! | `m7_vector`    | r    | last reset vector set for CPU 1 (hex)                          |
//! | `fail`         | rw   | `PROTO MSGID STATUS` makes a message fail, `clear` clears      |
//! | `log`          | rw   | handled SCMI messages; any write clears                        |
//! | `state`        | r    | summary of the System Manager state                            |
//! | `m7_kicks`     | r    | number of words Linux sent to the M7 on MU7 TX channel 1       |
//! | `m7_last_kick` | r    | the last of them (hex)                                         |
//! | `m7_send`      | w    | the M7 sends this u32 to Linux on MU7 RX channel 1             |
//! | `m7_state`     | r    | the M7's view: running, boot vector, kicks                     |
//! | `selftest`     | r    | KTAP results of the protocol handlers against a fresh SM       |

use crate::{
    m7::M7,
    sm::{self, Fail, Sm},
};
use kernel::{
    debugfs::{Dir, File},
    fmt,
    prelude::*,
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
    #[pin]
    linux_lm: File<Arc<Sm>>,
    #[pin]
    lmm_control: File<Arc<Sm>>,
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
    selftest: File<()>,
    _dir: Dir,
}

impl Board {
    /// Creates the board in its power-on state, with its debugfs directory.
    pub(crate) fn new() -> Result<Arc<Self>> {
        let m7 = Arc::pin_init(M7::new(), GFP_KERNEL)?;
        let sm = Arc::pin_init(Sm::new(m7.clone()), GFP_KERNEL)?;
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
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| writeln!(f, "{}", m7.stats().kicks),
                ),
                m7_last_kick <- dir.read_callback_file(
                    c"m7_last_kick",
                    m7.clone(),
                    &|m7: &Arc<M7>, f: &mut fmt::Formatter<'_>| {
                        writeln!(f, "{:#x}", m7.stats().last_kick)
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
                        let s = m7.stats();
                        writeln!(f, "running {}", u32::from(s.running))?;
                        writeln!(f, "boot_vector {:#x}", s.boot_vector)?;
                        writeln!(f, "kicks {}", s.kicks)?;
                        writeln!(f, "last_kick {:#x}", s.last_kick)
                    },
                ),
                selftest <- dir.read_callback_file(
                    c"selftest",
                    (),
                    &|(): &(), f: &mut fmt::Formatter<'_>| sm::selftest(f),
                ),
                sm,
                m7,
                _dir: dir,
            }? Error),
            GFP_KERNEL,
        )
    }
}

/// Handles a write to `fail`: `clear`, or `PROTO MSGID STATUS`.
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
    let status = parse_i32(next()?)?;
    if words.next().is_some() {
        return Err(EINVAL);
    }
    sm.add_fail(Fail { proto, msg, status })
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
