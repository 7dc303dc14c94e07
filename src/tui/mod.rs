//! The interactive reader: events → actions → `update` → render, with IO on a worker.

pub mod action;
pub mod effect;
#[doc(hidden)]
pub mod fixtures;
pub mod keymap;
pub mod page;
pub mod state;
pub mod update;
pub mod view;
