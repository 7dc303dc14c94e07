//! What a packager and a new user meet before any feed: `--version` (with the commit when
//! built from git), shell completions, the man page, and the theme keys of the config file.

mod common;

use common::{kiosque, run_ok};
use predicates::prelude::*;
use std::path::Path;

/// The subcommands a completion script and the man page must know.
const SUBCOMMANDS: &str =
    "add remove list import export refresh items read mark extract completions man";

#[test]
fn version_names_the_package_version_and_the_commit_of_a_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let version = run_ok(dir.path(), &["--version"]);
    assert!(version.starts_with("kiosque 0.1.0"), "{version}");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(manifest)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    if manifest.join(".git").exists() && git(&["rev-parse", "HEAD"]).is_some() {
        // `kiosque 0.1.0 (1a2b3c4)`: a commit of this repository (the one built, which is HEAD
        // unless a commit landed while the tests ran).
        let commit = version
            .trim()
            .strip_prefix("kiosque 0.1.0 (")
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or_else(|| panic!("no commit in {version:?}"));
        assert!(
            commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit()),
            "{version}"
        );
        assert!(
            git(&["cat-file", "-e", &format!("{commit}^{{commit}}")]).is_some(),
            "{commit} is not a commit here"
        );
    } else {
        assert_eq!(version.trim(), "kiosque 0.1.0");
    }
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = run_ok(dir.path(), &["completions", shell]);
        assert!(script.contains("kiosque"), "{shell}: {script}");
        for sub in SUBCOMMANDS.split(' ') {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    // They need no data directory: nothing is created.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn completions_for_an_unknown_shell_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    kiosque(dir.path())
        .args(["completions", "tcsh"])
        .assert()
        .failure()
        .stdout("")
        .stderr(predicate::str::contains("tcsh").and(predicate::str::contains("bash")));
}

#[test]
fn man_prints_a_roff_page_naming_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let page = run_ok(dir.path(), &["man"]);
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(page.contains(".TH kiosque 1"), "{page}");
    for sub in SUBCOMMANDS.split(' ') {
        assert!(
            page.contains(&format!("KIOSQUE {}", sub.to_uppercase())),
            "no section for {sub}"
        );
    }
    assert!(page.contains("\\-\\-data\\-dir"), "global options listed");
}

#[test]
fn theme_and_colors_are_config_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "theme = \"light\"\n\n[colors]\naccent = \"#ff8800\"\nstar = \"magenta\"\n",
    )
    .unwrap();
    kiosque(dir.path()).arg("list").assert().success();
}

#[test]
fn an_unknown_theme_names_its_line_and_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "\ntheme = \"blue\"\n").unwrap();
    kiosque(dir.path()).arg("list").assert().failure().stderr(
        predicate::str::contains("line 2")
            .and(predicate::str::contains("dark"))
            .and(predicate::str::contains("light")),
    );
}

#[test]
fn a_bad_colour_stops_the_tui_before_the_screen_opens() {
    let dir = tempfile::tempdir().unwrap();
    // A bad value names the role and the value; an unknown role names the known ones.
    for (colour, says) in [
        ("accent = \"sparkly\"", ["accent", "sparkly"]),
        ("border = \"red\"", ["border", "accent"]),
    ] {
        let config = format!("refresh_on_start = false\n[colors]\n{colour}\n");
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        kiosque(dir.path())
            .timeout(std::time::Duration::from_secs(30))
            .assert()
            .failure()
            .stderr(predicate::str::contains(says[0]).and(predicate::str::contains(says[1])));
    }
}
