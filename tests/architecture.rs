//! The layering rule of docs/architecture.md, held by a test: nothing outside `src/tui/`
//! names ratatui or crossterm in code (comments may), and `update` does no IO.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file: every line with its `//` comment cut off.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.split("//").next().unwrap_or("")))
}

#[test]
fn the_domain_never_names_the_terminal_crates() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tui = src.join("tui");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "found the sources");
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&tui)) {
        let text = std::fs::read_to_string(file).expect("source is UTF-8");
        for (line, code) in code_lines(&text) {
            if code.contains("ratatui") || code.contains("crossterm") {
                offenders.push(format!("{}:{line}", file.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "terminal crates outside src/tui: {offenders:?}"
    );
}

#[test]
fn update_does_no_io() {
    let update = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/update.rs");
    let text = std::fs::read_to_string(update).expect("update.rs is readable");
    for forbidden in "std::fs Store:: reqwest tokio:: Utc::now std::process tui::view".split(' ') {
        let hits: Vec<usize> = code_lines(&text)
            .filter(|(_, code)| code.contains(forbidden))
            .map(|(line, _)| line)
            .collect();
        assert!(
            hits.is_empty(),
            "update.rs uses {forbidden} at lines {hits:?}"
        );
    }
}
