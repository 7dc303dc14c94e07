//! Inline images in the reader on a `TestBackend`, through the real flow: the page is laid
//! out (`layout_page`), `update` asks for its image, the image is decoded
//! (`inline_image::decode`) and encoded with half-blocks, `update` lays the page out again
//! with room for it, and the view draws it above its caption.

#[path = "common/testbackend.rs"]
mod testbackend;

use insta::assert_snapshot;
use kiosque::tui::action::Action;
use kiosque::tui::effect::Effect;
use kiosque::tui::fixtures::start_and_load;
use kiosque::tui::fixtures::{self, rows};
use kiosque::tui::images::{Drawer, ImageKey, ImageStatus, SharedImage, prepare};
use kiosque::tui::reader_layout::layout_page;
use kiosque::tui::state::State;
use kiosque::tui::update::update;
use ratatui::style::Color;
use testbackend::{draw, item_page};

const IMAGE_URL: &str = "https://img.example.org/aurora.png";

const HTML: &str = r#"<p>Auroras were seen as far south as the Alps.</p>
<figure><img src="https://img.example.org/aurora.png" alt="Aurora over a fjord">
<figcaption>Two bands of aurora over a fjord.</figcaption></figure>
<p>Grid operators reported no outages.</p>"#;

/// A `width`×`height` PNG with a green band across its middle third (on a dark sky).
fn png_of(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |_, y| {
        if (height / 3..2 * height / 3).contains(&y) {
            image::Rgb([40, 200, 120])
        } else {
            image::Rgb([10, 20, 60])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// Lay out every page the effects ask for, as the worker would; return what that asks next.
fn run_layouts(state: &mut State, effects: Vec<Effect>) -> Vec<Effect> {
    let mut next = Vec::new();
    for effect in effects {
        if let Effect::RenderPage { page, width, doc } = effect {
            let lines = layout_page(&doc, width);
            next.extend(update(state, Action::PageRendered { page, width, lines }));
        } else {
            next.push(effect);
        }
    }
    next
}

/// An item with an image open in the reader, images on; returns the image loads asked for.
fn reading_with_image(size: (u16, u16)) -> (State, Vec<ImageKey>) {
    let (state, effects) = open_item_with_an_image(size, true);
    let keys = effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::LoadImage(key) => Some(key),
            _ => None,
        })
        .collect();
    (state, keys)
}

/// An item whose feed text holds an image, opened and laid out (images on or off); returns
/// what the layout asks for next.
fn open_item_with_an_image(size: (u16, u16), images: bool) -> (State, Vec<Effect>) {
    let mut state = fixtures::empty_state(size);
    state.settings.images = images;
    start_and_load(&mut state, fixtures::feeds(), 55, 12, Some(0));
    let effects = update(&mut state, Action::Open);
    let page = item_page(&effects);
    let mut summary = rows(0, 1).remove(0);
    summary.url = None; // the feed's text is the article: nothing to fetch
    let mut item = fixtures::item(summary, HTML);
    item.author = Some("Ingrid Solberg".into());
    let effects = update(
        &mut state,
        Action::ItemLoaded {
            page,
            item: Box::new(item),
        },
    );
    let effects = run_layouts(&mut state, effects);
    (state, effects)
}

#[test]
fn an_image_is_drawn_with_half_blocks_above_its_caption_100x40() {
    let (mut state, keys) = reading_with_image((100, 40));
    assert_eq!(keys.len(), 1, "one image asked for");
    let key = keys[0].clone();
    assert_eq!(key.url, IMAGE_URL);
    assert_eq!(state.images.get(&key), Some(&ImageStatus::Loading));
    // The worker's part: decode within bounds, scale to the pane, encode.
    let decoded = kiosque::inline_image::decode(&png_of(160, 48), Some("image/png")).unwrap();
    let shown = prepare(&Drawer::Halfblocks, decoded, key.width, key.max_rows).unwrap();
    let (cols, rows) = (shown.cols, shown.rows);
    let effects = update(
        &mut state,
        Action::ImageLoaded {
            key: key.clone(),
            image: Ok(SharedImage(std::sync::Arc::new(shown))),
        },
    );
    let again = run_layouts(&mut state, effects);
    assert!(
        !again.iter().any(|e| matches!(e, Effect::LoadImage(_))),
        "asked once: {again:?}"
    );
    let terminal = draw(&state);
    let buffer = terminal.backend().buffer();
    // Half-blocks: each cell two pixels, the upper one `▀` in the foreground colour over
    // the lower one in the background (a blank where both are the same colour).
    let coloured = buffer
        .content()
        .iter()
        .filter(|c| matches!(c.symbol(), "▀" | "▄" | " ") && matches!(c.bg, Color::Rgb(..)))
        .count();
    assert_eq!(
        coloured,
        usize::from(cols) * usize::from(rows),
        "the whole picture is drawn ({cols}x{rows})"
    );
    assert_snapshot!(terminal.backend());
}

#[test]
fn an_image_cut_by_the_foot_of_the_pane_is_drawn_in_part_80x24() {
    let (mut state, keys) = reading_with_image((80, 24));
    let key = keys[0].clone();
    // Tall: as many rows as an image may take, more than are left under the first lines.
    let decoded = kiosque::inline_image::decode(&png_of(160, 480), Some("image/png")).unwrap();
    let shown = prepare(&Drawer::Halfblocks, decoded, key.width, key.max_rows).unwrap();
    let whole = usize::from(shown.cols) * usize::from(shown.rows);
    let effects = update(
        &mut state,
        Action::ImageLoaded {
            key,
            image: Ok(SharedImage(std::sync::Arc::new(shown))),
        },
    );
    run_layouts(&mut state, effects);
    let terminal = draw(&state);
    let drawn = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .filter(|c| matches!(c.bg, Color::Rgb(..)))
        .count();
    assert!(drawn > 0 && drawn < whole, "{drawn} of {whole} cells");
}

#[test]
fn a_refused_image_keeps_its_placeholder_and_takes_no_room() {
    let (mut state, keys) = reading_with_image((80, 24));
    let before = draw(&state).backend().to_string();
    let refused = kiosque::inline_image::decode(
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30000\" height=\"30000\"/>",
        Some("image/svg+xml"),
    )
    .unwrap_err();
    let effects = update(
        &mut state,
        Action::ImageLoaded {
            key: keys[0].clone(),
            image: Err(refused.to_string()),
        },
    );
    assert!(run_layouts(&mut state, effects).is_empty());
    assert!(matches!(
        state.images.get(&keys[0]),
        Some(ImageStatus::Refused(_))
    ));
    let after = draw(&state).backend().to_string();
    assert_eq!(before, after);
    assert!(after.contains("[image: Aurora over a fjord]"), "{after}");
    assert!(!after.contains('▀') && !after.contains('▄'), "{after}");
}

#[test]
fn with_images_off_nothing_is_asked_for() {
    assert!(!fixtures::empty_state((80, 24)).settings.images);
    let (state, next) = open_item_with_an_image((80, 24), false);
    assert!(next.is_empty(), "{next:?}");
    assert!(state.images.is_empty());
}
