//! The feeds sidebar as rows (pure, no drawing): the virtual lists, then the feeds, grouped in
//! folders by tag when any feed has a tag (a feed with several tags is in each folder; feeds
//! without one are under "Untagged", last), folders collapsible, feeds with nothing unread
//! hidden on request, sorted by name or by unread count.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{FeedSort, SidebarConfig};
use crate::tui::state::{ListSource, State};

/// The folder of feeds without a tag is shown under this name (its key is "").
pub const UNTAGGED: &str = "Untagged";

/// How the sidebar is shown now: starts from the config, changed by keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SidebarView {
    pub folders: bool,
    pub hide_read: bool,
    pub sort: FeedSort,
    /// Collapsed folders by key (the tag folded to lower case; "" for untagged feeds).
    pub collapsed: BTreeSet<String>,
}

impl SidebarView {
    pub fn from_config(config: &SidebarConfig) -> SidebarView {
        SidebarView {
            folders: config.folders,
            hide_read: config.hide_read,
            sort: config.sort,
            collapsed: BTreeSet::new(),
        }
    }
}

/// One row of the sidebar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SidebarRow {
    /// All, Unread or Starred.
    List(ListSource),
    /// A folder: its key ("" for untagged), its name as shown, its feeds' unread sum.
    Folder {
        key: String,
        name: String,
        unread: i64,
        collapsed: bool,
    },
    /// A feed, by its index in `State::feeds`; `nested` inside a folder.
    Feed { index: usize, nested: bool },
}

fn folder_key(tag: &str) -> String {
    crate::text::fold_for_search(tag.trim())
}

/// One folder while the rows are built.
struct Folder {
    /// The tag as first written.
    name: String,
    /// Its feeds that are listed (by index in `State::feeds`).
    visible: Vec<usize>,
    /// Unread items over all its feeds.
    unread: i64,
}

/// The folders a feed is in, each once: (key, name); untagged feeds are in the "" folder.
fn folders_of(feed: &crate::model::Feed) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for tag in feed.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let key = folder_key(tag);
        if !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, tag.to_string()));
        }
    }
    if keys.is_empty() {
        keys.push((String::new(), UNTAGGED.to_string()));
    }
    keys
}

/// The sidebar's rows for the state as it is.
pub fn rows(state: &State) -> Vec<SidebarRow> {
    let view = &state.sidebar;
    let mut out = vec![
        SidebarRow::List(ListSource::All),
        SidebarRow::List(ListSource::Unread),
        SidebarRow::List(ListSource::Starred),
    ];
    // Saved searches: their own section between the lists and the feeds.
    out.extend((0..state.smart_feeds.len()).map(|i| SidebarRow::List(ListSource::Smart(i))));
    let feeds = &state.feeds;
    let current = match state.list.query.source {
        ListSource::Feed(id) => Some(id),
        _ => None,
    };
    // The feed shown now stays listed even when read to the end.
    let mut order: Vec<usize> = (0..feeds.len())
        .filter(|&i| !view.hide_read || feeds[i].unread > 0 || Some(feeds[i].id) == current)
        .collect();
    if view.sort == FeedSort::Unread {
        // Stable: equal counts keep the store's order (by name).
        order.sort_by(|&a, &b| feeds[b].unread.cmp(&feeds[a].unread));
    }
    let tagged = feeds
        .iter()
        .any(|f| f.tags.iter().any(|t| !t.trim().is_empty()));
    if !view.folders || !tagged {
        out.extend(order.into_iter().map(|index| SidebarRow::Feed {
            index,
            nested: false,
        }));
        return out;
    }
    let mut folders: BTreeMap<String, Folder> = BTreeMap::new();
    for feed in feeds {
        for (key, name) in folders_of(feed) {
            folders
                .entry(key)
                .or_insert_with(|| Folder {
                    name,
                    visible: Vec::new(),
                    unread: 0,
                })
                .unread += feed.unread;
        }
    }
    for &index in &order {
        for (key, _) in folders_of(&feeds[index]) {
            if let Some(folder) = folders.get_mut(&key) {
                folder.visible.push(index);
            }
        }
    }
    let mut folder_order: Vec<(&String, &Folder)> = folders
        .iter()
        .filter(|(_, folder)| !folder.visible.is_empty())
        .collect();
    // Untagged last; by unread count first when feeds are sorted so.
    folder_order.sort_by(|(ka, a), (kb, b)| {
        let untagged = ka.is_empty().cmp(&kb.is_empty());
        let unread = if view.sort == FeedSort::Unread {
            b.unread.cmp(&a.unread)
        } else {
            std::cmp::Ordering::Equal
        };
        untagged.then(unread).then(ka.cmp(kb))
    });
    for (key, folder) in folder_order {
        let collapsed = view.collapsed.contains(key);
        out.push(SidebarRow::Folder {
            key: key.clone(),
            name: folder.name.clone(),
            unread: folder.unread,
            collapsed,
        });
        if !collapsed {
            out.extend(folder.visible.iter().map(|&index| SidebarRow::Feed {
                index,
                nested: true,
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures;

    fn tagged_state() -> State {
        let mut state = fixtures::empty_state((80, 24));
        let mut feeds = fixtures::feeds();
        feeds[0].tags = vec!["News".into(), "fr".into()];
        feeds[1].tags = vec!["Tech".into(), "news".into()];
        feeds[2].unread = 0;
        state.feeds = feeds;
        state.sidebar.folders = true;
        state
    }

    fn names(state: &State) -> Vec<String> {
        rows(state)
            .into_iter()
            .skip(3)
            .map(|row| match row {
                SidebarRow::Folder {
                    name, collapsed, ..
                } => format!("{}{name}", if collapsed { "+" } else { "-" }),
                SidebarRow::Feed { index, .. } => format!("  {}", state.feeds[index].title),
                SidebarRow::List(_) => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn feeds_are_grouped_by_tag_in_each_of_their_folders_untagged_last() {
        let state = tagged_state();
        assert_eq!(
            names(&state),
            vec![
                "-fr",
                "  Le Monde",
                "-News",
                "  Le Monde",
                "  Hacker News",
                "-Tech",
                "  Hacker News",
                "-Untagged",
                "  日本のニュース",
            ]
        );
    }

    #[test]
    fn collapsed_folders_hide_their_feeds_and_read_feeds_can_be_hidden() {
        let mut state = tagged_state();
        state.sidebar.collapsed.insert("news".into());
        state.sidebar.hide_read = true;
        assert_eq!(
            names(&state),
            vec!["-fr", "  Le Monde", "+News", "-Tech", "  Hacker News"]
        );
    }

    #[test]
    fn sorting_by_unread_puts_the_fullest_feeds_and_folders_first() {
        let mut state = tagged_state();
        state.sidebar.sort = FeedSort::Unread;
        assert_eq!(
            names(&state),
            vec![
                "-News",
                "  Hacker News",
                "  Le Monde",
                "-Tech",
                "  Hacker News",
                "-fr",
                "  Le Monde",
                "-Untagged",
                "  日本のニュース",
            ]
        );
    }

    #[test]
    fn without_tags_or_folders_the_feeds_are_one_flat_list() {
        let mut state = tagged_state();
        state.sidebar.folders = false;
        assert_eq!(
            names(&state),
            vec!["  Le Monde", "  Hacker News", "  日本のニュース"]
        );
    }
}
