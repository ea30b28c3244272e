//! From config and flags to a client: which endpoint, which credentials.

use super::{AuthMethod, Config};
use crate::coc::auth::{ENV_DOMAIN_ID, credential_places};
use crate::coc::{Auth, ClientConfig, Credentials, Endpoint, is_loopback_url};

/// The region used when neither flags nor config name an endpoint.
pub const DEFAULT_REGION: &str = "cn-north-4";

/// The variable read for `method = "token"` when the config has no `token`.
pub use crate::coc::auth::ENV_AUTH_TOKEN;

/// The client settings for the commands: `endpoint`/`region` are the `--endpoint` and
/// `--region` flags. Credentials come from the process environment and the SDK profile.
pub fn client_config(
    config: &Config,
    endpoint: Option<&str>,
    region: Option<&str>,
) -> Result<ClientConfig, String> {
    client_config_with_env(config, endpoint, region, &|name| std::env::var(name).ok())
}

/// [`client_config`] with the environment lookup injected (for tests).
pub fn client_config_with_env(
    config: &Config,
    endpoint: Option<&str>,
    region: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientConfig, String> {
    let endpoint = resolve_endpoint(config, endpoint, region)?;
    let (auth, domain_id) = resolve_auth(config, &endpoint, env)?;
    check_transport(config, &endpoint, &auth, env)?;
    let mut client = ClientConfig::new(endpoint, auth);
    client.domain_id = domain_id;
    client.timeout = config.api.timeout;
    client.connect_timeout = config.api.connect_timeout;
    client.deadline = config.api.deadline;
    Ok(client)
}

/// Lets credentials go over plain HTTP to a host that is not loopback, like `allow_http`.
pub const ENV_ALLOW_HTTP: &str = "COCTOP_ALLOW_HTTP";

/// Credentials travel over plain HTTP only to loopback, unless the user opted in
/// (`allow_http` in [api] or `COCTOP_ALLOW_HTTP=1`); then [`transport_warning`] says so.
/// A proxy counts as a hop of its own: plain HTTP through a proxy that is not on
/// loopback carries the credentials in clear to it.
fn check_transport(
    config: &Config,
    endpoint: &Endpoint,
    auth: &Auth,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), String> {
    let Some(exposure) = exposure(endpoint, auth, env) else {
        return Ok(());
    };
    let opted_in = config.api.allow_http || env(ENV_ALLOW_HTTP).is_some_and(|v| v.trim() == "1");
    if !opted_in {
        let bypass = if exposure.proxied {
            ", name the host in NO_PROXY"
        } else {
            ""
        };
        return Err(format!(
            "refusing to send credentials over plain http:// {}: anyone on the way could \
             read them; use https://{bypass}, or accept the risk with `allow_http = true` \
             in [api] (or {ENV_ALLOW_HTTP}=1)",
            exposure.hop
        ));
    }
    Ok(())
}

/// The warning for a client whose credentials go out in clear: only a user who opted in
/// gets such a client (see `check_transport`).
pub fn transport_warning(client: &ClientConfig) -> Option<String> {
    let exposure = exposure(&client.endpoint, &client.auth, &|name| {
        std::env::var(name).ok()
    })?;
    Some(format!(
        "warning: credentials go unencrypted over plain http:// {} (allow_http is on)",
        exposure.hop
    ))
}

/// Where credentials would cross the network unencrypted.
struct Exposure {
    /// `to HOST`, or `through the proxy HOST (...)`.
    hop: String,
    /// A proxy applies to the endpoint (`NO_PROXY` could bypass it).
    proxied: bool,
}

/// Plain HTTP with credentials whose first hop (the proxy, when one applies) or the
/// endpoint itself is beyond loopback.
fn exposure(
    endpoint: &Endpoint,
    auth: &Auth,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Exposure> {
    if matches!(auth, Auth::None) || !endpoint.is_plain_http() {
        return None;
    }
    match proxy_for(&endpoint.url, env) {
        Some(proxy) if !is_loopback_url(&proxy) => Some(Exposure {
            hop: format!(
                "through the proxy {} (from HTTP_PROXY or ALL_PROXY)",
                shown_host(&proxy)
            ),
            proxied: true,
        }),
        proxy if !endpoint.is_loopback() => Some(Exposure {
            hop: format!("to {}", shown_host(&endpoint.url)),
            proxied: proxy.is_some(),
        }),
        _ => None,
    }
}

/// The proxy a request to `url` goes through, read from the environment by the very
/// rules the HTTP client follows (`hyper_util`'s matcher, which reqwest uses):
/// `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` in either case, `NO_PROXY`, none under CGI.
fn proxy_for(url: &url::Url, env: &dyn Fn(&str) -> Option<String>) -> Option<url::Url> {
    if env("REQUEST_METHOD").is_some() {
        return None;
    }
    let first = |names: [&str; 2]| names.iter().find_map(|name| env(name)).unwrap_or_default();
    let matcher = hyper_util::client::proxy::matcher::Matcher::builder()
        .all(first(["ALL_PROXY", "all_proxy"]))
        .http(first(["HTTP_PROXY", "http_proxy"]))
        .https(first(["HTTPS_PROXY", "https_proxy"]))
        .no(first(["NO_PROXY", "no_proxy"]))
        .build();
    let destination: hyper::Uri = url.as_str().parse().ok()?;
    let proxy = matcher.intercept(&destination)?;
    url::Url::parse(&proxy.uri().to_string()).ok()
}

/// `host[:port]` of a URL: never its user name or password.
fn shown_host(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Flags over config; within each, an endpoint URL over a region.
fn resolve_endpoint(
    config: &Config,
    endpoint: Option<&str>,
    region: Option<&str>,
) -> Result<Endpoint, String> {
    if let Some(url) = endpoint {
        return Endpoint::from_url(url).map_err(|e| format!("--endpoint: {e}"));
    }
    if let Some(region) = region {
        return Endpoint::from_region(region).map_err(|e| format!("--region: {e}"));
    }
    let from_config = |key: &str, result: Result<Endpoint, String>| {
        result.map_err(|e| match &config.path {
            Some(path) => format!("{}: `{key}` in [api]: {e}", path.display()),
            None => e,
        })
    };
    if let Some(url) = &config.api.endpoint {
        return from_config("endpoint", Endpoint::from_url(url));
    }
    if let Some(region) = &config.api.region {
        return from_config("region", Endpoint::from_region(region));
    }
    Endpoint::from_region(DEFAULT_REGION)
}

/// The auth and the `X-Domain-Id` to send.
fn resolve_auth(
    config: &Config,
    endpoint: &Endpoint,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Auth, Option<String>), String> {
    let get = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    let configured_domain = config.api.domain_id.clone();
    match config.auth.method {
        AuthMethod::None => Ok((Auth::None, configured_domain)),
        AuthMethod::Token => {
            let token = config
                .auth
                .token
                .clone()
                .or_else(|| get(ENV_AUTH_TOKEN).map(crate::coc::Secret::new))
                .ok_or_else(|| {
                    format!(
                        "auth method \"token\" needs a token: set `token` in [auth] of the \
                         config file or {ENV_AUTH_TOKEN}"
                    )
                })?;
            Ok((
                Auth::Token(token),
                configured_domain.or_else(|| get(ENV_DOMAIN_ID)),
            ))
        }
        AuthMethod::AkSk => {
            let inline = inline_key_pair(config);
            let discovered = Credentials::discover(env);
            let discovered_domain = match &discovered {
                Ok(creds) => creds.domain_id.clone(),
                Err(_) => get(ENV_DOMAIN_ID),
            };
            let domain_id = configured_domain.or(discovered_domain);
            if let Some(auth) = inline {
                return Ok((auth, domain_id));
            }
            match discovered?.into_auth() {
                Some(auth) => Ok((auth, domain_id)),
                None if endpoint.is_loopback() => Ok((Auth::None, domain_id)),
                None => Err(format!(
                    "no credentials for {}: {}, or set ak and sk in [auth] of the config file",
                    endpoint.display_name(),
                    credential_places()
                )),
            }
        }
    }
}

fn inline_key_pair(config: &Config) -> Option<Auth> {
    Some(Auth::AkSk {
        ak: config.auth.ak.clone()?,
        sk: config.auth.sk.clone()?,
        security_token: config.auth.security_token.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coc::Secret;
    use crate::coc::auth::{ENV_AK, ENV_CREDENTIALS_FILE, ENV_SK};
    use std::path::PathBuf;
    use std::time::Duration;

    /// An environment with only `vars`; the profile file is pointed at a path that does
    /// not exist so the user's own credentials never leak into a test.
    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            if name == ENV_CREDENTIALS_FILE {
                return Some("/nonexistent/coctop-test/credentials".into());
            }
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        }
    }

    fn with_api(endpoint: Option<&str>, region: Option<&str>) -> Config {
        let mut config = Config::default();
        config.api.endpoint = endpoint.map(str::to_string);
        config.api.region = region.map(str::to_string);
        config
    }

    fn resolve(
        config: &Config,
        flags: (Option<&str>, Option<&str>),
        env: &[(&str, &str)],
    ) -> Result<ClientConfig, String> {
        client_config_with_env(config, flags.0, flags.1, &env_of(env))
    }

    const KEYS: &[(&str, &str)] = &[(ENV_AK, "ENVAK"), (ENV_SK, "ENVSK")];

    #[test]
    fn endpoint_precedence_flags_then_config_url_before_region() {
        let mut config = with_api(Some("http://config.example:1"), Some("ap-southeast-3"));
        config.api.allow_http = true;
        let url_of = |c: &Config, flags| resolve(c, flags, KEYS).unwrap().endpoint.url.to_string();
        assert_eq!(
            url_of(
                &config,
                (Some("http://flag.example:2"), Some("eu-west-101"))
            ),
            "http://flag.example:2/"
        );
        assert_eq!(
            url_of(&config, (None, Some("eu-west-101"))),
            "https://coc-eu-west-101-open-api.myhuaweicloud.eu/"
        );
        assert_eq!(url_of(&config, (None, None)), "http://config.example:1/");
        let region_only = with_api(None, Some("ap-southeast-3"));
        assert_eq!(
            url_of(&region_only, (None, None)),
            "https://coc-intl.myhuaweicloud.com/"
        );
        assert_eq!(
            url_of(&Config::default(), (None, None)),
            "https://coc.myhuaweicloud.com/"
        );
    }

    #[test]
    fn credentials_go_over_plain_http_only_to_loopback_unless_opted_in() {
        let remote = with_api(Some("http://coc.example.com"), None);
        let err = resolve(&remote, (None, None), KEYS).unwrap_err();
        assert!(
            err.contains("refusing to send credentials over plain http://"),
            "{err}"
        );
        assert!(err.contains("allow_http"), "{err}");
        let token = [(ENV_AUTH_TOKEN, "IAMTOKEN")];
        let mut by_token = remote.clone();
        by_token.auth.method = AuthMethod::Token;
        assert!(resolve(&by_token, (None, None), &token).is_err());
        // Loopback, TLS, no credentials at all, or an explicit opt-in: allowed.
        for url in [
            "http://127.0.0.1:8710",
            "http://[::1]:1",
            "http://localhost:2",
        ] {
            assert!(
                resolve(&with_api(Some(url), None), (None, None), KEYS).is_ok(),
                "{url}"
            );
        }
        assert!(
            resolve(
                &with_api(Some("https://coc.example.com"), None),
                (None, None),
                KEYS
            )
            .is_ok()
        );
        let mut anonymous = remote.clone();
        anonymous.auth.method = AuthMethod::None;
        assert!(resolve(&anonymous, (None, None), KEYS).is_ok());
        assert_eq!(
            transport_warning(&resolve(&anonymous, (None, None), KEYS).unwrap()),
            None
        );
        let mut opted_in = remote.clone();
        opted_in.api.allow_http = true;
        let in_clear = resolve(&opted_in, (None, None), KEYS).unwrap();
        assert_eq!(
            transport_warning(&in_clear).as_deref(),
            Some(
                "warning: credentials go unencrypted over plain http:// to coc.example.com \
                 (allow_http is on)"
            )
        );
        let by_env = [KEYS[0], KEYS[1], (ENV_ALLOW_HTTP, "1")];
        assert!(resolve(&remote, (None, None), &by_env).is_ok());
        let loopback = resolve(
            &with_api(Some("http://127.0.0.1:1"), None),
            (None, None),
            KEYS,
        );
        assert_eq!(transport_warning(&loopback.unwrap()), None);
    }

    #[test]
    fn a_proxy_off_loopback_counts_as_the_first_hop_of_plain_http() {
        let sim = with_api(Some("http://127.0.0.1:8710"), None);
        for proxy in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
            let env = [
                KEYS[0],
                KEYS[1],
                (proxy, "http://user:hunter2@proxy.example.com:3128"),
            ];
            let err = resolve(&sim, (None, None), &env).unwrap_err();
            assert!(
                err.contains("through the proxy proxy.example.com:3128"),
                "{proxy}: {err}"
            );
            assert!(
                err.contains("NO_PROXY") && !err.contains("hunter2"),
                "{err}"
            );
        }
        let remote = with_api(Some("http://coc.example.com"), None);
        let local_proxy = [KEYS[0], KEYS[1], ("HTTP_PROXY", "http://127.0.0.1:3128")];
        let err = resolve(&remote, (None, None), &local_proxy).unwrap_err();
        assert!(
            err.contains("to coc.example.com"),
            "the hop after the proxy: {err}"
        );
        let fine: [&[(&str, &str)]; 4] = [
            &local_proxy,
            &[
                KEYS[0],
                KEYS[1],
                ("HTTP_PROXY", "http://proxy.example.com"),
                ("NO_PROXY", "127.0.0.1"),
            ],
            // Only an https:// endpoint uses HTTPS_PROXY, through a tunnel.
            &[
                KEYS[0],
                KEYS[1],
                ("HTTPS_PROXY", "http://proxy.example.com"),
            ],
            &[
                KEYS[0],
                KEYS[1],
                ("HTTP_PROXY", "http://proxy.example.com"),
                (ENV_ALLOW_HTTP, "1"),
            ],
        ];
        for env in fine {
            assert!(resolve(&sim, (None, None), env).is_ok(), "{env:?}");
        }
        let tls = with_api(Some("https://coc.example.com"), None);
        let env = [KEYS[0], KEYS[1], ("ALL_PROXY", "http://proxy.example.com")];
        assert!(resolve(&tls, (None, None), &env).is_ok(), "TLS end to end");
        let mut anonymous = sim.clone();
        anonymous.auth.method = AuthMethod::None;
        let env = [("HTTP_PROXY", "http://proxy.example.com")];
        assert!(
            resolve(&anonymous, (None, None), &env).is_ok(),
            "nothing to leak"
        );
    }

    #[test]
    fn user_info_in_an_endpoint_is_refused_and_never_quoted() {
        for url in [
            "http://user:hunter2@127.0.0.1:8710",
            "https://hunter2@coc.example.com",
            "https://user:hunter2@",
        ] {
            let err = resolve(&Config::default(), (Some(url), None), KEYS).unwrap_err();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.starts_with("--endpoint: invalid endpoint URL"), "{err}");
        }
        let err =
            resolve(&Config::default(), (Some("http://u:hunter2@h"), None), KEYS).unwrap_err();
        assert!(err.contains("user name or password"), "{err}");
    }

    #[test]
    fn the_deadline_reaches_the_client() {
        let mut config = with_api(Some("https://coc.example.com"), None);
        config.api.deadline = Duration::from_secs(7);
        assert_eq!(
            resolve(&config, (None, None), KEYS).unwrap().deadline,
            Duration::from_secs(7)
        );
        let default = resolve(&Config::default(), (None, None), KEYS).unwrap();
        assert_eq!(default.deadline, Duration::from_secs(30));
    }

    #[test]
    fn bad_flags_are_named() {
        let config = Config::default();
        let err = resolve(&config, (Some("ftp://x"), None), KEYS).unwrap_err();
        assert!(
            err.starts_with("--endpoint: invalid endpoint URL \"ftp://x\""),
            "{err}"
        );
        let err = resolve(&config, (None, Some("mars-1")), KEYS).unwrap_err();
        assert!(
            err.starts_with("--region: unknown region \"mars-1\""),
            "{err}"
        );
    }

    #[test]
    fn timeouts_come_from_the_config() {
        let mut config = Config::default();
        config.api.timeout = Duration::from_secs(42);
        config.api.connect_timeout = Duration::from_secs(3);
        let client = resolve(&config, (None, None), KEYS).unwrap();
        assert_eq!(client.timeout, Duration::from_secs(42));
        assert_eq!(client.connect_timeout, Duration::from_secs(3));
    }

    #[test]
    fn inline_keys_win_over_the_environment() {
        let mut config = Config::default();
        config.auth.ak = Some("FILEAK".into());
        config.auth.sk = Some(Secret::new("FILESK"));
        let client = resolve(&config, (None, None), KEYS).unwrap();
        assert!(matches!(client.auth, Auth::AkSk { ref ak, .. } if ak == "FILEAK"));

        let client = resolve(&Config::default(), (None, None), KEYS).unwrap();
        assert!(matches!(client.auth, Auth::AkSk { ref ak, ref sk, .. }
            if ak == "ENVAK" && sk.expose() == "ENVSK"));
    }

    #[test]
    fn credentials_fall_back_to_the_profile_file() {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("credentials");
        std::fs::write(
            &profile,
            "[global]\nak = PAK\nsk = PSK\ndomain_id = PDOMAIN\n",
        )
        .unwrap();
        let profile = profile.display().to_string();
        let env = move |name: &str| (name == ENV_CREDENTIALS_FILE).then(|| profile.clone());
        let client = client_config_with_env(&Config::default(), None, None, &env).unwrap();
        assert!(matches!(client.auth, Auth::AkSk { ref ak, .. } if ak == "PAK"));
        assert_eq!(client.domain_id.as_deref(), Some("PDOMAIN"));
    }

    #[test]
    fn domain_id_config_then_environment() {
        let env: Vec<(&str, &str)> = [KEYS, &[(ENV_DOMAIN_ID, "ENVDOMAIN")]].concat();
        let client = resolve(&Config::default(), (None, None), &env).unwrap();
        assert_eq!(client.domain_id.as_deref(), Some("ENVDOMAIN"));
        let mut config = Config::default();
        config.api.domain_id = Some("CFGDOMAIN".into());
        let client = resolve(&config, (None, None), &env).unwrap();
        assert_eq!(client.domain_id.as_deref(), Some("CFGDOMAIN"));
    }

    #[test]
    fn no_credentials_is_fine_on_loopback_only() {
        let config = Config::default();
        let client = resolve(&config, (Some("http://127.0.0.1:8710"), None), &[]).unwrap();
        assert_eq!(client.auth, Auth::None);
        let client = resolve(&config, (Some("http://localhost:8710"), None), &[]).unwrap();
        assert_eq!(client.auth, Auth::None);

        let err = resolve(&config, (None, Some("ap-southeast-3")), &[]).unwrap_err();
        assert!(
            err.starts_with("no credentials for ap-southeast-3: "),
            "{err}"
        );
        assert!(
            err.contains(ENV_AK) && err.contains("~/.huaweicloud/credentials"),
            "{err}"
        );
        assert!(err.contains("[auth]"), "{err}");
    }

    #[test]
    fn token_and_none_methods() {
        let mut config = Config::default();
        config.auth.method = AuthMethod::Token;
        let client = resolve(&config, (None, None), &[(ENV_AUTH_TOKEN, "ENVTOKEN")]).unwrap();
        assert_eq!(client.auth, Auth::Token(Secret::new("ENVTOKEN")));
        config.auth.token = Some(Secret::new("CFGTOKEN"));
        let client = resolve(&config, (None, None), &[(ENV_AUTH_TOKEN, "ENVTOKEN")]).unwrap();
        assert_eq!(client.auth, Auth::Token(Secret::new("CFGTOKEN")));
        config.auth.token = None;
        let err = resolve(&config, (None, None), KEYS).unwrap_err();
        assert!(err.contains(ENV_AUTH_TOKEN), "{err}");

        config.auth.method = AuthMethod::None;
        let client = resolve(&config, (None, None), KEYS).unwrap();
        assert_eq!(client.auth, Auth::None);
    }

    #[test]
    fn a_bad_config_endpoint_names_the_file() {
        let mut config = with_api(Some("not a url"), None);
        config.path = Some(PathBuf::from("/etc/c.toml"));
        let err = resolve(&config, (None, None), KEYS).unwrap_err();
        assert!(
            err.starts_with("/etc/c.toml: `endpoint` in [api]: invalid endpoint URL"),
            "{err}"
        );
    }
}
