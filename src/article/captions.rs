//! Picture credits inside captions: the caption stays, the credit at its end ("… Klemmer.
//! Foto: GdP/Hagen Immel", "… | © AFP / Name", "… (Quelle: Unsplash)") goes. Found by
//! typography that works in every language: a copyright sign, or one label word and a colon
//! after the caption's last sentence, followed by a few words and nothing else. Also the
//! captions that only repeat the page's headline or summary (a lead picture's label).

use std::collections::HashSet;

use dom_query::{Document, NodeRef};

/// A credit is at most this many words and characters (after its label or sign).
const CREDIT_MAX_WORDS: usize = 8;
const CREDIT_MAX_CHARS: usize = 80;
/// A label before the colon is one word of at most this many letters ("Foto", "Kuva", "Bild").
const LABEL_MAX_CHARS: usize = 12;
/// A block after a picture is read as its caption up to this many characters.
const CAPTION_MAX_CHARS: usize = 300;

/// Cut the credit off the end of every caption of the article (a `figcaption`, or a short
/// block right after an element that holds only a picture). A caption that was nothing but
/// a credit goes whole.
pub(crate) fn strip_caption_credits(doc: &Document) {
    let captions: Vec<NodeRef<'_>> = doc
        .select("figcaption, p, div, span")
        .nodes()
        .iter()
        .copied()
        .filter(is_caption)
        .collect();
    for caption in captions {
        strip_credit_in(&caption);
    }
}

fn is_caption(node: &NodeRef<'_>) -> bool {
    if node.has_name("figcaption") {
        return true;
    }
    let Some(prev) = node.prev_element_sibling() else {
        return false;
    };
    let holds_picture = prev.has_name("img")
        || prev.has_name("picture")
        || prev
            .descendants_it()
            .any(|d| d.has_name("img") || d.has_name("picture"));
    holds_picture
        && prev.text().trim().is_empty()
        && node.text().chars().count() <= CAPTION_MAX_CHARS
        && !node
            .descendants_it()
            .any(|d| d.has_name("p") || d.has_name("div") || d.has_name("img"))
}

/// Remove the credit at the end of one caption, editing its text nodes in place.
fn strip_credit_in(caption: &NodeRef<'_>) {
    let texts: Vec<NodeRef<'_>> = caption.descendants_it().filter(|d| d.is_text()).collect();
    let mut whole = String::new();
    let mut starts = Vec::with_capacity(texts.len());
    for t in &texts {
        starts.push(whole.len());
        whole.push_str(&t.text());
    }
    let Some(cut) = credit_start(&whole) else {
        return;
    };
    if whole[..cut]
        .trim_end_matches(is_separator)
        .trim()
        .is_empty()
    {
        caption.remove_from_parent();
        return;
    }
    for (t, &start) in texts.iter().zip(&starts) {
        let text = t.text();
        let end = start + text.len();
        if end <= cut {
            continue;
        }
        if start >= cut {
            t.set_text("");
        } else {
            t.set_text(
                text[..cut - start]
                    .trim_end_matches(is_separator)
                    .to_string(),
            );
        }
    }
    // Elements that held only the credit ("<span>Kuva: NAME</span>") go with it.
    let emptied: Vec<NodeRef<'_>> = caption
        .descendants_it()
        .filter(|d| d.is_element() && !d.has_name("img") && d.text().trim().is_empty())
        .filter(|d| !d.descendants_it().any(|x| x.has_name("img")))
        .collect();
    for node in emptied {
        node.remove_from_parent();
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '|' | '/' | '-' | '–' | '—' | '·' | '•' | ',' | ';')
}

