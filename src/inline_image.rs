//! Images inside articles: fetching one with a body cap and decoding it with bounds, so a
//! hostile image (30,000 × 30,000 pixels, a 50 MB GIF, a truncated JPEG, an SVG) is refused
//! with a reason instead of hanging or allocating gigabytes. No terminal types here: the TUI
//! scales and draws what this module decodes.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::fetch::Fetcher;

/// Bytes of one image body fetched at most (a 50 MB GIF is refused before it is decoded).
pub const MAX_IMAGE_BYTES: u64 = 8 * 1024 * 1024;
/// Widest or tallest image decoded, in pixels (the header says before anything is decoded).
pub const MAX_SIDE_PIXELS: u32 = 8192;
/// Most pixels decoded (24 megapixels: a full-size camera photo; 96 MB as RGBA).
pub const MAX_PIXELS: u64 = 24_000_000;
/// Most memory the decoder may allocate for one image.
pub const MAX_DECODE_ALLOC: u64 = 128 * 1024 * 1024;
/// Redirects followed for one image.
const MAX_IMAGE_REDIRECTS: usize = 5;

/// Why an image is not shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("not a web URL")]
    NotWebUrl,
    #[error("could not fetch the image: {0}")]
    Fetch(String),
    #[error("the image is larger than {limit} bytes")]
    TooManyBytes { limit: u64 },
    #[error("the image is {width}×{height} pixels, too large to draw")]
    TooManyPixels { width: u32, height: u32 },
    #[error("{0} images are not drawn")]
    Unsupported(String),
    #[error("the image is damaged: {0}")]
    Corrupt(String),
}

/// Whether the body (or its declared type) is an SVG document: never decoded (it is a
/// program for a renderer, not pixels).
pub fn is_svg(bytes: &[u8], content_type: Option<&str>) -> bool {
    if content_type.is_some_and(|t| t.to_ascii_lowercase().contains("image/svg")) {
        return true;
    }
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg"))
}

/// The formats drawn (the `image` crate is built with these decoders only).
fn is_drawn(format: ImageFormat) -> bool {
    matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP
    )
}

/// Decode an image body: the format from its first bytes, the dimensions from its header
/// (checked against [`MAX_SIDE_PIXELS`] and [`MAX_PIXELS`] before any pixel is decoded), then
/// the pixels under [`MAX_DECODE_ALLOC`]. An animated GIF gives its first frame.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Result<DynamicImage, ImageError> {
    if bytes.len() as u64 > MAX_IMAGE_BYTES {
        return Err(ImageError::TooManyBytes {
            limit: MAX_IMAGE_BYTES,
        });
    }
    if is_svg(bytes, content_type) {
        return Err(ImageError::Unsupported("SVG".into()));
    }
    let format =
        image::guess_format(bytes).map_err(|_| ImageError::Unsupported("unrecognised".into()))?;
    if !is_drawn(format) {
        return Err(ImageError::Unsupported(
            format!("{format:?}").to_uppercase(),
        ));
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    if width == 0
        || height == 0
        || width > MAX_SIDE_PIXELS
        || height > MAX_SIDE_PIXELS
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(ImageError::TooManyPixels { width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PIXELS);
    limits.max_image_height = Some(MAX_SIDE_PIXELS);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooManyPixels { width, height },
        other => ImageError::Corrupt(other.to_string()),
    })
}

/// A fetched image body and its declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBody {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

/// Fetch an image (http(s) only, redirects followed by hand, at most [`MAX_IMAGE_BYTES`],
/// under the fetcher's total timeout).
pub async fn fetch(fetcher: &Fetcher, url: &str) -> Result<ImageBody, ImageError> {
    let mut url = url::Url::parse(url.trim()).map_err(|_| ImageError::NotWebUrl)?;
    if !crate::url_safety::is_web(&url) {
        return Err(ImageError::NotWebUrl);
    }
    for _ in 0..=MAX_IMAGE_REDIRECTS {
        let request = fetcher.client().get(url.clone()).header(
            reqwest::header::ACCEPT,
            "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.5",
        );
        let response = fetcher
            .send_capped(request, MAX_IMAGE_BYTES)
            .await
            .map_err(|e| match e {
                crate::error::FetchError::TooLarge { .. } => ImageError::TooManyBytes {
                    limit: MAX_IMAGE_BYTES,
                },
                other => ImageError::Fetch(other.to_string()),
            })?;
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if (300..400).contains(&response.status) && response.status != 304 {
            let location = header(reqwest::header::LOCATION)
                .ok_or_else(|| ImageError::Fetch("redirect without a Location".into()))?;
            url = crate::url_safety::join_web_url(&url, &location).ok_or(ImageError::NotWebUrl)?;
            continue;
        }
        if !(200..300).contains(&response.status) {
            return Err(ImageError::Fetch(format!("HTTP {}", response.status)));
        }
        return Ok(ImageBody {
            content_type: header(reqwest::header::CONTENT_TYPE),
            bytes: response.body,
        });
    }
    Err(ImageError::Fetch("too many redirects".into()))
}

/// Images for tests: real small ones and bombs.
#[cfg(test)]
pub(crate) mod test_images {
    use super::*;

