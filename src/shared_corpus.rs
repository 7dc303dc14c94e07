//! Test-only access to the shared corpus (`../shared` beside the crate): a test that needs a
//! corpus file asks here, and when the file is absent the skip is said out loud, or is a
//! failure under CI (`CI` set), where the corpus is always present.
//!
//! One file for both kinds of tests: unit tests use it as `crate::shared_corpus`, integration
//! tests include it from `tests/common/mod.rs`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// `../shared/<relative>` when it exists. When it does not: panics if the environment
/// variable `CI` is set (a missing corpus in CI is a broken set-up, not a pass), else prints
/// one `SKIPPED: …` line naming the test and the path and returns `None`; the caller then
/// returns without checking anything.
///
/// The line goes straight to the process's stderr, not through `eprintln!`, which the test
/// harness captures and hides for passing tests: a plain `cargo test` shows every skip.
pub fn shared_corpus(relative: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    corpus_path(&root, relative, std::env::var_os("CI").is_some())
}

/// [`shared_corpus`] with the corpus root and the CI flag given.
pub fn corpus_path(root: &Path, relative: &str, ci: bool) -> Option<PathBuf> {
    let path = root.join(relative);
    if path.exists() {
        return Some(path);
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_string();
    if ci {
        panic!(
            "{test}: the shared corpus is required when CI is set, and {} is absent",
            path.display()
        );
    }
    let line = format!(
        "SKIPPED: {test}: {} is absent (this test checked nothing; with CI set it fails)\n",
        path.display()
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
    None
}

/// Every file under `dir` and its folders, sorted (an unreadable folder is left out).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(dir, &mut found);
    found.sort();
    found
}
