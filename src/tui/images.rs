//! Pictures in the reading pane: which graphics protocol the terminal speaks (asked once at
//! start-up, within a bounded time, only on a real terminal), images scaled to the pane and
//! encoded for that protocol (by the worker, off the UI thread), and a byte-bounded cache per
//! (URL, size). Decoding with bounds is `crate::inline_image`'s.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

use image::DynamicImage;
use ratatui::layout::Size;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::{FilterType, FontSize, Resize};

use crate::config::ImagesMode;

/// Images of one page fetched and drawn at most (the rest keep their placeholder).
pub const MAX_IMAGES_PER_PAGE: usize = 24;
/// How long the start-up question to the terminal may take at most.
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(400);
/// Bytes of encoded images kept in memory (the worker's cache).
pub const CACHE_BYTES: usize = 48 * 1024 * 1024;
/// Bytes of fetched image bodies kept in memory (a resize re-encodes without re-fetching).
pub const BODY_CACHE_BYTES: usize = 24 * 1024 * 1024;

/// One image at one size: what the cache and the state are keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageKey {
    pub url: String,
    /// Columns available (the reader's layout width).
    pub width: u16,
    /// Rows an image may take at most.
    pub max_rows: u16,
}

/// An image scaled and encoded for the terminal, `cols` × `rows` cells.
pub struct ShownImage {
    pub protocol: Protocol,
    pub cols: u16,
    pub rows: u16,
    /// About how much memory it holds (for the cache's bound).
    pub bytes: usize,
}

/// A [`ShownImage`] shared between the worker's cache and the state (compared by identity).
#[derive(Clone)]
pub struct SharedImage(pub Arc<ShownImage>);

impl PartialEq for SharedImage {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for SharedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SharedImage({}x{})", self.0.cols, self.0.rows)
    }
}

/// Where an image of the open page stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageStatus {
    Loading,
    Ready(SharedImage),
    /// Not shown (too large, damaged, SVG, unreachable): its placeholder stays.
    Refused(String),
}

/// Rows an image may take in a reader `height` rows high: most of the pane, so that it can
/// be seen whole with its caption.
pub fn max_rows_for(height: usize) -> u16 {
    u16::try_from(height.saturating_sub(3).clamp(3, 40)).unwrap_or(40)
}

/// Images smaller than this on a side are not drawn (tracking pixels, spacers, icons).
pub const MIN_SIDE_PIXELS: u32 = 8;
/// An image is scaled up to at most this many times its size at the terminal's cell size.
const MAX_UPSCALE: f64 = 2.0;

/// The cells an image of `pixels` takes: the pane's `max_cols` wide (scaled down, or up to
/// [`MAX_UPSCALE`] times its own size; its proportions kept), unless that makes it taller
/// than `max_rows`.
pub fn cells_for(pixels: (u32, u32), font: FontSize, max_cols: u16, max_rows: u16) -> (u16, u16) {
    let (w, h) = (f64::from(pixels.0.max(1)), f64::from(pixels.1.max(1)));
    let (fw, fh) = (f64::from(font.width.max(1)), f64::from(font.height.max(1)));
    let max_cols = f64::from(max_cols.max(1));
    let max_rows = f64::from(max_rows.max(1));
    let mut cols = max_cols.min((MAX_UPSCALE * w / fw).ceil().max(1.0));
    let mut rows = (h * cols * fw / w / fh).ceil();
    if rows > max_rows {
        rows = max_rows;
        cols = (w * rows * fh / h / fw).ceil().clamp(1.0, max_cols);
    }
    (cols.max(1.0) as u16, rows.max(1.0) as u16)
}

/// How pictures are encoded: a graphics protocol (with the terminal's cell size), or coloured
/// half-blocks (no picker: building one under tmux turns the pane's `allow-passthrough` on).
#[derive(Debug, Clone)]
pub enum Drawer {
    Graphics(Picker),
    Halfblocks,
}

impl Drawer {
    /// Pixels per cell; half-blocks count two square pixels a cell, at ratatui-image's size.
    pub fn font_size(&self) -> FontSize {
        match self {
            Drawer::Graphics(picker) => picker.font_size(),
            Drawer::Halfblocks => FontSize::new(10, 20),
        }
    }
}

