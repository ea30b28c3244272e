//! `X-Language`: the language of the messages in the service's answers.

use axum::http::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `en-us`, or no header: the service's default.
    En,
    /// `zh-cn`.
    Zh,
}

impl Lang {
    pub fn of(headers: &HeaderMap) -> Lang {
        let asked = headers
            .get("x-language")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if asked.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// `en` or `zh`, whichever this language is.
    pub fn pick(self, en: String, zh: String) -> String {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_only_when_asked() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert("x-language", value.parse().unwrap());
            Lang::of(&headers)
        };
        assert_eq!(with("zh-cn"), Lang::Zh);
        assert_eq!(with("ZH-CN"), Lang::Zh);
        assert_eq!(with("en-us"), Lang::En);
        assert_eq!(with("fr-fr"), Lang::En);
        assert_eq!(Lang::of(&HeaderMap::new()), Lang::En);
    }
}
