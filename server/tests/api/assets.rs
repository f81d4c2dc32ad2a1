//! The site's files as a CDN would want them: compressed copies made at build time served
//! to whoever accepts them, a year's caching for hashed names only, and revalidation for
//! public pages; personal pages are never stored.

use crate::helpers::*;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, COOKIE};
use reqwest::StatusCode;

const HASHED_CSS: &str = "/pkg/anxin.aGFzaGVkX2Nzcw.css";
const HASHED_WASM: &str = "/pkg/anxin.aGFzaGVkX3dhc20.wasm";

/// A built site in a directory of the test's own: a hashed and a plain stylesheet, the
/// icon, then the build's compression step.
fn site_root(tag: &str) -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("anxin-site-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    let css = "main { max-inline-size: 40rem; color: #0a6c5a; }\n".repeat(100);
    std::fs::write(root.join(&HASHED_CSS[1..]), &css).unwrap();
    std::fs::write(root.join("pkg/anxin.css"), &css).unwrap();
    std::fs::write(root.join(&HASHED_WASM[1..]), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(
        root.join("favicon.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7"/></svg>"#,
    )
    .unwrap();
    assert!(anxin::static_files::precompress(&root).unwrap() >= 8);
    root
}

fn plain_client() -> reqwest::Client {
    // No automatic decompression: the test sees what went over the wire.
    reqwest::Client::builder()
        .no_brotli()
        .no_gzip()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn static_files_come_precompressed_and_hashed_names_are_kept_for_a_year() {
    let root = site_root("cache");
    let app = spawn_app_with(&fresh_database().await, |c| {
        c.site_root = root.to_string_lossy().into_owned();
    })
    .await;
    let client = plain_client();
    let raw = std::fs::read(root.join(&HASHED_CSS[1..])).unwrap();

    for (accept, encoding, copy) in [
        ("br, gzip", Some("br"), Some("br")),
        ("gzip", Some("gzip"), Some("gz")),
        ("identity", None, None),
    ] {
        let res = client
            .get(format!("{}{HASHED_CSS}", app.base))
            .header(ACCEPT_ENCODING, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{accept}");
        let h = res.headers().clone();
        assert_eq!(
            h.get(CONTENT_ENCODING).map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(h[CONTENT_TYPE], "text/css");
        assert_eq!(h[CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let body = res.bytes().await.unwrap();
        let expected = match copy {
            Some(ext) => std::fs::read(root.join(format!("{}.{ext}", &HASHED_CSS[1..]))).unwrap(),
            None => raw.clone(),
        };
        assert_eq!(
            body.as_ref(),
            expected.as_slice(),
            "{accept}: the file's own copy"
        );
    }

    // The same name is the same bytes: a browser that has them is told so.
    let first = client
        .get(format!("{}{HASHED_CSS}", app.base))
        .header(ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(first.headers()["vary"], "accept-encoding");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = client
        .get(format!("{}{HASHED_CSS}", app.base))
        .header(ACCEPT_ENCODING, "gzip, deflate, br")
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty());
    let head = client
        .head(format!("{}{HASHED_CSS}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        head.headers()["content-length"].to_str().unwrap(),
        raw.len().to_string()
    );
    assert!(head.bytes().await.unwrap().is_empty());
    // The wasm must say what it is, or browsers will not compile it as it streams in.
    let wasm = client
        .get(format!("{}{HASHED_WASM}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()[CONTENT_TYPE], "application/wasm");
    assert_eq!(
        wasm.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );

    // A name without a hash may change under the same URL: revalidate it.
    for path in ["/pkg/anxin.css", "/favicon.svg"] {
        let res = client
            .get(format!("{}{path}", app.base))
            .header(ACCEPT_ENCODING, "br")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[CACHE_CONTROL], "no-cache", "{path}");
        assert_eq!(res.headers()[CONTENT_ENCODING], "br", "{path}");
    }
    let svg = client
        .get(format!("{}/favicon.svg", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()[CONTENT_TYPE], "image/svg+xml");
    assert!(svg.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    // Top-level files come from memory too, with a tag of their contents to revalidate by.
    let tag = svg.headers()["etag"].to_str().unwrap().to_owned();
    let again = client
        .get(format!("{}/favicon.svg", app.base))
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[CACHE_CONTROL], "no-cache");
    let head = client
        .head(format!("{}/favicon.svg", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[CONTENT_TYPE], "image/svg+xml");

    // Missing files, traversal and other methods change nothing and are never cached.
    for path in [
        "/pkg/anxin.bm9uZXhpc3RlbnQ.css",
        "/pkg/../Cargo.toml",
        "/pkg/%2e%2e/Cargo.toml",
        "/pkg/",
    ] {
        let res = client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_ne!(
            res.headers()
                .get(CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("public, max-age=31536000, immutable"),
            "{path}"
        );
    }
    let post = client
        .post(format!("{}{HASHED_CSS}", app.base))
        .send()
        .await
        .unwrap();
    assert!(post.status().is_client_error(), "{}", post.status());
    assert_eq!(
        std::fs::read(root.join(&HASHED_CSS[1..])).unwrap(),
        raw,
        "unchanged"
    );

    // Every other path still reaches the app.
    let missing = client
        .get(format!("{}/no-such-page", app.base))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("<html"));
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn public_pages_are_revalidated_and_personal_ones_never_stored() {
    let app = spawn_app().await;
    let customer = app.customer("13900002001", "缓存", Some(PASSWORD)).await;
    let client = plain_client();
    for path in ["/login", "/activate", "/staff/login"] {
        let res = client
            .get(format!("{}{path}", app.base))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let expected = if res.headers().contains_key("set-cookie") {
            "no-store"
        } else {
            "no-cache"
        };
        assert_eq!(res.headers()[CACHE_CONTROL], expected, "{path}");
        // With a cookie it may be drawn for someone: never kept.
        let res = client
            .get(format!("{}{path}", app.base))
            .header("Accept", "text/html")
            .header(COOKIE, "anxin_session=whatever")
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()[CACHE_CONTROL],
            "no-store",
            "{path} with a cookie"
        );
    }
    let browser = app.browser();
    browser.login(&customer.phone, PASSWORD).await;
    let res = browser.get("/policies").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
}
