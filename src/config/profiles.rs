//! `[[profile]]`: one account and region each. A config without any is one implicit
//! profile made of `[api]` and `[auth]`, exactly as before profiles existed. A view of
//! one profile (`Config::profile`) is a `Config` whose `[api]`, `[auth]`, `max_rps`,
//! read-only setting, watched tickets and queries are that profile's, so everything
//! that resolves a client from a config works on it unchanged.

use super::{AuthConfig, Config};

/// The name of the one profile a config without `[[profile]]` describes.
pub const IMPLICIT_PROFILE: &str = "default";

/// One `[[profile]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileEntry {
    pub name: String,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    /// Sent as `X-Domain-Id`; else `[api]`'s, else the credentials'.
    pub domain_id: Option<String>,
    /// Its own credentials; `None`: those of `[auth]` (and where `[auth]` looks).
    pub auth: Option<AuthConfig>,
    /// The colour that marks its tickets (a colour name or `#rrggbb`).
    pub accent: Option<String>,
    /// No operation is ever sent to it.
    pub read_only: bool,
    /// Its own pace (requests per second); else `[poll] max_rps`.
    pub max_rps: Option<f64>,
}

impl Config {
    /// Every profile's name, in the file's order (the implicit one's without any).
    pub fn profile_names(&self) -> Vec<&str> {
        if self.profiles.is_empty() {
            return vec![IMPLICIT_PROFILE];
        }
        self.profiles.iter().map(|p| p.name.as_str()).collect()
    }

    /// Whether there is more than one profile to tell apart.
    pub fn has_profiles(&self) -> bool {
        self.profiles.len() > 1
    }

    /// The view of the profile called `name` (`None`: the first); the error names the
    /// profiles there are and the nearest one.
    pub fn profile(&self, name: Option<&str>) -> Result<Config, String> {
        let names = self.profile_names();
        let name = name.unwrap_or(names[0]);
        let Some(index) = names.iter().position(|n| *n == name) else {
            return Err(crate::coc::error::no_such_profile(name, &names));
        };
        let mut view = self.clone();
        view.profile = Some(name.to_string());
        let first = index == 0;
        let mine = |profile: &Option<String>| profile.as_deref().map_or(first, |p| p == name);
        view.watch.retain(|w| mine(&w.profile));
        view.queries.retain(|q| mine(&q.profile));
        if let Some(profile) = self.profiles.get(index) {
            if profile.region.is_some() || profile.endpoint.is_some() {
                view.api.region.clone_from(&profile.region);
                view.api.endpoint.clone_from(&profile.endpoint);
            }
            if profile.domain_id.is_some() {
                view.api.domain_id.clone_from(&profile.domain_id);
            }
            if let Some(auth) = &profile.auth {
                view.auth = auth.clone();
            }
            if let Some(max_rps) = profile.max_rps {
                view.poll.max_rps = max_rps;
            }
        }
        Ok(view)
    }

    /// Every profile's view, in order.
    pub fn profile_views(&self) -> Vec<Config> {
        self.profile_names()
            .into_iter()
            .filter_map(|name| self.profile(Some(name)).ok())
            .collect()
    }

    /// The `[[profile]]` this view is of, if the file has any.
    pub fn profile_entry(&self) -> Option<&ProfileEntry> {
        let name = self.profile.as_deref()?;
        self.profiles.iter().find(|p| p.name == name)
    }

    /// Whether operations are off for this view's profile (`read_only = true` in its
    /// `[[profile]]`).
    pub fn profile_read_only(&self) -> bool {
        self.profile_entry().is_some_and(|p| p.read_only)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coc::TicketRef;
    use crate::config::{QueryEntry, WatchEntry};

    fn profile(name: &str) -> ProfileEntry {
        ProfileEntry {
            name: name.into(),
            region: None,
            endpoint: Some(format!("https://{name}.example.com")),
            domain_id: None,
            auth: None,
            accent: None,
            read_only: false,
            max_rps: None,
        }
    }

    fn watched(id: &str, profile: Option<&str>) -> WatchEntry {
        WatchEntry {
            profile: profile.map(str::to_string),
            ..WatchEntry::unlabelled(TicketRef::parse(id).unwrap())
        }
    }

    #[test]
    fn without_profiles_the_one_view_is_the_config_itself() {
        let config = Config {
            watch: vec![watched("EX1", None)],
            ..Config::default()
        };
        let view = config.profile(None).unwrap();
        assert_eq!(view.profile.as_deref(), Some(IMPLICIT_PROFILE));
        assert_eq!(
            Config {
                profile: None,
                ..view
            },
            config
        );
    }

    #[test]
    fn a_view_holds_its_profiles_tickets_endpoint_and_pace_and_the_first_takes_the_unnamed() {
        let mut config = Config::default();
        config.api.endpoint = Some("https://api.example.com".into());
        config.profiles = vec![
            profile("prod"),
            ProfileEntry {
                endpoint: None,
                max_rps: Some(2.0),
                ..profile("staging")
            },
        ];
        config.watch = vec![watched("EX1", None), watched("EX2", Some("staging"))];
        config.queries = vec![QueryEntry {
            name: "mine".into(),
            query: Default::default(),
            profile: Some("staging".into()),
        }];
        let prod = config.profile(None).unwrap();
        assert_eq!(
            prod.api.endpoint.as_deref(),
            Some("https://prod.example.com")
        );
        assert_eq!(prod.watch, vec![watched("EX1", None)]);
        assert!(prod.queries.is_empty());
        let staging = config.profile(Some("staging")).unwrap();
        assert_eq!(
            staging.api.endpoint.as_deref(),
            Some("https://api.example.com")
        );
        assert_eq!(staging.poll.max_rps, 2.0);
        assert_eq!(staging.watch, vec![watched("EX2", Some("staging"))]);
        assert_eq!(staging.queries.len(), 1);
        let unknown = config.profile(Some("stagign")).unwrap_err();
        assert!(unknown.contains("did you mean \"staging\"?"), "{unknown}");
    }
}

#[cfg(test)]
mod parse_tests {
    use crate::config::parse_text;