/// Where the credit at the end of a caption's text starts (a byte offset), if it ends with
/// one: "© NAME" (or "(c) NAME"), or "Label: NAME" after a sentence end or a separator,
/// possibly in brackets.
pub(crate) fn credit_start(text: &str) -> Option<usize> {
    let body = text.trim_end();
    if body.is_empty() {
        return None;
    }
    // A copyright sign and a short name after it.
    if let Some(pos) = body.rfind('©') {
        let rest = &body[pos + '©'.len_utf8()..];
        if is_short_name(rest) {
            return Some(open_bracket_before(body, pos));
        }
    }
    // "Label: NAME": the last colon, one word of letters before it.
    let colon = body.rfind(':')?;
    let rest = &body[colon + 1..];
    if !is_short_name(rest) {
        return None;
    }
    let before = &body[..colon];
    let label_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map(|(i, _)| i)?;
    let label = &before[label_start..];
    if label.chars().count() < 2 || label.chars().count() > LABEL_MAX_CHARS {
        return None;
    }
    let lead = before[..label_start].trim_end();
    // The label opens the caption's last part: the start, a sentence end, a bracket, a bar.
    let opens =
        lead.is_empty() || lead.ends_with(['.', '!', '?', '(', '[', '|', '/', '–', '—', '·', '•']);
    if !opens {
        return None;
    }
    // At the very start the whole caption would be "Label: words": a labelled caption
    // ("Abbildung: Vergleich…"), not a credit after a caption. Left to the credit rules.
    if lead.is_empty() {
        return None;
    }
    Some(open_bracket_before(body, label_start))
}

/// The start of a bracket opened just before `pos` ("(Quelle: …)"), else `pos`.
fn open_bracket_before(body: &str, pos: usize) -> usize {
    let lead = body[..pos].trim_end();
    if lead.ends_with(['(', '[']) {
        lead.len() - 1
    } else {
        pos
    }
}

/// A short run of words with no sentence in it: a name, an agency, "NAME / AGENCY".
fn is_short_name(rest: &str) -> bool {
    let rest = rest.trim().trim_end_matches([')', ']']).trim();
    if rest.is_empty() || rest.chars().count() > CREDIT_MAX_CHARS {
        return false;
    }
    let words = rest.split_whitespace().count();
    // A sentence has a full stop inside it and a verb we cannot see; a name has neither dots
    // followed by more words nor many words.
    words <= CREDIT_MAX_WORDS && !rest.contains(". ") && !rest.contains(':')
}

/// A caption repeats a headline when at least this share (in tenths) of its words are the
/// headline's (or the summary's).
const REPEAT_SHARE_TENTHS: usize = 7;
/// A caption of fewer words than this is left alone (a name, a place); one of more is text
/// (a slide's paragraph that the summary quotes), not a label.
const REPEAT_MIN_WORDS: usize = 2;
const REPEAT_MAX_WORDS: usize = 20;

/// Before scoring, on the whole page: remove the captions (`figcaption`, `itemprop="caption"`)
/// whose words are mostly those of the page's headline or summary (`<title>`, `h1`,
/// `og:title`, `og:description`, `description`): the lead picture labelled with the title,
/// not text of the article. The publisher's own metadata says it, in any language. A caption
/// of a sentence or more is kept even when the summary quotes it.
pub(crate) fn remove_captions_repeating_title(doc: &Document) {
    // One look at each element's name and attributes, for the captions and the headlines.
    let Some(found) = super::elements::select_among(
        doc,
        "figcaption, [itemprop~=caption], title, h1, meta[content]",
        &["figcaption", "title", "h1", "meta"],
        &["itemprop"],
    ) else {
        return;
    };
    let (captions, others): (Vec<NodeRef<'_>>, Vec<NodeRef<'_>>) = found
        .nodes()
        .iter()
        .partition(|n| !n.has_name("title") && !n.has_name("h1") && !n.has_name("meta"));
    if captions.is_empty() {
        return;
    }
    let mut headlines: Vec<HashSet<String>> = Vec::new();
    for node in &others {
        if !node.has_name("meta") {
            headlines.push(word_set(&node.text()));
            continue;
        }
        let names = node.attr("property").or_else(|| node.attr("name"));
        let is_headline = names.is_some_and(|n| {
            matches!(
                n.trim().to_ascii_lowercase().as_str(),
                "og:title" | "twitter:title" | "og:description" | "description"
            )
        });
        if is_headline && let Some(content) = node.attr("content") {
            headlines.push(word_set(&content));
        }
    }
    headlines.retain(|h| !h.is_empty());
    if headlines.is_empty() {
        return;
    }
    for caption in captions {
        let words = words_of(&caption.text());
        if !(REPEAT_MIN_WORDS..=REPEAT_MAX_WORDS).contains(&words.len()) {
            continue;
        }
        let repeats = headlines.iter().any(|headline| {
            let shared = words.iter().filter(|w| headline.contains(*w)).count();
            shared * 10 >= words.len() * REPEAT_SHARE_TENTHS
        });
        if repeats {
            caption.remove_from_parent();
        }
    }
}

