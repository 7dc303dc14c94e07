//! Bytes to UTF-8: the charset from the HTTP header, a BOM, the XML prolog or an HTML
//! `<meta charset>`, else sniffed (UTF-8, else chardetng's guess); ISO-8859-1 read as
//! windows-1252 (WHATWG); bad bytes become U+FFFD.
//!
//! Precedence follows browsers and feedparser: BOM > HTTP charset > in-document declaration >
//! sniffing. Two corrections for real-world mislabelling: a document declared UTF-8 whose bytes
//! are not UTF-8 is read as windows-1252, and a document declared as a legacy single- or
//! multi-byte charset whose bytes are valid, non-ASCII UTF-8 is read as UTF-8 (random legacy text
//! practically never forms valid UTF-8 sequences).

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Decode a feed document (XML or JSON) to UTF-8. The XML prolog's `encoding=` is rewritten to
/// `utf-8`, since the text handed on is UTF-8 whatever the bytes were.
pub fn decode_xml(bytes: &[u8], content_type: Option<&str>) -> String {
    let declared = || prolog_encoding(bytes);
    let text = decode_with(bytes, content_type, declared);
    rewrite_prolog_encoding(text)
}

/// Decode an HTML page to UTF-8.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    let declared = || meta_charset(bytes);
    decode_with(bytes, content_type, declared)
}

/// Which 32-bit encoding a document uses (encoding_rs has none).
#[derive(Clone, Copy)]
enum Utf32 {
    Le,
    Be,
}

fn decode_with(
    bytes: &[u8],
    content_type: Option<&str>,
    declared: impl FnOnce() -> Option<String>,
) -> String {
    // 1. Byte order marks (UTF-32 first: its LE mark starts like UTF-16LE's).
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return decode_utf32(&bytes[4..], Utf32::Le);
    }
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return decode_utf32(&bytes[4..], Utf32::Be);
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_as(encoding, &bytes[bom_len..]);
    }
    // 2. Wide encodings without a BOM, recognised by the zero bytes around the first `<`.
    if let Some(wide) = sniff_wide(bytes) {
        return match wide {
            Wide::Utf16(encoding) => decode_as(encoding, bytes),
            Wide::Utf32(order) => decode_utf32(bytes, order),
        };
    }
    // 3. A label from the header, else from the document itself.
    let label = content_type
        .and_then(header_charset)
        .or_else(declared)
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()));
    let utf8 = std::str::from_utf8(bytes).ok();
    let is_utf8 = utf8.is_some();
    let encoding = match label {
        // The bytes are not 16-bit (sniffed above): a UTF-16 label is a lie, as in browsers.
        Some(enc) if enc == UTF_16LE || enc == UTF_16BE => fallback(bytes, is_utf8),
        Some(enc) if enc == UTF_8 => fallback(bytes, is_utf8),
        // Declared legacy but valid UTF-8 with non-ASCII bytes: it is UTF-8.
        Some(_) if is_utf8 && !bytes.is_ascii() => UTF_8,
        Some(enc) => enc,
        None => undeclared(bytes, is_utf8),
    };
    match utf8 {
        // Checked once above: what decoding would give, without checking it again.
        Some(text) if encoding == UTF_8 => text.to_owned(),
        _ => decode_as(encoding, bytes),
    }
}

/// UTF-8 when the bytes are UTF-8, else windows-1252 (which maps every byte to something).
fn fallback(bytes: &[u8], is_utf8: bool) -> &'static Encoding {
    if is_utf8 || mostly_utf8(bytes) {
        UTF_8
    } else {
        WINDOWS_1252
    }
}

/// No usable declaration: UTF-8 when the bytes are (mostly) UTF-8, else the legacy encoding
/// Firefox's detector (chardetng) reads in them: an undeclared Shift_JIS, GBK, EUC-KR, KOI8-R
/// or windows-1251 page reads right, Western text still reads as windows-1252.
fn undeclared(bytes: &[u8], is_utf8: bool) -> &'static Encoding {
    if is_utf8 || mostly_utf8(bytes) {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, false)
}