    fn problems(text: &str) -> Vec<String> {
        parse_text(text)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let at = p.position.unwrap();
                format!("{}:{}: {}", at.line, at.column, p.message)
            })
            .collect()
    }

    #[test]
    fn every_key_of_a_profile_is_read_and_its_tickets_name_it() {
        let config = parse_text(
            r##"
[auth]
ak = "DEFAULTAK"
sk = "DEFAULTSK"

[[profile]]
name = "prod"
region = "cn-north-4"
credentials_file = "~/.huaweicloud/credentials"
section = "prod"
domain_id = "0123"
accent = "#ff8800"
read_only = true
max_rps = 4

[[profile]]
name = "staging"
endpoint = "https://coc.staging.example.com"
env_prefix = "STAGING"

[[profile]]
name = "lab"

[[watch]]
id = "EX1"

[[watch]]
id = "EX2"
profile = "staging"

[[watch]]
id = "script/JS1"
profile = "staging"

[[query]]
name = "mine"
profile = "lab"
"##,
        )
        .unwrap();
        assert_eq!(config.profile_names(), ["prod", "staging", "lab"]);
        let prod = &config.profiles[0];
        let auth = prod.auth.as_ref().unwrap();
        assert_eq!(auth.section.as_deref(), Some("prod"));
        assert_eq!(auth.ak, None, "a profile's own credentials, not [auth]'s");
        assert_eq!(
            (prod.accent.as_deref(), prod.read_only, prod.max_rps),
            (Some("#ff8800"), true, Some(4.0))
        );
        let staging = config.profile(Some("staging")).unwrap();
        assert_eq!(staging.auth.env_prefix.as_deref(), Some("STAGING"));
        assert_eq!(staging.watch[0].id, "EX2");
        assert_eq!(staging.watch[1].id.to_string(), "script/JS1");
        assert_eq!(staging.watch[1].id.kind(), crate::coc::TicketKind::Script);
        let lab = config.profile(Some("lab")).unwrap();
        assert_eq!(
            lab.auth.ak.as_deref(),
            Some("DEFAULTAK"),
            "[auth] when it has none"
        );
        assert_eq!(lab.queries[0].name, "mine");
        assert!(lab.watch.is_empty());
    }

    #[test]
    fn bad_profiles_are_named_with_their_line() {
        let found = problems(
            r#"
[[profile]]
name = "prod"
section = "x"

[[profile]]
name = "prod"
ak = "A"
sk = "B"
env_prefix = "P"
accent = "octarine"
max_rps = 0

[[profile]]
region = "cn-north-4"

[[watch]]
id = "EX1"
profile = "prdo"
"#,
        );
        let expected = [
            "4:11: `section` in [[profile]]: names a section of `credentials_file`, which is not set",
            "7:8: `name` in [[profile]]: duplicate profile name \"prod\" (first on line 3)",
            "10:14: `env_prefix` in [[profile]]: the keys come from one place at most: `ak` and `env_prefix` are set",
            "11:10: `accent` in [[profile]]: unknown colour \"octarine\"",
            "12:11: `max_rps` in [[profile]]: must be a finite number greater than 0, got 0",
            "14:1: [[profile]] entry without `name`",
            "19:11: `profile` in [[watch]]: no [[profile]] named \"prdo\" (did you mean \"prod\"?)",
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for (found, expected) in found.iter().zip(expected) {
            assert!(found.starts_with(expected), "{found}\n{expected}");
        }
        let none = problems("[[query]]\nname = \"q\"\nprofile = \"prod\"\n");
        assert!(none[0].contains("the file has no [[profile]]"), "{none:?}");
    }

    #[test]
    fn a_profile_name_is_one_word_that_profile_equals_can_name() {
        for name in ["stag ing", "prod,eu", "prod#1", "prod\\n", "prod\\u0007"] {
            let found = problems(&format!("[[profile]]\nname = \"{name}\"\n"));
            assert!(
                found.len() == 1
                    && found[0].starts_with("2:8: `name` in [[profile]]: ")
                    && found[0].contains("one word"),
                "{name}: {found:?}"
            );
        }
        assert!(problems("[[profile]]\nname = \"cn-north-4/prod.v2_x=y\"\n").is_empty());
    }
}
