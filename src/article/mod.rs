//! Articles: the cleaned main text of a page, its metadata and its related links, and the
//! view of it that the reading pane and `kiosque read/extract` show.
//!
//! Pipeline: `extract::extract_main_content` (page HTML → cleaned article HTML + metadata)
//! → `related::split_related` (related/via lines and blocks moved out of the HTML)
//! → `render` (cleaned HTML → plain text + numbered links, or styled lines at a width).

pub mod extract;
pub mod related;
pub mod render;

use crate::model::{Link, RelatedLink};
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
    /// Interim view (replaced by the extract branch): plain text and links of the content.
    pub fn view(&self) -> ArticleView {
        let (text, links) = render::plain_text(&self.content_html);
        ArticleView {
            title: self.title.clone().unwrap_or_default(),
            byline: self.byline.clone(),
            published: self.published.clone(),
            lang: self.lang.clone(),
            url: self.url.clone(),
            text,
            related: self.related.clone(),
            links,
            source: self.source,
        }
    }
}
