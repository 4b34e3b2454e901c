// SPDX-License-Identifier: GPL-2.0

//! `mkfw`: the command line of the [`mkfw`] library (parsed by `clap`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use mkfw::firmware::{self, Params};
use mkfw::manifest;

/// Write an i.MX95 Cortex-M7 test firmware image (ELF32 LE, EM_ARM, ET_EXEC)
/// shaped like Zephyr's samples/subsys/ipc/openamp_rsc_table (DDR build),
/// and print its layout.
#[derive(Parser, Debug)]
#[command(
    name = "mkfw",
    args_conflicts_with_subcommands = true,
    after_help = "Numbers: decimal or 0x-hex; sizes take an optional K or M suffix (KiB, MiB).\n\
                  Sizes and the layout are 8-byte aligned. Layout, manifest and checksum:\n\
                  tools/mkfw/README.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Parse FILE with imx_rproc_fw and print what it holds (takes no other option).
    #[arg(long, value_name = "FILE", exclusive = true)]
    describe: Option<PathBuf>,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Write the malformed-image corpus: one ELF per defect, the valid edge
    /// cases and DIR/manifest.tsv (name, file, expected errno and kernel
    /// message of the Rust driver).
    Corpus(DirArg),
    /// Write images in the layouts real i.MX95 M7 firmware is linked in (no
    /// manifest) and DIR/layouts.tsv.
    Layouts(DirArg),
}

#[derive(Args, Debug)]
struct DirArg {
    /// Output directory.
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
}

/// The options of the image `mkfw` writes without a subcommand.
#[derive(Args, Debug)]
struct WriteArgs {
    /// Output file.
    #[arg(short, long, value_name = "FILE", default_value = "mkfw.elf")]
    out: PathBuf,
    /// Code segment / vector table address, 64 KiB aligned (reset vector =
    /// e_entry & 0xffff0000) [default: 0x80000000].
    #[arg(long, value_name = "ADDR", value_parser = parse_u32)]
    base: Option<u32>,
    /// The whole image must fit in [base, base + N) [default: 16M, the
    /// Verdin m7_reserved region].
    #[arg(long, value_name = "N", value_parser = parse_num)]
    region_size: Option<u64>,
    /// Total code segment: vector table, manifest, IRQ vectors, handlers and
    /// filler [default: 16K, minimum 0x408].
    #[arg(long, value_name = "N", value_parser = parse_u32, conflicts_with = "image_size")]
    code_size: Option<u32>,
    /// Total footprint (code + resource table + .data + .bss); derives
    /// --code-size, e.g. --image-size 16M fills the region.
    #[arg(long, value_name = "N", value_parser = parse_num)]
    image_size: Option<u64>,
    /// .data: file-backed part of the data segment [default: 4K].
    #[arg(long, value_name = "N", value_parser = parse_u32)]
    data_size: Option<u32>,
    /// .bss: zero-filled tail of the data segment, trace buffer and stack
    /// included [default: 8K, minimum trace + 256].
    #[arg(long, value_name = "N", value_parser = parse_u32)]
    bss_size: Option<u32>,
    /// Add the RSC_TRACE entry "Zephyr_log" (buffer at .bss start).
    #[arg(long)]
    trace: bool,
    /// Trace buffer length [default: 4K]; implies --trace.
    #[arg(long, value_name = "N", value_parser = parse_u32)]
    trace_len: Option<u32>,
    /// Manifest behaviour: zephyr (default), idle, or a number.
    #[arg(long, visible_alias = "behavior", value_name = "NAME", value_parser = parse_behaviour)]
    behaviour: Option<u32>,
    /// Manifest flag bit0: ring the ready doorbell after boot.
    #[arg(long)]
    ready_doorbell: bool,
    /// The longest wait the .imx_rproc.ready section announces [default: 0,
    /// the driver's]; without --ready-doorbell the image announces a
    /// doorbell it never rings.
    #[arg(long, value_name = "MS", value_parser = parse_u32)]
    ready_ms: Option<u32>,
    /// Manifest flag bit1: crash MS milliseconds after boot.
    #[arg(long, value_name = "MS", value_parser = parse_u32)]
    crash_after: Option<u32>,
    /// Manifest flag bit2: never answer.
    #[arg(long)]
    hang: bool,
    /// Manifest flags, raw (ORed with the three above).
    #[arg(long, value_name = "N", value_parser = parse_u32)]
    flags: Option<u32>,
    /// Seed of the pseudo-random .text/.data filler [default: 0x4d4b4657].
    #[arg(long, value_name = "N", value_parser = parse_u32)]
    seed: Option<u32>,
}

