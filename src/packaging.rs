//! Shell completion scripts and the man page, both generated from the clap definitions in
//! `cli` so they cannot drift from the real command line; printed to stdout.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;

/// `kiosque completions SHELL`: the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "kiosque", &mut out);
    write_stdout(&out)
}

/// `kiosque man`: the manual page in roff on stdout, every subcommand in its own section.
pub fn man_page() -> Result<ExitCode> {
    let command = Cli::command();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    man.render_subcommands_section(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        let sub = sub.clone().bin_name(format!("kiosque {name}"));
        let sub_man = clap_mangen::Man::new(sub);
        writeln!(out, ".SH \"KIOSQUE {}\"", name.to_uppercase())?;
        render_subcommand(&sub_man, &mut out)?;
    }
    man.render_version_section(&mut out)?;
    write_stdout(&without_repeated_preamble(&out))
}

/// Each clap_mangen part opens with the same two-line string definition; one is enough.
fn without_repeated_preamble(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let mut seen = std::collections::HashSet::new();
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let preamble = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
        if preamble && !seen.insert(line) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

/// A subcommand's synopsis, description and options, without its own title and name sections.
fn render_subcommand(man: &clap_mangen::Man, out: &mut Vec<u8>) -> Result<()> {
    let mut part = Vec::new();
    man.render_synopsis_section(&mut part)?;
    man.render_description_section(&mut part)?;
    man.render_options_section(&mut part)?;
    // Each part opens with its own `.SH`; inside a subcommand's section they become `.SS`.
    let text = String::from_utf8_lossy(&part).replace(".SH ", ".SS ");
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

fn write_stdout(bytes: &[u8]) -> Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // `kiosque man | head` closes the pipe early: that is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("cannot write to stdout"),
    }
}