/// Scale `image` to the pane and encode it for the drawer's protocol. Slow on big images:
/// the worker runs it on the blocking pool.
pub fn prepare(
    drawer: &Drawer,
    image: DynamicImage,
    max_cols: u16,
    max_rows: u16,
) -> Result<ShownImage, String> {
    if image.width() < MIN_SIDE_PIXELS || image.height() < MIN_SIDE_PIXELS {
        return Err(format!(
            "the image is {}×{} pixels, too small to draw",
            image.width(),
            image.height()
        ));
    }
    let font = drawer.font_size();
    let (cols, rows) = cells_for((image.width(), image.height()), font, max_cols, max_rows);
    // A photo many times the size it is drawn at is first shrunk with a fast filter: the
    // smooth one below then works on a small copy (time and memory).
    let (target_w, target_h) = (
        u32::from(cols) * u32::from(font.width.max(1)),
        u32::from(rows) * u32::from(font.height.max(1)),
    );
    let image = if image.width() > target_w.saturating_mul(2)
        || image.height() > target_h.saturating_mul(2)
    {
        image.thumbnail(target_w.saturating_mul(2), target_h.saturating_mul(2))
    } else {
        image
    };
    let protocol = match drawer {
        Drawer::Graphics(picker) => picker.new_protocol(
            image,
            Size::new(cols, rows),
            Resize::Scale(Some(FilterType::Triangle)),
        ),
        // Scaled to exactly these cells (their proportions are the image's, from `cells_for`).
        Drawer::Halfblocks => {
            ratatui_image::protocol::halfblocks::Halfblocks::new(image, Size::new(cols, rows))
                .map(Protocol::Halfblocks)
        }
    }
    .map_err(|e| format!("cannot encode the image: {e}"))?;
    let size = protocol.size();
    let bytes = usize::from(size.width)
        * usize::from(size.height)
        * usize::from(font.width)
        * usize::from(font.height)
        * 4;
    Ok(ShownImage {
        protocol,
        cols: size.width.max(1),
        rows: size.height.max(1),
        bytes: bytes.max(64),
    })
}

/// A map that forgets its least recently used entries past a byte budget.
pub struct ByteBoundedCache<K, V> {
    entries: HashMap<K, (V, usize, u64)>,
    used: usize,
    limit: usize,
    clock: u64,
}

impl<K: Eq + Hash + Clone, V: Clone> ByteBoundedCache<K, V> {
    pub fn new(limit: usize) -> Self {
        ByteBoundedCache {
            entries: HashMap::new(),
            used: 0,
            limit,
            clock: 0,
        }
    }

    pub fn get(&mut self, key: &K) -> Option<V> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|(value, _, used)| {
            *used = clock;
            value.clone()
        })
    }

    /// Keep `value` (`bytes` big), dropping the least recently used entries until it fits;
    /// a value bigger than the whole budget is not kept.
    pub fn insert(&mut self, key: K, value: V, bytes: usize) {
        if let Some((_, old, _)) = self.entries.remove(&key) {
            self.used -= old;
        }
        if bytes > self.limit {
            return;
        }
        while self.used + bytes > self.limit {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, _, used))| *used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((_, size, _)) = self.entries.remove(&oldest) {
                self.used -= size;
            }
        }
        self.clock += 1;
        self.used += bytes;
        self.entries.insert(key, (value, bytes, self.clock));
    }

    /// Bytes held.
    pub fn used(&self) -> usize {
        self.used
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The scroll position in `new` that shows the text `old` showed at `scroll`, when the two
/// layouts differ only in the rows kept for images (an image arrived above the view). At the
/// top of the page the view stays at the top.
pub fn scroll_after_images(
    old: &crate::tui::state::ReaderLayout,
    new: &crate::tui::state::ReaderLayout,
    scroll: usize,
) -> usize {
    if scroll == 0 {
        return 0;
    }
    let mut above = 0;
    for placement in &old.images {
        let end = placement.line + usize::from(placement.rows);
        if end <= scroll {
            above += usize::from(placement.rows);
        } else if placement.line < scroll {
            above += scroll - placement.line;
        }
    }
    let text = scroll - above;
    let mut rows_before = 0;
    for placement in &new.images {
        if placement.line.saturating_sub(rows_before) <= text {
            rows_before += usize::from(placement.rows);
        } else {
            break;
        }
    }
    text + rows_before
}

// ---- which protocol the terminal speaks ----

/// What the terminal answered to the start-up question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TerminalAnswer {
    /// Answered the kitty graphics query.
    pub kitty: bool,
    /// Listed sixel graphics (attribute 4) in its device attributes.
    pub sixel: bool,
    /// The cell size in pixels (width, height), from `CSI 16 t`.
    pub cell: Option<(u16, u16)>,
    /// The device attributes arrived: every terminal sends them, last, so the answer is whole.
    pub complete: bool,
}

