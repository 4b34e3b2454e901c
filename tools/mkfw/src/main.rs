// SPDX-License-Identifier: GPL-2.0

//! `mkfw`: the command line of the [`mkfw`] library.

use std::process::ExitCode;

use mkfw::firmware::{self, Params};
use mkfw::manifest;

const USAGE: &str = "\
mkfw - write an i.MX95 Cortex-M7 test firmware image (ELF32 LE, EM_ARM, ET_EXEC)
shaped like Zephyr's samples/subsys/ipc/openamp_rsc_table (DDR build)

Usage:
  mkfw [OPTIONS]            write an image and print its layout
  mkfw --describe FILE      parse FILE with imx_rproc_fw and print what it holds
  mkfw corpus --out DIR     write the malformed-image corpus: one ELF per defect,
                            the valid edge cases and DIR/manifest.tsv (name, file,
                            expected errno and kernel message of the Rust driver)
  mkfw layouts --out DIR    write images in the layouts real i.MX95 M7 firmware is
                            linked in (no manifest) and DIR/layouts.tsv
  mkfw --help

Options:
  -o, --out FILE          output file (default: mkfw.elf)
      --base ADDR         code segment / vector table address, 64 KiB aligned
                          (default 0x80000000; reset vector = e_entry & 0xffff0000)
      --region-size N     the whole image must fit in [base, base + N)
                          (default 16M: the Verdin m7_reserved region)
      --code-size N       total code segment: vector table, manifest, IRQ vectors,
                          handlers and filler (default 16K, minimum 0x408)
      --image-size N      total footprint (code + resource table + .data + .bss);
                          derives --code-size, e.g. --image-size 16M fills the region
      --data-size N       .data: file-backed part of the data segment (default 4K)
      --bss-size N        .bss: zero-filled tail of the data segment, trace buffer
                          and stack included (default 8K, minimum trace + 256)
      --trace             add the RSC_TRACE entry \"Zephyr_log\" (buffer at .bss start)
      --trace-len N       trace buffer length (default 4K; implies --trace)
      --behaviour NAME    manifest behaviour: zephyr (default), idle, or a number
      --ready-doorbell    manifest flag bit0: ring the ready doorbell after boot
      --ready-ms MS       the longest wait the .imx_rproc.ready section announces
                          (default 0: the driver's); without --ready-doorbell the
                          image announces a doorbell it never rings
      --crash-after MS    manifest flag bit1: crash MS milliseconds after boot
      --hang              manifest flag bit2: never answer
      --flags N           manifest flags, raw (ORed with the three above)
      --seed N            seed of the pseudo-random .text/.data filler
                          (default 0x4d4b4657)

Numbers: decimal or 0x-hex; sizes take an optional K or M suffix (KiB, MiB).
Sizes and the layout are 8-byte aligned. Layout, manifest and checksum:
tools/mkfw/README.md.
";

enum Command {
    Write { out: String, params: Params },
    Describe(String),
    Corpus(String),
    Layouts(String),
    Help,
}

fn parse_num(opt: &str, s: &str) -> Result<u64, String> {
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
    .map_err(|_| format!("{opt}: '{s}' is not a number"))?;
    v.checked_mul(mult)
        .ok_or_else(|| format!("{opt}: '{s}' is too large"))
}

fn parse_u32(opt: &str, s: &str) -> Result<u32, String> {
    u32::try_from(parse_num(opt, s)?).map_err(|_| format!("{opt}: '{s}' does not fit in 32 bits"))
}

/// `mkfw corpus --out DIR` (or `--out=DIR`, `-o DIR`).
fn parse_corpus_args(args: &[String]) -> Result<Command, String> {
    let mut out = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-o" | "--out" => {
                out = Some(it.next().cloned().ok_or("--out needs a value")?);
            }
            a if a.starts_with("--out=") => out = Some(a["--out=".len()..].to_string()),
            _ => {
                return Err(format!(
                    "corpus: unknown argument '{arg}' (mkfw corpus --out DIR)"
                ))
            }
        }
    }
    out.map(Command::Corpus)
        .ok_or_else(|| "corpus: --out DIR is required".into())
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    if args.first().map(String::as_str) == Some("corpus") {
        return parse_corpus_args(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("layouts") {
        return match parse_corpus_args(&args[1..])? {
            Command::Corpus(dir) => Ok(Command::Layouts(dir)),
            other => Ok(other),
        };
    }
    let mut params = Params::default();
    let mut out = String::from("mkfw.elf");
    let mut describe = None;
    let mut trace = false;
    let mut trace_len = firmware::DEFAULT_TRACE_LEN;
    let mut code_size_given = false;
    let mut writing = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (opt, inline) = match arg.split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("{opt} needs a value")),
            }
        };
        match opt {
            "-h" | "--help" => return Ok(Command::Help),
            "--describe" => describe = Some(value()?),
            "-o" | "--out" => out = value()?,
            "--base" => params.base = parse_u32(opt, &value()?)?,
            "--region-size" => params.region_size = parse_num(opt, &value()?)?,
            "--code-size" => {
                params.code_size = parse_u32(opt, &value()?)?;
                code_size_given = true;
            }
            "--image-size" => params.image_size = Some(parse_num(opt, &value()?)?),
            "--data-size" => params.data_size = parse_u32(opt, &value()?)?,
            "--bss-size" => params.bss_size = parse_u32(opt, &value()?)?,
            "--trace" => trace = true,
            "--trace-len" => {
                trace_len = parse_u32(opt, &value()?)?;
                trace = true;
            }
            "--behaviour" | "--behavior" => {
                let v = value()?;
                params.behaviour = match manifest::BEHAVIOURS.iter().find(|(n, _)| *n == v) {
                    Some((_, code)) => *code,
                    None => parse_u32(opt, &v).map_err(|_| {
                        format!("{opt}: unknown behaviour '{v}' (zephyr, idle or a number)")
                    })?,
                };
            }
            "--ready-doorbell" => params.flags |= manifest::FLAG_READY_DOORBELL,
            "--ready-ms" => params.ready_ms = Some(parse_u32(opt, &value()?)?),
            "--crash-after" => {
                params.crash_after_ms = parse_u32(opt, &value()?)?;
                params.flags |= manifest::FLAG_CRASH_AFTER;
            }
            "--hang" => params.flags |= manifest::FLAG_HANG,
            "--flags" => params.flags |= parse_u32(opt, &value()?)?,
            "--seed" => params.seed = parse_u32(opt, &value()?)?,
            _ => return Err(format!("unknown argument '{arg}' (see mkfw --help)")),
        }
        if inline.is_some() && matches!(opt, "--trace" | "--ready-doorbell" | "--hang") {
            return Err(format!("{opt} takes no value"));
        }
        if !matches!(opt, "--describe") {
            writing = true;
        }
    }
    if code_size_given && params.image_size.is_some() {
        return Err("--code-size and --image-size are exclusive".into());
    }
    if trace {
        params.trace_len = Some(trace_len);
    }
    match describe {
        Some(_) if writing => Err("--describe takes no other option".into()),
        Some(file) => Ok(Command::Describe(file)),
        None => Ok(Command::Write { out, params }),
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match parse_args(args)? {
        Command::Help => print!("{USAGE}"),
        Command::Describe(file) => {
            let data = std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?;
            print!(
                "{}",
                mkfw::describe::describe(&data).map_err(|e| format!("{file}: {e}"))?
            );
        }
        Command::Corpus(dir) => {
            let (defects, valid) = mkfw::corpus::write(std::path::Path::new(&dir))
                .map_err(|e| format!("{dir}: {e}"))?;
            println!(
                "wrote {} images to {dir}: {defects} defects, {valid} valid edge cases; manifest {dir}/manifest.tsv",
                defects + valid
            );
        }
        Command::Layouts(dir) => {
            let n = mkfw::layouts::write_all(std::path::Path::new(&dir))?;
            println!("wrote {n} layout images to {dir}; list {dir}/layouts.tsv");
        }
        Command::Write { out, params } => {
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
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

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn params(s: &str) -> Params {
        match parse_args(&args(s)).unwrap() {
            Command::Write { params, .. } => params,
            _ => panic!("not a write command"),
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_num("x", "16K"), Ok(16384));
        assert_eq!(parse_num("x", "1M"), Ok(1 << 20));
        assert_eq!(parse_num("x", "0x80000000"), Ok(0x8000_0000));
        assert_eq!(parse_num("x", "0x10k"), Ok(0x4000));
        assert!(parse_num("x", "12Q").is_err());
        assert!(parse_u32("x", "4096M").is_err());
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
        assert_eq!(params("--behaviour 42").behaviour, 42);
        let p = params("--ready-ms 250");
        assert_eq!((p.ready_ms, p.flags), (Some(250), 0));
        assert_eq!(params("--image-size 16M").image_size, Some(16 << 20));
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
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad}");
        }
        assert!(matches!(parse_args(&args("--describe f")), Ok(Command::Describe(f)) if f == "f"));
        assert!(matches!(parse_args(&args("-h")), Ok(Command::Help)));
        assert!(matches!(parse_args(&args("corpus --out d")), Ok(Command::Corpus(d)) if d == "d"));
        assert!(matches!(parse_args(&args("corpus --out=d")), Ok(Command::Corpus(d)) if d == "d"));
        assert!(parse_args(&args("corpus")).is_err());
        assert!(parse_args(&args("corpus --out d --trace")).is_err());
    }
}