impl WriteArgs {
    /// The image parameters: [`Params::default`] with the options given.
    fn params(&self) -> Params {
        let mut p = Params::default();
        p.base = self.base.unwrap_or(p.base);
        p.region_size = self.region_size.unwrap_or(p.region_size);
        p.code_size = self.code_size.unwrap_or(p.code_size);
        p.image_size = self.image_size;
        p.data_size = self.data_size.unwrap_or(p.data_size);
        p.bss_size = self.bss_size.unwrap_or(p.bss_size);
        if self.trace || self.trace_len.is_some() {
            p.trace_len = Some(self.trace_len.unwrap_or(firmware::DEFAULT_TRACE_LEN));
        }
        p.behaviour = self.behaviour.unwrap_or(p.behaviour);
        if self.ready_doorbell {
            p.flags |= manifest::FLAG_READY_DOORBELL;
        }
        p.ready_ms = self.ready_ms;
        if let Some(ms) = self.crash_after {
            p.crash_after_ms = ms;
            p.flags |= manifest::FLAG_CRASH_AFTER;
        }
        if self.hang {
            p.flags |= manifest::FLAG_HANG;
        }
        p.flags |= self.flags.unwrap_or(0);
        p.seed = self.seed.unwrap_or(p.seed);
        p
    }
}

/// A number: decimal or 0x-hex, with an optional K or M suffix (KiB, MiB).
fn parse_num(s: &str) -> Result<u64, String> {
    let (digits, mult) = match s.as_bytes().last() {
        Some(b'K' | b'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some(b'M' | b'm') => (&s[..s.len() - 1], 1 << 20),
        _ => (s, 1),
    };
    let v = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => digits.parse(),
    }
    .map_err(|_| format!("'{s}' is not a number"))?;
    v.checked_mul(mult)
        .ok_or_else(|| format!("'{s}' is too large"))
}

/// A [`parse_num`] number that fits in 32 bits.
fn parse_u32(s: &str) -> Result<u32, String> {
    u32::try_from(parse_num(s)?).map_err(|_| format!("'{s}' does not fit in 32 bits"))
}

