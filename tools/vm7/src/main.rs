// SPDX-License-Identifier: GPL-2.0

//! `vm7`: runs an i.MX95 Cortex-M7 ELF image on the executing virtual M7
//! (test mode: the image is loaded from the file by `p_paddr`), or, with `--board`, is
//! the M7 of the QEMU guest and runs what the guest's driver loaded ([`vm7::board`]).

use clap::Parser;
use std::process::ExitCode;
use std::time::Instant;
use vm7::{Console, Machine, Outcome};

#[derive(Parser)]
#[command(about = "Run an i.MX95 Cortex-M7 firmware image on Unicorn with an ARMv7-M model")]
struct Args {
    /// ELF image (loaded by p_paddr; the engine's test mode, not how the board runs).
    #[arg(required_unless_present = "board")]
    elf: Option<std::path::PathBuf>,
    /// Board mode: the guest RAM file of `run-qemu.sh --vm7` (QEMU memory-backend-file).
    #[arg(long, conflicts_with = "elf")]
    board: Option<std::path::PathBuf>,
    /// Board mode: guest physical address of the link page (tests/dts/imx95-virtual-vm7.dtso).
    #[arg(long, default_value = "0x8f001000")]
    link: String,
    /// Board mode: the file behind the guest's TCM window (run-qemu.sh's ivshmem memdev).
    #[arg(long, requires = "board")]
    tcm: Option<std::path::PathBuf>,
    /// Board mode: instructions per slice between two looks at the link page.
    #[arg(long, default_value_t = 50_000)]
    slice: u64,
    /// Vector table address (VTOR at reset); default: the lowest PT_LOAD address.
    #[arg(long)]
    vector: Option<String>,
    /// Instruction budget.
    #[arg(long, default_value_t = 200_000_000)]
    budget: u64,
    /// Stop when a console line contains this string (exit 0 only then).
    #[arg(long)]
    until: Option<String>,
    /// Write the console (LPUART3) to this file.
    #[arg(long)]
    console: Option<std::path::PathBuf>,
    /// Count the firmware's reads of this address (e.g. the vdev status byte).
    #[arg(long)]
    watch: Option<String>,
    /// Print a line with instructions/s.
    #[arg(long)]
    bench: bool,
    /// Do not echo the console to stdout.
    #[arg(long, short)]
    quiet: bool,
}

fn num(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|e| format!("bad number {s}: {e}"))
}

fn board(a: &Args, ram: &std::path::Path) -> Result<bool, String> {
    let mut b = vm7::board::Board::new(vm7::board::Options {
        ram: ram.to_path_buf(),
        link: num(&a.link)?,
        console: a.console.clone(),
        slice: a.slice,
        tcm: a.tcm.clone(),
    })?;
    eprintln!(
        "vm7: board mode, guest RAM {}, link page {}",
        ram.display(),
        a.link
    );
    let r = b.run_loop();
    eprintln!("vm7: board mode ends: {:?}", b.stats);
    r.map(|()| true)
}

fn run(a: Args) -> Result<bool, String> {
    if let Some(ram) = &a.board {
        return board(&a, ram);
    }
    let elf = a.elf.clone().ok_or("no ELF image")?;
    let image = std::fs::read(&elf).map_err(|e| format!("{}: {e}", elf.display()))?;
    let file = match &a.console {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    let mut m = Machine::new(Console {
        prefix: "[m7] ".into(),
        quiet: a.quiet,
        file,
    })?;
    m.load_elf(&image)?;
    let vector = match &a.vector {
        Some(v) => num(v)? as u32,
        None => vm7::lowest_load(&image)?,
    };
    if let Some(w) = &a.watch {
        m.watch_reads(num(w)?)?;
    }
    m.uc.get_data_mut().until = a.until.clone();
    m.reset(vector)?;
    let t = Instant::now();
    let out = m.run(a.budget);
    let dt = t.elapsed().as_secs_f64();
    let s = m.state();
    println!(
        "vm7: outcome {out:?}; {} instructions, {} cycles asleep, {} blocks, {} exceptions, {} SCMI requests {:?}, MU7 sent {:?}, watch reads {}",
        s.insns, s.slept, s.blocks, s.exceptions_taken, s.scmi.log.len(), s.scmi.log, s.mu7.sent, s.watch_reads
    );
    let mut ex: Vec<_> = s.exc_counts.iter().collect();
    ex.sort();
    println!(
        "vm7: exceptions taken by number {ex:?}, unmodelled addresses {}",
        s.unknown.len()
    );
    if a.bench {
        println!(
            "vm7: bench {:.3} s, {:.1} M instr/s",
            dt,
            s.insns as f64 / dt / 1e6
        );
    }
    Ok(match out {
        Outcome::Matched(_) => true,
        Outcome::Fault(_) | Outcome::Reset => false,
        _ => a.until.is_none(),
    })
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("vm7: {e}");
            ExitCode::from(2)
        }
    }
}
