//! Media enclosures (podcast audio, video) as people read them (type, size, duration), as
//! `read --json` writes them, and the player command that opens one (an argument vector,
//! never a shell). No terminal types here.

use crate::model::Enclosure;
use crate::text::sanitize_line;
use serde::Serialize;

/// One enclosure in `read --json`: `{"url","type","length","duration"}`, `null` when unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnclosureJson {
    pub url: String,
    #[serde(rename = "type")]
    pub mime_type: Option<String>,
    /// Bytes, as the feed gave them.
    pub length: Option<u64>,
    /// Seconds.
    pub duration: Option<u64>,
}

impl From<&Enclosure> for EnclosureJson {
    fn from(e: &Enclosure) -> Self {
        EnclosureJson {
            url: sanitize_line(&e.url),
            mime_type: e.mime_type.as_deref().map(sanitize_line),
            length: e.length,
            duration: e.duration,
        }
    }
}

/// `4.3 MB`, `870 kB`, `512 B` (decimal units, as players and podcast apps show them).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = u;
    }
    if value < 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// `1:02:03`, `4:05`, `0:42`.
pub fn human_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// What kind of media a type names, for a person: "audio", "video", else the type itself.
fn kind(enclosure: &Enclosure) -> String {
    match enclosure.mime_type.as_deref().map(sanitize_line) {
        Some(t) if !t.is_empty() => t,
        _ => {
            // No type given: guess from the file name's extension, else say "media".
            let path = enclosure.url.split(['?', '#']).next().unwrap_or("");
            let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
            match ext.as_deref() {
                Some("mp3" | "m4a" | "ogg" | "oga" | "opus" | "aac" | "flac" | "wav") => {
                    "audio".into()
                }
                Some("mp4" | "m4v" | "webm" | "mkv" | "mov") => "video".into(),
                _ => "media".into(),
            }
        }
    }
}

/// One line for a person: `audio/mpeg · 4.5 MB · 1:02:03 · episode.mp3`.
pub fn describe(enclosure: &Enclosure) -> String {
    let mut parts = vec![kind(enclosure)];
    if let Some(length) = enclosure.length {
        parts.push(human_size(length));
    }
    if let Some(duration) = enclosure.duration {
        parts.push(human_duration(duration));
    }
    let name = enclosure
        .url
        .split(['?', '#'])
        .next()
        .and_then(|p| p.rsplit('/').next())
        .filter(|n| !n.is_empty())
        .unwrap_or(enclosure.url.as_str());
    parts.push(sanitize_line(name));
    parts.join(" · ")
}

/// The command that plays `url` with the configured `player` (program, then its
/// arguments; the URL last). `None` when no player is configured or the URL is not a web
/// link (a feed could name `file:///etc/passwd` or `-o…` as its enclosure).
pub fn player_command(player: &[String], url: &str) -> Option<std::process::Command> {
    let (program, args) = player.split_first()?;
    if program.trim().is_empty() {
        return None;
    }
    // The parsed form: no whitespace or control characters reach the player.
    let url = url::Url::parse(url.trim())
        .ok()
        .filter(crate::url_safety::is_web)?;
    let mut command = std::process::Command::new(program);
    command.args(args).arg(url.as_str());
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    Some(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enclosure(
        url: &str,
        mime: Option<&str>,
        length: Option<u64>,
        duration: Option<u64>,
    ) -> Enclosure {
        Enclosure {
            url: url.into(),
            mime_type: mime.map(str::to_string),
            length,
            duration,
        }
    }

    #[test]
    fn sizes_and_durations_read_as_people_write_them() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(870_000), "870 kB");
        assert_eq!(human_size(4_500_000), "4.5 MB");
        assert_eq!(human_size(1_250_000_000), "1.2 GB");
        assert_eq!(human_duration(42), "0:42");
        assert_eq!(human_duration(245), "4:05");
        assert_eq!(human_duration(3723), "1:02:03");
    }

    #[test]
    fn describes_type_size_duration_and_file() {
        let e = enclosure(
            "https://cdn.example/ep/12.mp3?x=1",
            Some("audio/mpeg"),
            Some(4_500_000),
            Some(3723),
        );
        assert_eq!(describe(&e), "audio/mpeg · 4.5 MB · 1:02:03 · 12.mp3");
        let bare = enclosure("https://cdn.example/v.webm", None, None, None);
        assert_eq!(describe(&bare), "video · v.webm");
        let hostile = enclosure(
            "https://x.example/a\u{1b}[2J.mp3",
            Some("audio/\u{7}mpeg"),
            None,
            None,
        );
        assert!(!describe(&hostile).chars().any(char::is_control));
    }

    #[test]
    fn json_shape_has_null_for_unknowns() {
        let e = enclosure("https://x.example/a.mp3", None, None, None);
        let json = serde_json::to_value(EnclosureJson::from(&e)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"url": "https://x.example/a.mp3", "type": null, "length": null, "duration": null})
        );
    }

    #[test]
    fn the_player_gets_an_argument_vector_and_only_web_urls() {
        let player = vec!["mpv".to_string(), "--no-video".to_string()];
        let command = player_command(&player, "https://x.example/a b.mp3").unwrap();
        assert_eq!(command.get_program(), "mpv");
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, ["--no-video", "https://x.example/a%20b.mp3"]);
        assert!(player_command(&player, "file:///etc/passwd").is_none());
        assert!(player_command(&player, "--script=x").is_none());
        assert!(player_command(&[], "https://x.example/a.mp3").is_none());
    }
}