/// The question: a 1-pixel kitty graphics query, the cell size, then the primary device
/// attributes (which every terminal answers, so their answer ends the wait).
pub fn query_sequence(tmux: bool) -> String {
    let query = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\\x1b[16t\x1b[c";
    if tmux {
        format!("\x1bPtmux;{}\x1b\\", query.replace('\x1b', "\x1b\x1b"))
    } else {
        query.to_string()
    }
}

/// Read the terminal's answers (any order, any noise between them).
pub fn parse_answer(bytes: &[u8]) -> TerminalAnswer {
    let text = String::from_utf8_lossy(bytes);
    let mut answer = TerminalAnswer {
        kitty: text.contains("\x1b_Gi=31;OK"),
        ..TerminalAnswer::default()
    };
    let mut rest = text.as_ref();
    while let Some(at) = rest.find("\x1b[") {
        rest = &rest[at + 2..];
        let end = rest
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let (params, final_byte) = (&rest[..end], rest[end..].chars().next());
        match final_byte {
            Some('c') if params.starts_with('?') => {
                answer.complete = true;
                answer.sixel = params[1..].split(';').any(|p| p == "4");
            }
            Some('t') => {
                let numbers: Vec<u16> = params.split(';').filter_map(|p| p.parse().ok()).collect();
                if let [6, height, width] = numbers[..]
                    && width > 0
                    && height > 0
                {
                    answer.cell = Some((width, height));
                }
            }
            _ => {}
        }
        rest = &rest[end.min(rest.len())..];
    }
    answer
}

/// Inside tmux (which only passes graphics on with `allow-passthrough`).
fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()) || ratatui_image_sees_tmux()
}

/// ratatui-image wraps its output for tmux only when `TERM`/`TERM_PROGRAM` say tmux.
fn ratatui_image_sees_tmux() -> bool {
    std::env::var("TERM").is_ok_and(|t| t.starts_with("tmux"))
        || std::env::var("TERM_PROGRAM").is_ok_and(|t| t == "tmux")
}

/// tmux's `allow-passthrough` is on for this pane.
fn tmux_passthrough_on() -> bool {
    std::process::Command::new("tmux")
        .args(["show-options", "-Apv", "allow-passthrough"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|v| v == "on" || v == "all")
}

/// The iTerm2 protocol is not announced by any answer: its terminals say so in the
/// environment (the list ratatui-image uses).
fn iterm2_from_env() -> bool {
    const ITERM2_TERMINALS: &[&str] = &[
        "iTerm",
        "WezTerm",
        "mintty",
        "vscode",
        "Tabby",
        "Hyper",
        "rio",
        "Bobcat",
        "WarpTerminal",
    ];
    std::env::var("TERM_PROGRAM").is_ok_and(|t| ITERM2_TERMINALS.iter().any(|n| t.contains(n)))
        || std::env::var("LC_TERMINAL").is_ok_and(|t| t.contains("iTerm"))
}

/// WezTerm and Konsole answer the kitty query but draw kitty placeholders (and Konsole
/// sixels) wrongly: ratatui-image uses iTerm2 there.
fn kitty_and_sixel_unreliable() -> bool {
    std::env::var("WEZTERM_EXECUTABLE").is_ok_and(|v| !v.is_empty())
        || std::env::var("KONSOLE_VERSION").is_ok_and(|v| !v.is_empty())
}

/// The protocol to draw with, from the answer and the environment.
pub fn protocol_for(answer: &TerminalAnswer, iterm2: bool) -> ProtocolType {
    if iterm2 && kitty_and_sixel_unreliable() {
        ProtocolType::Iterm2
    } else if answer.kitty {
        ProtocolType::Kitty
    } else if answer.sixel {
        ProtocolType::Sixel
    } else if iterm2 {
        ProtocolType::Iterm2
    } else {
        ProtocolType::Halfblocks
    }
}

/// How to draw images for the config's `images`, or `None` for no images. `Auto` asks the
/// terminal (only when stdin and stdout are terminals, for at most [`QUERY_TIMEOUT`]); call it
/// in raw mode, before anything else reads the terminal's input. Under `NO_COLOR`, `Auto`
/// draws only with a graphics protocol (half-blocks are made of colours).
pub fn drawer_for(mode: ImagesMode) -> Option<Drawer> {
    match mode {
        ImagesMode::Off => None,
        ImagesMode::Halfblocks => Some(Drawer::Halfblocks),
        ImagesMode::Auto => {
            use std::io::IsTerminal;
            if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
                return None;
            }
            let tmux = in_tmux();
            if tmux && !(ratatui_image_sees_tmux() && tmux_passthrough_on()) {
                tracing::info!("images off: tmux without allow-passthrough");
                return None;
            }
            let Some(answer) = query_terminal(tmux, QUERY_TIMEOUT) else {
                tracing::info!("images off: the terminal did not answer the graphics query");
                return None;
            };
            let cell = answer.cell.or_else(cell_from_window);
            let protocol = protocol_for(&answer, iterm2_from_env());
            if protocol == ProtocolType::Halfblocks && crate::tui::view::theme::no_color_requested()
            {
                // Half-blocks are nothing but colour; `images = "halfblocks"` still draws them.
                tracing::info!("images off: NO_COLOR and no graphics protocol");
                return None;
            }
            tracing::info!(?answer, ?cell, ?protocol, "images on");
            match (cell, protocol) {
                (_, ProtocolType::Halfblocks) => Some(Drawer::Halfblocks),
                (Some((w, h)), protocol) => {
                    #[allow(deprecated)] // the one constructor that takes a known cell size
                    let mut picker = Picker::from_fontsize(FontSize::new(w, h));
                    picker.set_protocol_type(protocol);
                    Some(Drawer::Graphics(picker))
                }
                // No cell size: a graphics protocol would draw at the wrong scale.
                (None, _) => Some(Drawer::Halfblocks),
            }
        }
    }
}