/// A manifest behaviour: a name of [`manifest::BEHAVIOURS`] or a number.
fn parse_behaviour(s: &str) -> Result<u32, String> {
    match manifest::BEHAVIOURS.iter().find(|(n, _)| *n == s) {
        Some((_, code)) => Ok(*code),
        None => {
            parse_u32(s).map_err(|_| format!("unknown behaviour '{s}' (zephyr, idle or a number)"))
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match (cli.command, cli.describe) {
        (_, Some(file)) => {
            let file = file.display().to_string();
            let data = std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?;
            print!(
                "{}",
                mkfw::describe::describe(&data).map_err(|e| format!("{file}: {e}"))?
            );
        }
        (Some(Cmd::Corpus(DirArg { out })), None) => {
            let (defects, valid) =
                mkfw::corpus::write(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            let dir = out.display();
            println!(
                "wrote {} images to {dir}: {defects} defects, {valid} valid edge cases; manifest {dir}/manifest.tsv",
                defects + valid
            );
        }
        (Some(Cmd::Layouts(DirArg { out })), None) => {
            let n = mkfw::layouts::write_all(&out)?;
            let dir = out.display();
            println!("wrote {n} layout images to {dir}; list {dir}/layouts.tsv");
        }
        (None, None) => {
            let params = cli.write.params();
            let out = cli.write.out.display().to_string();
            let fw = firmware::build(&params).map_err(|e| e.to_string())?;
            let bytes = fw.to_bytes().map_err(|e| e.to_string())?;
            std::fs::write(&out, &bytes).map_err(|e| format!("{out}: {e}"))?;
            println!("wrote {out} ({} bytes)", bytes.len());
            println!("{}", fw.plan);
            println!(
                "manifest: behaviour {} flags 0x{:x} code_crc 0x{:08x} data_crc 0x{:08x}",
                fw.manifest.behaviour,
                fw.manifest.flags,
                fw.manifest.code_crc,
                fw.manifest.data_crc
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mkfw: error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(s: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("mkfw").chain(s.split_whitespace()))
    }

    fn params(s: &str) -> Params {
        let cli = parse(s).unwrap();
        assert!(cli.command.is_none() && cli.describe.is_none(), "{s}");
        cli.write.params()
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_num("16K"), Ok(16384));
        assert_eq!(parse_num("1M"), Ok(1 << 20));
        assert_eq!(parse_num("0x80000000"), Ok(0x8000_0000));
        assert_eq!(parse_num("0x10k"), Ok(0x4000));
        assert!(parse_num("12Q").is_err());
        assert!(parse_u32("4096M").is_err());
    }

    #[test]
    fn options() {
        assert_eq!(params(""), Params::default());
        let p = params("--code-size 1M --data-size=8K --bss-size 64K --trace-len 2K --base 0 --region-size 256K");
        assert_eq!(
            (
                p.code_size,
                p.data_size,
                p.bss_size,
                p.trace_len,
                p.base,
                p.region_size
            ),
            (1 << 20, 8192, 65536, Some(2048), 0, 256 << 10)
        );
        assert_eq!(params("--trace").trace_len, Some(4096));
        let p = params("--behaviour idle --hang --crash-after 500 --ready-doorbell");
        assert_eq!((p.behaviour, p.flags, p.crash_after_ms), (1, 7, 500));
        assert_eq!(params("--behavior idle").behaviour, 1);
        assert_eq!(params("--behaviour 42").behaviour, 42);
        assert_eq!(params("--flags 0x10 --hang").flags, 0x14);
        assert_eq!(params("--seed 7").seed, 7);
        let p = params("--ready-ms 250");
        assert_eq!((p.ready_ms, p.flags), (Some(250), 0));
        assert_eq!(params("--image-size 16M").image_size, Some(16 << 20));
        assert_eq!(parse("-o x.elf").unwrap().write.out, PathBuf::from("x.elf"));
    }

    #[test]
    fn errors() {
        for bad in [
            "--code-size",
            "--bogus",
            "--behaviour sing",
            "--code-size 1M --image-size 16M",
            "--describe x --trace",
            "--hang=1",
            "corpus",
            "corpus --out d --trace",
            "--trace corpus --out d",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(
            matches!(parse("--describe f"), Ok(Cli { describe: Some(f), .. }) if f == std::path::Path::new("f"))
        );
        assert_eq!(
            parse("-h").unwrap_err().kind(),
            clap::error::ErrorKind::DisplayHelp
        );
        for (args, want) in [
            ("corpus --out d", "corpus"),
            ("corpus --out=d", "corpus"),
            ("corpus -o d", "corpus"),
            ("layouts --out d", "layouts"),
        ] {
            let cli = parse(args).unwrap();
            let (got, out) = match cli.command {
                Some(Cmd::Corpus(DirArg { out })) => ("corpus", out),
                Some(Cmd::Layouts(DirArg { out })) => ("layouts", out),
                None => ("write", PathBuf::new()),
            };
            assert_eq!((got, out), (want, PathBuf::from("d")), "{args}");
        }
    }
}
