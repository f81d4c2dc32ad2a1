//! The site's files (`/pkg/…`: stylesheet, scripts, wasm; and the top-level files of
//! `public/`: the icon, robots.txt) straight from disk, as a CDN would want them: brotli or
//! gzip compressed at build time (`anxin precompress`), kept for a year when the name has
//! a hash in it, revalidated otherwise. They pass none of the page middleware (no session
//! lookup, no nonce): nothing here is personal.

use anyhow::Context;
use app::assets::is_immutable;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS};
use http::HeaderValue;
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};

/// Routes for the files under `site_root`: the hashed files of `/pkg` and the top-level
/// files from memory, the rest of `/pkg` as a directory, each top-level file as its own
/// route (so that every other path still reaches the app and its 404 page).
pub fn router<S: Clone + Send + Sync + 'static>(site_root: &Path) -> Router<S> {
    let mut router = Router::new().nest_service(
        "/pkg",
        ServeDir::new(site_root.join("pkg"))
            .precompressed_br()
            .precompressed_gzip(),
    );
    let top_level = held_top_level(site_root);
    let held: Vec<String> = top_level.iter().map(|(p, _)| p.clone()).collect();
    for (path, file) in held_files(site_root).into_iter().chain(top_level) {
        let file = std::sync::Arc::new(file);
        router = router.route(
            &path,
            axum::routing::get(move |headers: http::HeaderMap| {
                let file = file.clone();
                async move { file.answer(&headers) }
            }),
        );
    }
    for name in top_level_files(site_root) {
        let path = format!("/{name}");
        if held.contains(&path) {
            continue;
        }
        router = router.route_service(
            &path,
            ServeFile::new(site_root.join(&name))
                .precompressed_br()
                .precompressed_gzip(),
        );
    }
    router.layer(axum::middleware::from_fn(cache_headers))
}

/// A file with its compressed copies, held in memory, so that nothing needs the disk per
/// request (ServeDir opens and stats the file and its copy on the blocking pool every
/// time: 12,000 req/s against 60,000 from memory). A hashed name's contents cannot change
/// while the name stays; a top-level file (the icon, robots.txt) is read at start, and a
/// deployment that changes it restarts the server.
struct Held {
    identity: axum::body::Bytes,
    br: Option<axum::body::Bytes>,
    gzip: Option<axum::body::Bytes>,
    content_type: &'static str,
    /// The name's hash, or a hash of the contents: the same tag is the same bytes.
    hash: String,
}

/// Hashed files are small (the stylesheet, the script, the wasm: well under a megabyte
/// together); anything larger stays on disk.
const HELD_MAX: u64 = 8 * 1024 * 1024;

fn held_files(site_root: &Path) -> Vec<(String, Held)> {
    let Ok(entries) = std::fs::read_dir(site_root.join("pkg")) else {
        return Vec::new();
    };
    let read = |path: PathBuf| std::fs::read(path).ok().map(axum::body::Bytes::from);
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.metadata()
                .is_ok_and(|m| m.is_file() && m.len() <= HELD_MAX)
        })
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let path = format!("/pkg/{name}");
            if !is_immutable(&path) {
                return None;
            }
            let (stem, ext) = name.rsplit_once('.')?;
            let content_type = content_type(ext)?;
            let file = e.path();
            let held = Held {
                identity: read(file.clone())?,
                br: read(with_suffix(&file, "br")),
                gzip: read(with_suffix(&file, "gz")),
                content_type,
                hash: stem.rsplit_once('.').map(|(_, h)| h.to_owned())?,
            };
            Some((path, held))
        })
        .collect()
}

/// The types of the files we hold in memory; any other file is served from disk.
fn content_type(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "css" => "text/css",
        "js" => "text/javascript",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => return None,
    })
}

/// Top-level files of the site root up to a megabyte, of a type we know, in memory. The
/// tag is a hash of the contents (SipHash with fixed keys: the same in every instance).
fn held_top_level(site_root: &Path) -> Vec<(String, Held)> {
    use std::hash::{Hash, Hasher};
    const TOP_LEVEL_MAX: u64 = 1024 * 1024;
    let read = |path: PathBuf| std::fs::read(path).ok().map(axum::body::Bytes::from);
    top_level_files(site_root)
        .into_iter()
        .filter_map(|name| {
            let file = site_root.join(&name);
            if std::fs::metadata(&file).ok()?.len() > TOP_LEVEL_MAX {
                return None;
            }
            let content_type = content_type(name.rsplit_once('.')?.1)?;
            let identity = read(file.clone())?;
            #[allow(deprecated)] // SipHasher: the one std hasher with fixed keys
            let mut hasher = std::hash::SipHasher::new();
            identity.hash(&mut hasher);
            let held = Held {
                br: read(with_suffix(&file, "br")),
                gzip: read(with_suffix(&file, "gz")),
                identity,
                content_type,
                hash: format!("{:016x}", hasher.finish()),
            };
            Some((format!("/{name}"), held))
        })
        .collect()
}