/// The cell size from the window's size in pixels, where the terminal reports it.
#[cfg(unix)]
fn cell_from_window() -> Option<(u16, u16)> {
    let size = rustix::termios::tcgetwinsize(std::io::stdout()).ok()?;
    (size.ws_col > 0 && size.ws_row > 0 && size.ws_xpixel > 0 && size.ws_ypixel > 0)
        .then(|| (size.ws_xpixel / size.ws_col, size.ws_ypixel / size.ws_row))
}

#[cfg(not(unix))]
fn cell_from_window() -> Option<(u16, u16)> {
    None
}

/// Ask the terminal and read its answer until the device attributes arrive or `timeout`
/// passes; `None` when it does not answer. Reads stdin with `poll`, on this thread: nothing
/// is left behind to eat the user's keys once the time is up.
#[cfg(unix)]
fn query_terminal(tmux: bool, timeout: Duration) -> Option<TerminalAnswer> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use std::io::Write;
    let mut out = std::io::stdout();
    out.write_all(query_sequence(tmux).as_bytes()).ok()?;
    out.flush().ok()?;
    let stdin = std::io::stdin();
    let deadline = Instant::now() + timeout;
    let mut received = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let wait = Timespec {
            tv_sec: left.as_secs() as _,
            tv_nsec: left.subsec_nanos() as _,
        };
        let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
        match poll(&mut fds, Some(&wait)) {
            Ok(0) => break,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => break,
        }
        let mut buf = [0u8; 256];
        match rustix::io::read(&stdin, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
        }
        if parse_answer(&received).complete || received.len() > 4096 {
            break;
        }
    }
    let answer = parse_answer(&received);
    answer.complete.then_some(answer)
}

