//! Articles: the cleaned main text of a page, its metadata and its related links, and the
//! view of it that the reading pane and `kiosque read/extract` show.
//!
//! Pipeline: `extract::extract_article` (page HTML → metadata, boilerplate pre-clean, scorer,
//! `related::split_related`, boilerplate post-clean → cleaned article HTML)
//! → `plaintext::plain_text` (plain text + numbered links) or `render` (styled lines).

pub mod block_classifier;
pub mod boilerplate;
mod captions;
mod elements;
pub mod extract;
mod footnotes;
pub mod metadata;
mod phrases;
pub mod plaintext;
pub mod prescan;
pub mod related;
pub mod related_blocks;
pub mod render;
mod render_blocks;
mod text_size;

use crate::model::{Link, RelatedLink};
use crate::text::sanitize_line;
use serde::{Deserialize, Serialize};

/// How the text of an article was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Extracted from the article page.
    Extracted,
    /// The feed's own content (extraction not run, failed, or found too little).
    Feed,
}

/// A cleaned article, as cached in the store and shown in the reading pane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// The headline (`h1`, JSON-LD `headline`, `og:title`), not the `<title>` with the site name.
    pub title: Option<String>,
    /// The page's `<title>` (site name cut off), shown only when there is no headline and no
    /// feed item to take a title from.
    #[serde(default)]
    pub page_title: Option<String>,
    pub byline: Option<String>,
    /// RFC 3339.
    pub published: Option<String>,
    pub lang: Option<String>,
    /// Canonical URL of the article (absolute).
    pub url: String,
    pub lead_image: Option<String>,
    /// The article body as cleaned HTML: boilerplate and related lines removed, links absolute.
    pub content_html: String,
    pub related: Vec<RelatedLink>,
    pub source: Source,
}

/// What `kiosque read/extract --json` print (the contract's shape) and what the pane shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleView {
    pub title: String,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub lang: Option<String>,
    pub url: String,
    /// Plain text, paragraphs separated by blank lines, sanitised for the terminal.
    pub text: String,
    pub related: Vec<RelatedLink>,
    pub links: Vec<Link>,
    pub source: Source,
}

impl Article {
    /// An article made from the feed's own content: when extraction was not run, failed or
    /// found too little. `html` is the item's content (or summary) HTML, links absolute.
    pub fn from_feed(
        title: Option<String>,
        url: String,
        author: Option<String>,
        published: Option<String>,
        html: String,
    ) -> Article {
        Article {
            title,
            page_title: None,
            byline: author,
            published,
            lang: None,
            url,
            lead_image: None,
            // The feed's text loses the same sign-up boxes as an extracted page.
            content_html: boilerplate::remove_form_boxes_html(&html).unwrap_or(html),
            related: Vec::new(),
            source: Source::Feed,
        }
    }

    /// What the pane and `--json` show: plain text with numbered links, every field sanitised
    /// for the terminal. The title falls back to the first words of the text, then the URL.
    pub fn view(&self) -> ArticleView {
        self.view_with(plaintext::ImageMarkers::LinksOnly)
    }

    /// [`Article::view`] with the image markers asked for (every image, for plain output).
    pub fn view_with(&self, images: plaintext::ImageMarkers) -> ArticleView {
        let (text, links) = plaintext::plain_text_with(&self.content_html, images);
        let clean_opt =
            |s: &Option<String>| s.as_deref().map(sanitize_line).filter(|v| !v.is_empty());
        let title = clean_opt(&self.title)
            .or_else(|| clean_opt(&self.page_title))
            .or_else(|| {
                let first_line = text.lines().find(|l| !l.trim().is_empty())?;
                Some(crate::text::truncate_to_width(
                    &sanitize_line(first_line),
                    80,
                ))
            })
            .unwrap_or_else(|| sanitize_line(&self.url));
        let related = self
            .related
            .iter()
            .map(|r| RelatedLink {
                label: sanitize_line(&r.label),
                title: sanitize_line(&r.title),
                url: sanitize_line(&r.url),
            })
            .collect();
        let links = links
            .into_iter()
            .map(|l| Link {
                url: sanitize_line(&l.url),
                ..l
            })
            .collect();
        ArticleView {
            title,
            byline: clean_opt(&self.byline),
            published: clean_opt(&self.published),
            lang: clean_opt(&self.lang),
            url: sanitize_line(&self.url),
            text,
            related,
            links,
            source: self.source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_fallback_view_has_text_links_and_title() {
        let a = Article::from_feed(
            Some("Le \u{1b}[31mtitre".into()),
            "https://x.example/a".into(),
            Some("Ada".into()),
            None,
            "<p>Un <a href=\"https://x.example/b\">lien</a>.</p><p>Deux.</p>".into(),
        );
        let v = a.view();
        assert_eq!(v.title, "Le titre");
        assert_eq!(v.source, Source::Feed);
        assert_eq!(v.text, "Un lien.\n\nDeux.");
        assert_eq!(v.links.len(), 1);
        assert_eq!(v.links[0].n, 1);
        assert_eq!(v.byline.as_deref(), Some("Ada"));
    }

    #[test]
    fn untitled_article_takes_its_first_line() {
        let a = Article::from_feed(
            None,
            "https://x.example/a".into(),
            None,
            None,
            "<p>Hello there.</p>".into(),
        );
        assert_eq!(a.view().title, "Hello there.");
    }
}
