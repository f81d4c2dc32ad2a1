//! The names of the built stylesheet and scripts. A release build (cargo-leptos with
//! `hash-files`) puts a content hash into each name and writes the hashes to `hash.txt`
//! beside the server binary; the names then never change for other contents, so browsers
//! and CDNs may keep them for a year. Without the file (tests, `cargo run`) the plain
//! names are served, and revalidated.

use std::sync::OnceLock;

/// What cargo-leptos calls the site's files (`output-name`, the package name).
pub const OUTPUT_NAME: &str = "anxin";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assets {
    /// Whether the build hashed the file names (Leptos then names the scripts from the
    /// same file).
    pub hashed: bool,
    stylesheet: String,
}

impl Assets {
    /// The names this binary was built with, read once.
    pub fn get() -> &'static Assets {
        static ASSETS: OnceLock<Assets> = OnceLock::new();
        ASSETS.get_or_init(|| {
            let file = std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
                .and_then(|path| std::fs::read_to_string(path).ok());
            Assets::from_hash_file(file.as_deref())
        })
    }

    /// From the contents of cargo-leptos's `hash.txt` (`css: <hash>` lines), if any.
    pub fn from_hash_file(text: Option<&str>) -> Assets {
        let css = text.and_then(|text| {
            text.lines().find_map(|line| {
                let (kind, hash) = line.split_once(':')?;
                let hash = hash.trim();
                (kind.trim() == "css" && is_hash(hash)).then(|| hash.to_owned())
            })
        });
        Assets {
            hashed: css.is_some(),
            stylesheet: match css {
                Some(hash) => format!("/pkg/{OUTPUT_NAME}.{hash}.css"),
                None => format!("/pkg/{OUTPUT_NAME}.css"),
            },
        }
    }

    pub fn stylesheet_href(&self) -> &str {
        &self.stylesheet
    }
}

/// A hash as cargo-leptos writes it into a name: long enough not to be a word, and only
/// the characters of URL-safe base64.
fn is_hash(s: &str) -> bool {
    s.len() >= 8
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether a request path names a file whose contents can never change: one of ours in
/// `/pkg/` with a hash in its name (`/pkg/anxin.<hash>.css`, `.js`, `.wasm`).
pub fn is_immutable(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let Some(rest) = name
        .strip_prefix(OUTPUT_NAME)
        .and_then(|r| r.strip_prefix('.'))
    else {
        return false;
    };
    match rest.rsplit_once('.') {
        Some((hash, ext)) => is_hash(hash) && matches!(ext, "css" | "js" | "wasm"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_file_names_the_hashed_stylesheet() {
        let a = Assets::from_hash_file(Some(
            "js: Y2hyb21lX2pz\nwasm: d2FzbV9oYXNo\ncss: aGFzaGVkX2Nzcw\n",
        ));
        assert!(a.hashed);
        assert_eq!(a.stylesheet_href(), "/pkg/anxin.aGFzaGVkX2Nzcw.css");
    }

    #[test]
    fn without_one_the_plain_names_are_used() {
        for text in [None, Some(""), Some("css: ../../etc"), Some("css: x")] {
            let a = Assets::from_hash_file(text);
            assert!(!a.hashed, "{text:?}");
            assert_eq!(a.stylesheet_href(), "/pkg/anxin.css");
        }
    }

    #[test]
    fn only_hashed_names_of_ours_are_immutable() {
        assert!(is_immutable("/pkg/anxin.aGFzaGVkX2Nzcw.css"));
        assert!(is_immutable("/pkg/anxin.aGFzaGVkX2Nzcw.wasm"));
        assert!(is_immutable("/pkg/anxin.aGFzaGVk-X2N_zcw.js"));
        for path in [
            "/pkg/anxin.css",
            "/pkg/anxin_bg.wasm",
            "/pkg/anxin.js",
            "/pkg/anxin.aGFzaGVkX2Nzcw.html",
            "/pkg/other.aGFzaGVkX2Nzcw.css",
            "/anxin.aGFzaGVkX2Nzcw.css",
            "/favicon.svg",
            "/pkg/anxin.a/b/c/d/e/f/g/h.css",
        ] {
            assert!(!is_immutable(path), "{path}");
        }
    }
}