    /// A `width` × `height` gradient, `(x * dx, y * dy, blue)`, encoded as `format`.
    fn gradient(
        width: u32,
        height: u32,
        (dx, dy, blue): (u32, u32, u8),
        format: ImageFormat,
    ) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * dx) as u8, (y * dy) as u8, blue])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, format)
            .expect("encode a test image");
        out.into_inner()
    }

    pub fn png(width: u32, height: u32) -> Vec<u8> {
        gradient(width, height, (40, 40, 128), ImageFormat::Png)
    }

    /// A valid PNG whose header claims `width` × `height`: only the IHDR chunk and an empty
    /// image stream, a few dozen bytes (an "image bomb": tiny to send, huge to decode).
    pub fn png_header_claiming(width: u32, height: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut crc_input = kind.to_vec();
            crc_input.extend_from_slice(data);
            out.extend_from_slice(&crc_input);
            out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        }
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = 0xFFFF_FFFFu32;
            for &b in bytes {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
        gradient(width, height, (7, 5, 90), ImageFormat::Jpeg)
    }
}

#[cfg(test)]
mod tests {
    use super::test_images::*;
    use super::*;

    #[test]
    fn a_small_png_decodes() {
        let img = decode(&png(8, 4), Some("image/png")).expect("decodes");
        assert_eq!((img.width(), img.height()), (8, 4));
    }

    #[test]
    fn a_30000_pixel_png_is_refused_from_its_header() {
        let bomb = png_header_claiming(30_000, 30_000);
        assert!(bomb.len() < 100, "the bomb is tiny: {} bytes", bomb.len());
        assert_eq!(
            decode(&bomb, Some("image/png")),
            Err(ImageError::TooManyPixels {
                width: 30_000,
                height: 30_000
            })
        );
        // Under the side limit but over the pixel budget.
        assert!(matches!(
            decode(&png_header_claiming(8000, 8000), None),
            Err(ImageError::TooManyPixels { .. })
        ));
    }

    #[test]
    fn a_50_mb_gif_is_refused_by_its_size() {
        let mut gif = b"GIF89a".to_vec();
        gif.resize(50 * 1024 * 1024, 0);
        assert_eq!(
            decode(&gif, Some("image/gif")),
            Err(ImageError::TooManyBytes {
                limit: MAX_IMAGE_BYTES
            })
        );
    }

    #[test]
    fn a_gif_claiming_a_huge_screen_is_refused() {
        // Logical screen 60000 × 60000, then the trailer: a few bytes.
        let mut gif = b"GIF89a".to_vec();
        gif.extend_from_slice(&60000u16.to_le_bytes());
        gif.extend_from_slice(&60000u16.to_le_bytes());
        gif.extend_from_slice(&[0, 0, 0]);
        gif.extend_from_slice(&[0x2C, 0, 0, 0, 0]);
        gif.extend_from_slice(&60000u16.to_le_bytes());
        gif.extend_from_slice(&60000u16.to_le_bytes());
        gif.extend_from_slice(&[0, 2, 0, 0x3B]);
        assert!(decode(&gif, None).is_err());
    }

    #[test]
    fn a_truncated_jpeg_is_refused_not_a_panic() {
        let whole = jpeg(64, 48);
        assert!(decode(&whole, Some("image/jpeg")).is_ok());
        for cut in [2, 20, whole.len() / 3, whole.len() / 2] {
            let truncated = &whole[..cut];
            // The decoder may fill what is missing with grey or refuse; it never panics
            // and never hangs. A header cut short is always an error.
            let result = decode(truncated, Some("image/jpeg"));
            if cut <= 20 {
                assert!(result.is_err(), "cut at {cut}: {result:?}");
            }
        }
    }

    #[test]
    fn an_svg_is_not_decoded() {
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"></svg>"#;
        assert_eq!(
            decode(svg, None),
            Err(ImageError::Unsupported("SVG".into()))
        );
        assert_eq!(
            decode(&png(2, 2), Some("image/svg+xml")),
            Err(ImageError::Unsupported("SVG".into())),
            "the declared type is enough"
        );
    }

    #[test]
    fn damaged_images_never_panic() {
        // Deterministic mutations of real PNG, JPEG and GIF files: flipped bytes, cuts.
        let mut gif = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image::RgbImage::new(16, 16))
            .write_to(&mut gif, ImageFormat::Gif)
            .expect("encode gif");
        let originals = [png(24, 16), jpeg(24, 16), gif.into_inner()];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for original in &originals {
            for _ in 0..150 {
                let mut bytes = original.clone();
                for _ in 0..(next() % 6 + 1) {
                    let at = (next() as usize) % bytes.len();
                    bytes[at] = next() as u8;
                }
                let cut = 8 + (next() as usize) % bytes.len();
                bytes.truncate(cut.min(bytes.len()));
                let _ = decode(&bytes, None); // an answer, never a panic
            }
        }
    }

    #[test]
    fn other_bytes_are_refused() {
        assert!(matches!(
            decode(b"<html>not an image</html>", Some("text/html")),
            Err(ImageError::Unsupported(_))
        ));
        assert!(decode(b"", None).is_err());
        // A TIFF header: a format this build does not decode.
        assert!(matches!(
            decode(b"II*\x00\x08\x00\x00\x00", None),
            Err(ImageError::Unsupported(_))
        ));
    }
}
