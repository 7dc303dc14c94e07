//! kiosque: a terminal news reader. The library holds everything testable; `main.rs` is thin.
//!
//! Layers, arrows pointing down only: `tui` → (`refresh`, `article`, `store`, `fetch`, `feed`)
//! → (`model`, `text`, `error`). Nothing below `tui` imports ratatui or crossterm.

pub mod article;
pub mod article_loader;
pub mod charset;
pub mod cli;
pub mod cli_sync;
pub mod clock;
pub mod config;
pub mod demo;
pub mod duplicates;
pub mod error;
pub mod feed;
pub mod fetch;
pub mod inline_image;
pub mod media;
pub mod model;
pub mod notify;
pub mod packaging;
pub mod query;
pub mod refresh;
pub(crate) mod scan;
#[cfg(test)]
mod shared_corpus;
#[cfg(test)]
mod shared_corpus_tests;
pub mod startup;
pub mod store;
pub mod sync;
pub mod text;
pub mod tui;
pub mod url_safety;
