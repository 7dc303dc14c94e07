//! Tests of the shared-corpus helper (kept out of `shared_corpus.rs`, which integration tests
//! include too, so these run once).

use crate::shared_corpus::corpus_path;

#[test]
fn a_present_path_is_returned() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("corpus")).unwrap();
    assert_eq!(
        corpus_path(root.path(), "corpus", false),
        Some(root.path().join("corpus"))
    );
    assert!(corpus_path(root.path(), "corpus", true).is_some());
}

#[test]
fn an_absent_path_is_a_skip_outside_ci() {
    let root = tempfile::tempdir().unwrap();
    assert_eq!(corpus_path(root.path(), "corpus/feeds", false), None);
}

#[test]
#[should_panic(expected = "required when CI is set")]
fn an_absent_path_fails_under_ci() {
    let root = tempfile::tempdir().unwrap();
    corpus_path(root.path(), "corpus/feeds", true);
}