#[cfg(not(unix))]
fn query_terminal(_tmux: bool, _timeout: Duration) -> Option<TerminalAnswer> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_in_any_order() {
        let kitty = parse_answer(b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?62;22c");
        assert_eq!(
            kitty,
            TerminalAnswer {
                kitty: true,
                sixel: false,
                cell: Some((10, 20)),
                complete: true
            }
        );
        let sixel = parse_answer(b"\x1b[?63;1;2;4;6;9;15;22c");
        assert!(sixel.sixel && !sixel.kitty && sixel.complete);
        assert_eq!(sixel.cell, None);
        // A terminal that answers nothing but is still typing: not complete.
        assert!(!parse_answer(b"\x1b[6;16;8t").complete);
        assert!(!parse_answer(b"").complete);
        // "14" is not sixel.
        assert!(!parse_answer(b"\x1b[?62;14c").sixel);
    }

    #[test]
    fn kitty_then_sixel_then_iterm2_then_halfblocks() {
        let mut a = TerminalAnswer {
            kitty: true,
            sixel: true,
            ..Default::default()
        };
        assert_eq!(protocol_for(&a, true), ProtocolType::Kitty);
        a.kitty = false;
        assert_eq!(protocol_for(&a, true), ProtocolType::Sixel);
        a.sixel = false;
        assert_eq!(protocol_for(&a, true), ProtocolType::Iterm2);
        assert_eq!(protocol_for(&a, false), ProtocolType::Halfblocks);
    }

    #[test]
    fn the_query_is_wrapped_for_tmux() {
        let plain = query_sequence(false);
        assert!(plain.ends_with("\x1b[c"));
        let wrapped = query_sequence(true);
        assert!(wrapped.starts_with("\x1bPtmux;\x1b\x1b_G"));
        assert!(wrapped.ends_with("\x1b\\"));
    }

    #[test]
    fn images_fill_the_width_unless_too_tall() {
        let font = FontSize::new(10, 20);
        // 800×400 at 10×20 cells: 80 columns wide is 20 rows.
        assert_eq!(cells_for((800, 400), font, 80, 30), (80, 20));
        // Scaled up to the width too, up to twice its size.
        assert_eq!(cells_for((200, 100), font, 40, 30), (40, 10));
        assert_eq!(cells_for((80, 40), font, 40, 30), (16, 4));
        // A tall image is bounded by the rows, narrower.
        assert_eq!(cells_for((400, 2000), font, 80, 10), (4, 10));
        assert_eq!(cells_for((1, 1), font, 0, 0), (1, 1));
    }

    #[test]
    fn a_big_photo_is_encoded_small() {
        let photo = DynamicImage::ImageRgb8(image::RgbImage::from_fn(3000, 2000, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 60])
        }));
        let shown = prepare(&Drawer::Halfblocks, photo, 80, 30).expect("encodes");
        assert_eq!((shown.cols, shown.rows), (80, 27));
        // Accounted as what is drawn, not as the 6-megapixel original.
        assert!(shown.bytes <= 80 * 27 * 10 * 20 * 4, "{}", shown.bytes);
    }

    #[test]
    fn tracking_pixels_are_not_drawn() {
        let pixel = DynamicImage::ImageRgb8(image::RgbImage::new(1, 1));
        assert!(prepare(&Drawer::Halfblocks, pixel, 80, 20).is_err());
    }

    #[test]
    fn the_text_in_view_stays_when_an_image_arrives_above_it() {
        use crate::tui::state::{ImagePlacement, ReaderLayout};
        let key = |url: &str| ImageKey {
            url: url.into(),
            width: 40,
            max_rows: 10,
        };
        let layout = |rows: u16| ReaderLayout {
            images: vec![
                ImagePlacement {
                    line: 5,
                    rows,
                    key: key("a"),
                },
                ImagePlacement {
                    line: 30 + usize::from(rows),
                    rows: 0,
                    key: key("b"),
                },
            ],
            ..ReaderLayout::default()
        };
        // Reading line 20, an image of 8 rows arrives at line 5: line 20 is now line 28.
        assert_eq!(scroll_after_images(&layout(0), &layout(8), 20), 28);
        // Above the image: nothing moves.
        assert_eq!(scroll_after_images(&layout(0), &layout(8), 3), 3);
        // At the top: stays at the top, showing the image.
        assert_eq!(scroll_after_images(&layout(0), &layout(8), 0), 0);
        // Same layout, same place.
        assert_eq!(scroll_after_images(&layout(8), &layout(8), 28), 28);
    }

    #[test]
    fn the_cache_forgets_the_least_recently_used_past_its_budget() {
        let mut cache: ByteBoundedCache<&str, u32> = ByteBoundedCache::new(100);
        cache.insert("a", 1, 40);
        cache.insert("b", 2, 40);
        assert_eq!(cache.get(&"a"), Some(1)); // "b" is now the oldest
        cache.insert("c", 3, 40);
        assert_eq!(cache.get(&"b"), None);
        assert_eq!(cache.get(&"a"), Some(1));
        assert_eq!(cache.get(&"c"), Some(3));
        assert!(cache.used() <= 100);
        cache.insert("huge", 4, 1000);
        assert_eq!(cache.get(&"huge"), None, "bigger than the budget: not kept");
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn an_image_is_encoded_to_the_cells_it_was_given() {
        let picker = Drawer::Halfblocks;
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            300,
            100,
            image::Rgb([200, 30, 30]),
        ));
        let shown = prepare(&picker, image, 30, 10).expect("encodes");
        assert!(
            shown.cols <= 30 && shown.rows <= 10,
            "{}x{}",
            shown.cols,
            shown.rows
        );
        assert!(shown.cols >= 28, "fills the width: {}", shown.cols);
    }
}