/// The lowercased words of a text (runs of letters and digits).
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn word_set(text: &str) -> HashSet<String> {
    words_of(text).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str) -> Option<&str> {
        credit_start(text).map(|i| text[..i].trim_end_matches(is_separator))
    }

    #[test]
    fn credits_after_a_caption_are_found_in_any_language() {
        assert_eq!(
            cut("GdP-Vize René Klemmer. Foto: GdP/Hagen Immel"),
            Some("GdP-Vize René Klemmer.")
        );
        assert_eq!(
            cut("Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO"),
            Some("Marco Odermatt, Ski-Star aus der Schweiz.")
        );
        assert_eq!(
            cut("Lee Elder beim Masters. | © Augusta National/Getty Images"),
            Some("Lee Elder beim Masters.")
        );
        assert_eq!(
            cut("Das FWR reagiert mit Entsetzen. (Quelle: Fleischmann/Unsplash/DJV)"),
            Some("Das FWR reagiert mit Entsetzen.")
        );
    }

    #[test]
    fn captions_without_a_credit_stay_whole() {
        assert_eq!(cut("Abbildung: Vergleich auf dem Aletschgletscher"), None);
        assert_eq!(cut("The minister said: we will see."), None);
        assert_eq!(
            cut(
                "Zwei Zutaten: Mehl und Zucker, dann eine lange Liste weiterer Dinge, die man braucht, um den Kuchen zu backen"
            ),
            None
        );
        assert_eq!(cut("A harbour at dawn"), None);
    }

    #[test]
    fn the_credit_goes_and_the_caption_stays_in_the_article() {
        let doc = Document::fragment(
            "<div><figure><img src=\"a.jpg\"><figcaption><span>Sanna Marin in Berlin. </span>\
             <span>Kuva: <!-- -->ALEXANDER BECHER</span></figcaption></figure>\
             <div><img src=\"b.jpg\"></div><p>Marco Odermatt. © AFP / MARCO BERTORELLO</p>\
             <p>Text of the article: it goes on.</p></div>",
        );
        strip_caption_credits(&doc);
        let html = doc.html();
        assert!(html.contains("Sanna Marin in Berlin."), "{html}");
        assert!(!html.contains("BECHER"), "{html}");
        assert!(!html.contains("Kuva"), "{html}");
        assert!(html.contains("Marco Odermatt."), "{html}");
        assert!(!html.contains("AFP"), "{html}");
        assert!(html.contains("Text of the article: it goes on."), "{html}");
    }

    #[test]
    fn captions_repeating_the_headline_go_and_others_stay() {
        let doc = Document::from(
            "<html><head><title>Kultur- und Strukturwandel im DTB | Site</title>\
             <meta property=\"og:description\" content=\"Der Verband zieht Bilanz nach drei Jahren.\">\
             </head><body><h1>Kultur- und Strukturwandel im DTB</h1>\
             <figure><img src=\"a.jpg\"><figcaption>Kultur- und Strukturwandel im DTB \u{2013} \
             ein Zwischenfazit</figcaption></figure>\
             <p>Der Verband hat nach drei Jahren Bilanz gezogen, und die Mitglieder sind zufrieden.</p>\
             <figure><img src=\"b.jpg\"><figcaption>Die Halle in Frankfurt am Abend</figcaption></figure>\
             <figure><img src=\"c.jpg\"><figcaption itemprop=\"caption\">Der Verband zieht Bilanz</figcaption></figure>\
             <figure><img src=\"d.jpg\"><figcaption>DTB</figcaption></figure>\
             <meta name=\"description\" content=\"one two three four five six seven eight nine ten \
             eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty \
             twentyone\"><figure><figcaption>one two three four five six seven eight nine ten \
             eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty \
             twentyone</figcaption></figure>\
             </body></html>",
        );
        remove_captions_repeating_title(&doc);
        let html = doc.html();
        assert!(!html.contains("ein Zwischenfazit"), "{html}");
        assert!(!html.contains("zieht Bilanz</figcaption>"), "{html}");
        assert!(html.contains("Die Halle in Frankfurt am Abend"), "{html}");
        assert!(html.contains("<figcaption>DTB</figcaption>"), "{html}");
        assert!(html.contains("twenty twentyone</figcaption>"), "{html}");
        assert!(
            html.contains("Kultur- und Strukturwandel im DTB</h1>"),
            "{html}"
        );
    }
}