/// Not valid UTF-8, but UTF-8 with stray bad bytes rather than legacy text: at least as many
/// valid multi-byte characters as invalid sequences, or one lone byte that no windows-1252
/// text would hold as a letter or punctuation (0xFE, 0xFF, an undefined slot). The bad bytes
/// then decode as U+FFFD and the rest of the text stays right; a lone `é` (0xE9) in a page
/// declared UTF-8 still reads as windows-1252.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut invalid = 0usize;
    let mut multibyte = 0usize;
    let mut lone_unlikely_byte = false;
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        let bad = chunk.invalid();
        if !bad.is_empty() {
            invalid += 1;
            lone_unlikely_byte = matches!(bad, [0xFE | 0xFF | 0x81 | 0x8D | 0x8F | 0x90 | 0x9D]);
        }
    }
    (invalid > 0 && multibyte >= invalid) || (invalid == 1 && lone_unlikely_byte)
}

fn decode_as(encoding: &'static Encoding, bytes: &[u8]) -> String {
    let (text, _had_errors) = encoding.decode_without_bom_handling(bytes);
    text.into_owned()
}

fn decode_utf32(bytes: &[u8], order: Utf32) -> String {
    let mut out = String::with_capacity(bytes.len() / 4);
    for chunk in bytes.chunks(4) {
        let Ok(quad) = <[u8; 4]>::try_from(chunk) else {
            out.push(char::REPLACEMENT_CHARACTER);
            break;
        };
        let value = match order {
            Utf32::Le => u32::from_le_bytes(quad),
            Utf32::Be => u32::from_be_bytes(quad),
        };
        out.push(char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    out
}

enum Wide {
    Utf16(&'static Encoding),
    Utf32(Utf32),
}

/// UTF-16/32 without a BOM: the document starts with `<` (or `{`) padded with zero bytes.
fn sniff_wide(bytes: &[u8]) -> Option<Wide> {
    let opener = |b: u8| b == b'<' || b == b'{';
    match bytes {
        [0, 0, 0, b, ..] if opener(*b) => Some(Wide::Utf32(Utf32::Be)),
        [b, 0, 0, 0, ..] if opener(*b) => Some(Wide::Utf32(Utf32::Le)),
        [0, b, ..] if opener(*b) => Some(Wide::Utf16(UTF_16BE)),
        [b, 0, ..] if opener(*b) => Some(Wide::Utf16(UTF_16LE)),
        _ => None,
    }
}

/// The `charset` parameter of a Content-Type header value.
fn header_charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
    })
}

/// `encoding="…"` of an XML declaration at the start of the document (after blanks).
fn prolog_encoding(bytes: &[u8]) -> Option<String> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &bytes[start..bytes.len().min(start + 512)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = find(head, b"?>")?;
    attribute_value(&head[..end], b"encoding")
}

/// `<meta charset=…>` or `<meta http-equiv=Content-Type content="…; charset=…">` in the first
/// 4 KB of a page.
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(4096)];
    let mut rest = head;
    while let Some(at) = crate::scan::find_ascii_ci(rest, b"<meta") {
        let tag_start = &rest[at + 5..];
        let tag_end = tag_start
            .iter()
            .position(|&b| b == b'>')
            .unwrap_or(tag_start.len());
        let tag = &tag_start[..tag_end];
        if let Some(label) = attribute_value(tag, b"charset") {
            return Some(label);
        }
        if let Some(content) = attribute_value(tag, b"content")
            && let Some(label) = header_charset(&content)
        {
            return Some(label);
        }
        rest = &tag_start[tag_end..];
    }
    None
}

