//! Generated feeds shaped like the refresh benchmark's, shared by tests and benches.

/// An RSS feed shaped like the refresh benchmark's: `items` items with a few KB of HTML each,
/// relative links and entities included so every normalisation step runs.
pub fn synthetic_feed(feed_no: usize, items: usize) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>Feed {feed_no} &amp; co</title><link>http://127.0.0.1:8080/{feed_no}/</link><description>d</description>\n"
    );
    let paragraph = "<p>Le gouvernement a annoncé mardi une série de mesures &eacute;conomiques, \
        dont <a href=\"/politique/article-1.html\">la réforme</a> des retraites et \
        <a href=\"https://example.org/x?a=1&amp;b=2\">un lien absolu</a>. \
        <img src=\"/img/photo.jpg\" alt=\"photo\"> Lorem ipsum dolor sit amet, consectetur \
        adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p>\n";
    for i in 0..items {
        xml.push_str(&format!(
            "<item><title>Titre n&deg;{i} : l&#8217;&eacute;t&eacute; &amp; la rentrée</title>\
             <link>http://127.0.0.1:8080/{feed_no}/post/{i}</link>\
             <guid isPermaLink=\"true\">http://127.0.0.1:8080/{feed_no}/post/{i}</guid>\
             <dc:creator>Jeanne Dupont</dc:creator>\
             <pubDate>Tue, 10 Jun 2025 04:{:02}:00 +0200</pubDate>\
             <description><![CDATA[<p>Résumé de l'article {i}.</p>]]></description>\
             <content:encoded><![CDATA[{}]]></content:encoded></item>\n",
            i % 60,
            paragraph.repeat(6)
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml
}
