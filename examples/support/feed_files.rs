//! The feed files under a folder, for the examples that parse a corpus of feeds.

use std::path::{Path, PathBuf};

/// The feed files under every folder named on the command line; `example` names the program
/// in the usage line when none is.
pub fn feed_files_of_args(example: &str) -> anyhow::Result<Vec<PathBuf>> {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    anyhow::ensure!(!dirs.is_empty(), "usage: {example} DIR...");
    let mut files = Vec::new();
    for dir in &dirs {
        feed_files(Path::new(dir), &mut files);
    }
    Ok(files)
}

/// Every file under `dir`, in name order, that is not a licence, a note or an OPML list.
pub fn feed_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            feed_files(&path, out);
        } else if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            !n.starts_with("LICENSE") && !n.ends_with(".md") && !n.ends_with(".opml")
        }) {
            out.push(path);
        }
    }
}
