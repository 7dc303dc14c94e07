//! Build script: the version `kiosque --version` prints, with the short git commit when built
//! from a git checkout (`0.1.0 (1a2b3c4)`), just the package version otherwise (no git, no
//! `.git`, a crates.io tarball). Re-runs when the checked-out commit changes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Only this crate's own checkout counts, not a repository it happens to sit inside.
    let own_checkout = manifest_dir.join(".git").exists();
    let commit = own_checkout
        .then(|| {
            git(&[
                "-C",
                &manifest_dir.to_string_lossy(),
                "rev-parse",
                "--short",
                "HEAD",
            ])
        })
        .flatten();
    match commit {
        Some(commit) => {
            println!("cargo:rustc-env=KIOSQUE_VERSION={version} ({commit})");
            watch_head(&manifest_dir);
        }
        None => println!("cargo:rustc-env=KIOSQUE_VERSION={version}"),
    }
}

/// Re-run when HEAD moves: HEAD itself (a branch switch), the branch's ref file (a commit) and
/// packed-refs. Only existing files are named: cargo re-runs every time for a missing one.
fn watch_head(manifest_dir: &Path) {
    let dir = manifest_dir.to_string_lossy();
    let git_path = |name: &str| {
        git(&["-C", &dir, "rev-parse", "--git-path", name]).map(|p| manifest_dir.join(p))
    };
    let mut watched = vec![git_path("HEAD"), git_path("packed-refs")];
    if let Some(branch) = git(&["-C", &dir, "symbolic-ref", "-q", "HEAD"]) {
        watched.push(git_path(&branch));
    }
    for path in watched.into_iter().flatten() {
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}