/// The value of attribute `name` in a tag's bytes, trimmed; an unquoted value loses a trailing
/// `/` or `;` (`<meta charset=utf-8/>`).
fn attribute_value(tag: &[u8], name: &[u8]) -> Option<String> {
    let value = crate::scan::attribute_value(tag, name)?;
    let value = String::from_utf8_lossy(value);
    let value = value.trim().trim_end_matches(['/', ';']).trim_end();
    (!value.is_empty()).then(|| value.to_string())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Rewrite the XML declaration's `encoding` to `utf-8` (the text is UTF-8 now) and drop a
/// leading BOM character. Done in place on the first few hundred bytes only.
pub(crate) fn rewrite_prolog_encoding(mut text: String) -> String {
    if text.starts_with('\u{FEFF}') {
        text.drain(..'\u{FEFF}'.len_utf8());
    }
    let start = text.len() - text.trim_start().len();
    if !text[start..].starts_with("<?xml") {
        return text;
    }
    let Some(decl_len) = text[start..].find("?>") else {
        return text;
    };
    let decl = &text[start..start + decl_len];
    let Some(enc_at) = decl.find("encoding") else {
        return text;
    };
    let after = &decl[enc_at + "encoding".len()..];
    let Some(eq) = after.find('=') else {
        return text;
    };
    let value_part = &after[eq + 1..];
    let trimmed = value_part.trim_start();
    let Some(quote) = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return text;
    };
    let Some(close) = trimmed[1..].find(quote) else {
        return text;
    };
    let value_start =
        start + enc_at + "encoding".len() + eq + 1 + (value_part.len() - trimmed.len()) + 1;
    text.replace_range(value_start..value_start + close, "utf-8");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if big_endian {
                [0xFE, 0xFF]
            } else {
                [0xFF, 0xFE]
            });
        }
        for unit in s.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn latin1_without_declaration_is_sniffed_as_windows_1252() {
        let bytes = b"<rss><title>Caf\xe9 \x93ok\x94</title></rss>";
        assert_eq!(
            decode_xml(bytes, None),
            "<rss><title>Café “ok”</title></rss>"
        );
    }

    /// Several sentences of real-looking text per language, so that detection is fair.
    const UNDECLARED: &[(&str, &str)] = &[
        (
            "Shift_JIS",
            "東京の天気は今日も晴れです。多くの人々が公園で桜の花を楽しんでいます。\
             政府は新しい経済政策を発表しました。専門家によると、景気は来年も緩やかに回復する見込みです。",
        ),
        (
            "GBK",
            "今天北京的天气很好，很多人在公园里散步。政府发布了新的经济政策，\
             专家认为明年经济将继续稳定增长。科技公司正在加快人工智能的研究和应用。",
        ),
        (
            "EUC-KR",
            "오늘 서울의 날씨는 맑고 따뜻합니다. 많은 사람들이 공원에서 산책을 즐기고 있습니다. \
             정부는 새로운 경제 정책을 발표했습니다. 전문가들은 내년에도 경제가 안정적으로 성장할 \
             것이라고 예상합니다.",
        ),
        (
            "KOI8-R",
            "Сегодня в Москве тёплая и солнечная погода. Многие жители гуляют в парках и на \
             набережных. Правительство объявило о новой экономической программе. Эксперты \
             считают, что рост продолжится и в следующем году.",
        ),
        (
            "windows-1251",
            "Вчера в Санкт-Петербурге прошёл большой музыкальный фестиваль. Тысячи зрителей \
             пришли послушать известных артистов. Организаторы обещают, что в следующем году \
             программа будет ещё интереснее.",
        ),
    ];

    fn encoded(label: &str, text: &str) -> Vec<u8> {
        let encoding = Encoding::for_label(label.as_bytes()).expect("known label");
        let (bytes, _, had_errors) = encoding.encode(text);
        assert!(!had_errors, "{label} cannot encode the sample");
        bytes.into_owned()
    }

    #[test]
    fn undeclared_legacy_feeds_and_pages_are_detected() {
        for (label, text) in UNDECLARED {
            let feed = format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>{}</title>\
                 <description>{text}</description></item></channel></rss>",
                &text[..text.find(['。', '，', '.']).unwrap_or(text.len())]
            );
            assert_eq!(
                decode_xml(&encoded(label, &feed), None),
                feed,
                "{label} feed"
            );
            let page = format!(
                "<html><head><title>{label}</title></head><body><p>{text}</p></body></html>"
            );
            assert_eq!(
                decode_html(&encoded(label, &page), None),
                page,
                "{label} page"
            );
        }
    }

    #[test]
    fn declarations_still_beat_detection() {
        // KOI8-R bytes declared as windows-1251 are read as windows-1251, as declared.
        let (_, text) = UNDECLARED[3];
        let bytes = encoded("KOI8-R", text);
        let declared = decode_html(&bytes, Some("text/html; charset=windows-1251"));
        assert_eq!(
            declared,
            encoding_rs::WINDOWS_1251
                .decode_without_bom_handling(&bytes)
                .0
        );
        assert_ne!(declared, *text);
    }

    #[test]
    fn iso_8859_1_label_decodes_as_windows_1252() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>it\x92s \x80</t>";
        assert_eq!(
            decode_xml(bytes, None),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><t>it’s €</t>"
        );
    }

    #[test]
    fn header_charset_beats_the_prolog() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"koi8-r\"?><t>\xe9</t>";
        let text = decode_xml(bytes, Some("text/xml; charset=\"windows-1252\""));
        assert!(text.ends_with("<t>é</t>"), "{text}");
    }

    #[test]
    fn declared_utf8_with_latin1_bytes_falls_back() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><t>Caf\xe9</t>";
        assert!(decode_xml(bytes, None).ends_with("<t>Café</t>"));
    }

    #[test]
    fn declared_latin1_with_utf8_bytes_reads_utf8() {
        let bytes = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><t>Café ÀÉÎ</t>".as_bytes();
        assert!(decode_xml(bytes, None).ends_with("<t>Café ÀÉÎ</t>"));
    }

    #[test]
    fn one_bad_byte_in_utf8_becomes_a_replacement_character() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><t>\xc3\xa9 and \xff</t>";
        assert!(decode_xml(bytes, None).ends_with("<t>é and \u{FFFD}</t>"));
        let bytes = b"<t>bad \xff byte</t>";
        assert_eq!(decode_xml(bytes, None), "<t>bad \u{FFFD} byte</t>");
        let bytes = b"<t>\xc1\xc2</t>";
        assert_eq!(
            decode_xml(bytes, Some("text/xml; charset=koi8-r")),
            "<t>аб</t>"
        );
    }

    #[test]
    fn utf16_with_and_without_bom_and_the_prolog_rewritten() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss>é中</rss>";
        let want = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss>é中</rss>";
        for big_endian in [false, true] {
            for bom in [false, true] {
                assert_eq!(decode_xml(&utf16(doc, big_endian, bom), None), want);
            }
        }
    }

    #[test]
    fn utf32_with_and_without_bom() {
        let doc = "<a>é</a>";
        let be: Vec<u8> = doc.chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        let le: Vec<u8> = doc.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        assert_eq!(decode_xml(&be, None), doc);
        assert_eq!(decode_xml(&le, None), doc);
        let mut with_bom = vec![0xFF, 0xFE, 0, 0];
        with_bom.extend(&le);
        assert_eq!(decode_xml(&with_bom, None), doc);
    }

    #[test]
    fn utf8_bom_is_dropped() {
        assert_eq!(decode_xml(b"\xef\xbb\xbf<a/>", None), "<a/>");
    }

    #[test]
    fn html_meta_charset_and_http_equiv() {
        let page = b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title>";
        assert!(decode_html(page, None).contains("Café"));
        let page = b"<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=windows-1251\"><p>\xcf\xf0\xe8";
        assert!(decode_html(page, None).ends_with("При"));
        let page = "<meta charset=utf-8><p>Привет".as_bytes();
        assert!(decode_html(page, None).ends_with("Привет"));
    }
}
