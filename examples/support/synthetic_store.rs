//! Shared by the TUI benchmark and examples: a store filled with synthetic feeds and items, and
//! the store effects run at once on this thread (what the worker's store thread does), their
//! answers fed back through `update`. Included with `#[path = ".../synthetic_store.rs"] mod`.

#![allow(dead_code, reason = "each benchmark or example uses a different part")]

use kiosque::error::StoreError;
use kiosque::store::{NewFeed, Store};
use kiosque::tui::action::Action;
use kiosque::tui::effect::Effect;
use kiosque::tui::state::State;
use kiosque::tui::update::update;
use kiosque::tui::worker::load_window;

/// Add `feeds` synthetic feeds holding `items` synthetic items in all (the remainder goes to
/// the first feeds, so the total is exactly `items`).
pub fn fill_synthetic(store: &mut Store, items: usize, feeds: usize) -> Result<(), StoreError> {
    for f in 0..feeds {
        let id = store.add_feed(
            &NewFeed {
                url: format!("http://127.0.0.1:9/feed/{f}"),
                title: Some(format!("Synthetic feed {f}")),
                ..Default::default()
            },
            chrono::Utc::now(),
        )?;
        store.insert_test_items(id, items / feeds + usize::from(f < items % feeds))?;
    }
    Ok(())
}

/// Run the feed and list loads among `effects` (and those their answers ask for) against
/// `store`, feeding each answer through `update`; other effects are dropped.
pub fn settle(
    store: &Store,
    state: &mut State,
    mut effects: Vec<Effect>,
) -> Result<(), StoreError> {
    while let Some(effect) = effects.pop() {
        let action = match effect {
            Effect::LoadFeeds => Action::FeedsLoaded {
                feeds: store.feeds()?,
                unread_total: store.unread_total()?,
            },
            Effect::LoadList(request) => Action::ListLoaded(load_window(store, &request)?),
            _ => continue,
        };
        effects.extend(update(state, action));
    }
    Ok(())
}
