//! Which language a page speaks, and translation lookups (rust-i18n tables compiled
//! from `locales/*.json`). Only the server renders text; islands get their labels as props.

use http::request::Parts;
use http::HeaderMap;
use leptos::prelude::*;

pub const COOKIE: &str = "anxin_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    /// Simplified Chinese: everyone's default until they choose English.
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "zh-CN" | "zh" => Some(Self::ZhCn),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::ZhCn => Self::En,
            Self::En => Self::ZhCn,
        }
    }

    /// From the language cookie; Simplified Chinese without one.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        crate::backend::cookie_value(headers, COOKIE)
            .and_then(|v| Self::parse(&v))
            .unwrap_or_default()
    }
}

/// The locale of the request being served.
pub fn locale() -> Locale {
    use_context::<Locale>()
        .or_else(|| use_context::<Parts>().map(|p| Locale::from_headers(&p.headers)))
        .unwrap_or_default()
}

/// Translates `key` into the request's language.
pub fn t(key: &str) -> String {
    t_in(locale(), key)
}

pub fn t_in(locale: Locale, key: &str) -> String {
    rust_i18n::t!(key, locale = locale.code()).into_owned()
}

/// Translates and fills `%{name}` placeholders.
pub fn t_with(key: &str, args: &[(&str, &str)]) -> String {
    t_in_with(locale(), key, args)
}

pub fn t_in_with(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(t_in(locale, key), |s, (name, value)| {
        s.replace(&format!("%{{{name}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(prefix: &str, v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    keys(&p, v, out);
                }
            }
            _ => {
                out.insert(prefix.to_owned());
            }
        }
    }

    fn load(name: &str) -> BTreeSet<String> {
        let path = format!("{}/locales/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut out = BTreeSet::new();
        keys("", &v, &mut out);
        out
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let zh = load("zh-CN");
        let en = load("en");
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "zh only: {only_zh:?}; en only: {only_en:?}"
        );
    }

    #[test]
    fn every_error_code_has_a_message_in_both_languages() {
        let (zh, en) = (load("zh-CN"), load("en"));
        for code in crate::model::ErrorCode::ALL {
            // `weak` has one message per reason, under its key.
            let key = match code {
                crate::model::ErrorCode::Weak => format!("{}.guessable", code.key()),
                _ => code.key(),
            };
            assert!(zh.contains(&key) && en.contains(&key), "{key}");
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        for key in load("zh-CN") {
            let ph = |l: Locale| {
                let s = t_in(l, &key);
                s.match_indices("%{")
                    .map(|(i, _)| s[i..].split('}').next().unwrap_or("").to_owned())
                    .collect::<BTreeSet<_>>()
            };
            assert_eq!(ph(Locale::ZhCn), ph(Locale::En), "{key}");
        }
    }

    #[test]
    fn lookups_and_placeholders() {
        assert_eq!(t_in(Locale::En, "login.title"), "Log in");
        assert_eq!(t_in(Locale::ZhCn, "login.title"), "登录");
        assert_eq!(
            t_in_with(Locale::En, "home.greeting", &[("name", "李")]),
            "Hello, 李"
        );
    }

    #[test]
    fn masked_phones_as_each_language_writes_them() {
        let p = crate::model::Phone::parse("13800000042").unwrap();
        assert_eq!(phone_in(Locale::ZhCn, &p), "138****0042");
        assert_eq!(phone_in(Locale::En, &p), "+86 138 **** 0042");
    }
}

/// A calendar date (`YYYY-MM-DD`) as people write it: `2026年12月12日`, `12 Dec 2026`.
pub fn date(iso: &str) -> String {
    date_in(locale(), iso)
}

pub fn date_in(locale: Locale, iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => match locale {
            Locale::ZhCn => d.format("%Y年%-m月%-d日").to_string(),
            Locale::En => d.format("%-d %b %Y").to_string(),
        },
        Err(_) => iso.to_owned(),
    }
}

/// A mobile number, masked, as people write it: `138****0042` in Chinese; in English with
/// the country code and grouped, `+86 138 **** 0042`.
pub fn phone(p: &crate::model::Phone) -> String {
    phone_in(locale(), p)
}

pub fn phone_in(locale: Locale, p: &crate::model::Phone) -> String {
    match locale {
        Locale::ZhCn => p.masked(),
        Locale::En => format!("+86 {} **** {}", &p.as_str()[..3], p.last4()),
    }
}

/// An instant in Asia/Shanghai: `2026年12月12日 23:59`, `12 Dec 2026, 23:59`.
pub fn datetime(unix: i64) -> String {
    let local = crate::backend::clock::shanghai_datetime(unix);
    let (d, t) = local.split_once(' ').unwrap_or((&local, ""));
    match locale() {
        Locale::ZhCn => format!("{} {t}", date_in(Locale::ZhCn, d)),
        Locale::En => format!("{}, {t}", date_in(Locale::En, d)),
    }
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn dates_per_locale() {
        assert_eq!(date_in(Locale::ZhCn, "2026-12-05"), "2026年12月5日");
        assert_eq!(date_in(Locale::En, "2026-12-05"), "5 Dec 2026");
        assert_eq!(date_in(Locale::En, "not a date"), "not a date");
    }
}