impl Held {
    fn answer(&self, request: &http::HeaderMap) -> Response {
        use axum::response::IntoResponse;
        use http::header::{CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};
        let (body, encoding) = match (accepted(request, "br"), accepted(request, "gzip")) {
            (true, _) if self.br.is_some() => (self.br.clone(), Some("br")),
            (_, true) if self.gzip.is_some() => (self.gzip.clone(), Some("gzip")),
            _ => (None, None),
        };
        let body = body.unwrap_or_else(|| self.identity.clone());
        let etag = format!(
            "\"{}{}\"",
            self.hash,
            encoding.map(|e| format!("-{e}")).unwrap_or_default()
        );
        let mut headers = http::HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(e) = encoding {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static(e));
        }
        if let Ok(v) = HeaderValue::from_str(&etag) {
            headers.insert(ETAG, v);
        }
        let unchanged = request
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.trim_start_matches("W/") == etag
            });
        if unchanged {
            return (http::StatusCode::NOT_MODIFIED, headers).into_response();
        }
        (headers, body).into_response()
    }
}

/// Whether `Accept-Encoding` accepts `coding`: its own entry decides (refused with `q=0`),
/// else a `*` entry.
fn accepted(request: &http::HeaderMap, coding: &str) -> bool {
    let mut named = None;
    let mut any = None;
    for item in request
        .get_all(http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if name.eq_ignore_ascii_case(coding) {
            named = Some(!refused);
        } else if name == "*" {
            any = Some(!refused);
        }
    }
    named.or(any).unwrap_or(false)
}

/// Files directly in the site root whose names are safe as a route (no compressed copies).
fn top_level_files(site_root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(site_root) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| {
            !is_compressed_copy(name)
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
        .collect();
    names.sort();
    names
}

fn is_compressed_copy(name: &str) -> bool {
    name.ends_with(".br") || name.ends_with(".gz")
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let immutable = is_immutable(req.uri().path());
    let mut res = next.run(req).await;
    let status = res.status();
    let policy = if !status.is_success() && status != http::StatusCode::NOT_MODIFIED {
        "no-store"
    } else if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let headers = res.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // An SVG opened on its own is a document: it may run nothing and load nothing.
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    res
}

/// What is worth compressing: text, and wasm (which compresses to a third).
fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("css" | "js" | "wasm" | "svg" | "html" | "txt" | "json" | "xml" | "ico" | "map")
    )
}

/// Writes `name.br` (brotli, quality 11) and `name.gz` beside every compressible file
/// under `site_root`, skipping copies newer than their file. Returns how many it wrote.
pub fn precompress(site_root: &Path) -> anyhow::Result<usize> {
    let mut written = 0;
    let mut dirs = vec![site_root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if compressible(&path) {
                written += compress_one(&path)?;
            }
        }
    }
    Ok(written)
}

fn compress_one(path: &Path) -> anyhow::Result<usize> {
    use std::io::Write;
    let modified = std::fs::metadata(path)?.modified()?;
    let up_to_date = |copy: &PathBuf| {
        std::fs::metadata(copy)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= modified)
    };
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut written = 0;

    let br = with_suffix(path, "br");
    if !up_to_date(&br) {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut data.as_slice(), &mut out, &params)?;
        write_atomically(&br, &out)?;
        written += 1;
    }
    let gz = with_suffix(path, "gz");
    if !up_to_date(&gz) {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&data)?;
        write_atomically(&gz, &enc.finish()?)?;
        written += 1;
    }
    Ok(written)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// A server reading the directory meanwhile sees the old copy or the new, never half.
fn write_atomically(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    let tmp = with_suffix(path, "tmp");
    std::fs::write(&tmp, data).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn accept_encoding_is_read_as_browsers_and_proxies_write_it() {
        let accepts = |value: &str, coding: &str| {
            let mut h = http::HeaderMap::new();
            h.insert(
                http::header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            accepted(&h, coding)
        };
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=1.0, br;q=0.5", "br"));
        assert!(accepts("*", "gzip"));
        assert!(!accepts("br;q=0, *", "br"), "its own entry decides");
        assert!(accepts("br;q=0, *", "gzip"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "br"));
        assert!(!accepts("brotli", "br"));
    }

    #[test]
    fn precompressing_writes_both_copies_once_and_they_decompress_to_the_file() {
        let dir = std::env::temp_dir().join(format!("anxin-precompress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        let css = "body { color: #0a6c5a; }\n".repeat(200);
        std::fs::write(dir.join("pkg/anxin.css"), &css).unwrap();
        std::fs::write(dir.join("photo.png"), [0u8; 64]).unwrap();

        assert_eq!(
            precompress(&dir).unwrap(),
            2,
            "a .br and a .gz for the css only"
        );
        assert_eq!(
            precompress(&dir).unwrap(),
            0,
            "nothing again while up to date"
        );

        let mut from_br = String::new();
        brotli::Decompressor::new(
            std::fs::File::open(dir.join("pkg/anxin.css.br")).unwrap(),
            4096,
        )
        .read_to_string(&mut from_br)
        .unwrap();
        assert_eq!(from_br, css);
        let mut from_gz = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dir.join("pkg/anxin.css.gz")).unwrap())
            .read_to_string(&mut from_gz)
            .unwrap();
        assert_eq!(from_gz, css);
        assert!(!dir.join("photo.png.br").exists());
        assert_eq!(top_level_files(&dir), vec!["photo.png".to_owned()]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
