//! The feed files under a folder, for the examples that parse a corpus of feeds.

use std::path::{Path, PathBuf};

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
