//! AK/SK request signing (SDK-HMAC-SHA256, as the official Huawei Cloud SDKs do it) and
//! credential lookup (environment, then the SDK profile file).

use std::fmt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded (uppercase hex).
pub const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A secret that never shows in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret(s.to_string())
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Secret, Self::Err> {
        Ok(Secret::from(s))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How requests are authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Signed with an access key; `security_token` for temporary credentials.
    AkSk {
        ak: String,
        sk: Secret,
        security_token: Option<Secret>,
    },
    /// An IAM token sent as `X-Auth-Token`.
    Token(Secret),
    /// Nothing: for the local simulator.
    None,
}

/// One request as the signer sees it.
#[derive(Debug, Clone)]
pub struct SigningRequest<'a> {
    pub method: &'a str,
    /// `host` or `host:port`, exactly as sent in the `Host` header.
    pub host: &'a str,
    /// The path as sent (percent-encoded).
    pub path: &'a str,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// Headers that will be sent, apart from `Host` and `X-Sdk-Date`.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// The signer's output, with its intermediate strings for tests and debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signed_headers: String,
    pub authorization: String,
}

/// `YYYYMMDDTHHMMSSZ` in UTC, the value of `X-Sdk-Date`.
pub fn sdk_date(now: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    // Every request carries one: fields, not a strftime pattern parsed each time.
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        now.month(),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// The hex SHA-256 of an empty body (every GET's).
const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

pub fn sign(req: &SigningRequest<'_>, ak: &str, sk: &Secret, x_sdk_date: &str) -> Signature {
    Signer::new(ak, sk, req.host, req.headers)
        .sign(req.method, req.path, req.query, req.body, x_sdk_date)
}

/// `sign` with what stays the same between the requests of one client worked out once:
/// the signed headers' canonical lines and names (all but `X-Sdk-Date`, whose line
/// goes where it sorts), and the HMAC keyed with the secret key.
#[derive(Clone)]
pub struct Signer {
    ak: String,
    /// The canonical `name:value` lines that sort before `x-sdk-date`, and after it.
    lines_before_date: String,
    lines_after_date: String,
    signed_headers: String,
    keyed: Hmac<Sha256>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

const DATE_HEADER: &str = "x-sdk-date";

impl Signer {
    /// For requests to `host` (as sent in `Host`) carrying `headers` (apart from `Host`
    /// and `X-Sdk-Date`): names with `_` are not signed, values are trimmed.
    pub fn new(ak: &str, sk: &Secret, host: &str, headers: &[(String, String)]) -> Signer {
        let mut lines: Vec<(String, &str)> = headers
            .iter()
            .filter(|(name, _)| !name.contains('_'))
            .filter(|(name, _)| {
                !name.eq_ignore_ascii_case("host") && !name.eq_ignore_ascii_case(DATE_HEADER)
            })
            .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
            .collect();
        lines.push(("host".into(), host));
        lines.sort_unstable();
        let date_at = lines.partition_point(|(name, _)| name.as_str() < DATE_HEADER);
        let canonical = |lines: &[(String, &str)]| -> String {
            lines
                .iter()
                .map(|(name, value)| format!("{name}:{value}\n"))
                .collect()
        };
        let mut names: Vec<&str> = lines.iter().map(|(name, _)| name.as_str()).collect();
        names.insert(date_at, DATE_HEADER);
        Signer {
            ak: ak.to_string(),
            lines_before_date: canonical(&lines[..date_at]),
            lines_after_date: canonical(&lines[date_at..]),
            signed_headers: names.join(";"),
            keyed: Hmac::<Sha256>::new_from_slice(sk.expose().as_bytes())
                .expect("HMAC takes any key length"),
        }
    }

    /// Signs one request: `path` as sent (percent-encoded), `query` decoded.
    pub fn sign(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: &[u8],
        x_sdk_date: &str,
    ) -> Signature {
        // Built in place: signing runs on every request, a poll's hot path.
        let mut canonical_request = String::with_capacity(512);
        canonical_request.push_str(&method.to_ascii_uppercase());
        canonical_request.push('\n');
        canonical_request.push_str(&canonical_uri(path));
        canonical_request.push('\n');
        canonical_request.push_str(&canonical_query(query));
        canonical_request.push('\n');
        canonical_request.push_str(&self.lines_before_date);
        canonical_request.push_str(DATE_HEADER);
        canonical_request.push(':');
        canonical_request.push_str(x_sdk_date);
        canonical_request.push('\n');
        canonical_request.push_str(&self.lines_after_date);
        canonical_request.push('\n');
        canonical_request.push_str(&self.signed_headers);
        canonical_request.push('\n');
        if body.is_empty() {
            canonical_request.push_str(EMPTY_BODY_SHA256);
        } else {
            canonical_request.push_str(&hex::encode(Sha256::digest(body)));
        }
        let string_to_sign = format!(
            "{ALGORITHM}\n{x_sdk_date}\n{}",
            hex::encode(Sha256::digest(canonical_request.as_bytes()))
        );
        let mut mac = self.keyed.clone();
        mac.update(string_to_sign.as_bytes());
        let signature = hex::encode(mac.finalize().into_bytes());
        let authorization = format!(
            "{ALGORITHM} Access={}, SignedHeaders={}, Signature={signature}",
            self.ak, self.signed_headers
        );
        Signature {
            canonical_request,
            string_to_sign,
            signed_headers: self.signed_headers.clone(),
            authorization,
        }
    }
}

/// Decode the path, re-encode each segment, and end it with `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len() + 1);
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            uri.push('/');
        }
        let decoded = percent_decode_str(segment).decode_utf8_lossy();
        uri.extend(utf8_percent_encode(&decoded, SEGMENT));
    }
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (encode_segment(k), encode_segment(v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Parsed `Authorization` header, as the simulator verifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader {
    pub access: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl AuthorizationHeader {
    pub fn parse(value: &str) -> Option<AuthorizationHeader> {
        let rest = value.strip_prefix(ALGORITHM)?.trim_start();
        let mut access = None;
        let mut signed = None;
        let mut signature = None;
        for part in rest.split(',') {
            let (name, val) = part.trim().split_once('=')?;
            match name {
                "Access" => access = Some(val.to_string()),
                "SignedHeaders" => signed = Some(val.split(';').map(str::to_string).collect()),
                "Signature" => signature = Some(val.to_string()),
                _ => return None,
            }
        }
        Some(AuthorizationHeader {
            access: access?,
            signed_headers: signed?,
            signature: signature?,
        })
    }
}

/// Credentials as the official SDKs find them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    pub ak: Option<String>,
    pub sk: Option<Secret>,
    pub security_token: Option<Secret>,
    pub domain_id: Option<String>,
    /// Where they came from, for messages (never the values).
    pub source: Option<String>,
}

pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
pub const ENV_DOMAIN_ID: &str = "HUAWEICLOUD_SDK_DOMAIN_ID";
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
/// Variables that carry credentials (or half of a key pair): never passed on to a
/// program coctop starts (the notification hook, custom commands).
pub const CREDENTIAL_VARIABLES: [&str; 5] = [
    ENV_AK,
    ENV_SK,
    ENV_SECURITY_TOKEN,
    ENV_AUTH_TOKEN,
    ENV_SIM_SK,
];

/// The IAM token for `method = "token"` when the config has none.
pub const ENV_AUTH_TOKEN: &str = "COCTOP_AUTH_TOKEN";
/// Where `coctop sim` also reads its secret key (`ps` does not show it).
pub const ENV_SIM_SK: &str = "COCTOP_SIM_SK";

/// Takes every credential variable out of the environment `command` will get: the
/// SDK's and coctop's own, and any `*_AK`, `*_SK`, `*_SECURITY_TOKEN` (a profile's
/// `env_prefix` names variables of that shape).
pub fn without_credentials(command: &mut std::process::Command) -> &mut std::process::Command {
    for name in CREDENTIAL_VARIABLES {
        command.env_remove(name);
    }
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_prefixed_credential) {
            command.env_remove(name);
        }
    }
    command
}

/// `PREFIX_AK`, `PREFIX_SK`, `PREFIX_SECURITY_TOKEN`: what an `env_prefix` reads.
fn is_prefixed_credential(name: &str) -> bool {
    ["_AK", "_SK", "_SECURITY_TOKEN"]
        .iter()
        .any(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
}

/// A profile file holds a few keys; `/dev/zero` is endless.
pub const MAX_CREDENTIALS_FILE_BYTES: u64 = 1 << 20;

impl Credentials {
    /// Environment first, then the profile file. `env` is injectable for tests.
    pub fn discover(env: &dyn Fn(&str) -> Option<String>) -> Result<Credentials, String> {
        let get = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let domain_id = get(ENV_DOMAIN_ID);
        if let (Some(ak), Some(sk)) = (get(ENV_AK), get(ENV_SK)) {
            return Ok(Credentials {
                ak: Some(ak),
                sk: Some(Secret::new(sk)),
                security_token: get(ENV_SECURITY_TOKEN).map(Secret::new),
                domain_id,
                source: Some(format!("environment ({ENV_AK}/{ENV_SK})")),
            });
        }
        let path = match get(ENV_CREDENTIALS_FILE) {
            Some(p) => PathBuf::from(p),
            None => match get("HOME") {
                Some(home) => Path::new(&home).join(".huaweicloud").join("credentials"),
                None => return Ok(Credentials::none_with_domain(domain_id)),
            },
        };
        match Credentials::from_file(&path, None)? {
            Some(mut creds) => {
                creds.domain_id = domain_id.or(creds.domain_id);
                Ok(creds)
            }
            None => Ok(Credentials::none_with_domain(domain_id)),
        }
    }

    /// `section` of the SDK credentials file at `path` (`None`: `[global]`, else
    /// `[basic]`); `None` when the file does not exist.
    pub fn from_file(path: &Path, section: Option<&str>) -> Result<Option<Credentials>, String> {
        let bytes = match crate::files::read(path, MAX_CREDENTIALS_FILE_BYTES) {
            Ok(bytes) => bytes,
            Err(crate::files::ReadError::NotFound) => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut creds = match section {
            Some(section) => Credentials::from_profile_section(&text, section),
            None => Credentials::from_profile(&text),
        };
        creds.source = Some(match section {
            Some(section) => format!("{} [{section}]", path.display()),
            None => path.display().to_string(),
        });
        Ok(Some(creds))
    }

    /// `{prefix}_AK`, `{prefix}_SK`, `{prefix}_SECURITY_TOKEN` and `{prefix}_DOMAIN_ID`:
    /// the SDK's variables with `HUAWEICLOUD_SDK` replaced by `prefix`.
    pub fn from_env_prefix(prefix: &str, env: &dyn Fn(&str) -> Option<String>) -> Credentials {
        let get = |name: &str| env(&format!("{prefix}_{name}")).filter(|v| !v.trim().is_empty());
        Credentials {
            ak: get("AK"),
            sk: get("SK").map(Secret::new),
            security_token: get("SECURITY_TOKEN").map(Secret::new),
            domain_id: get("DOMAIN_ID"),
            source: Some(format!("environment ({prefix}_AK/{prefix}_SK)")),
        }
    }

    fn none_with_domain(domain_id: Option<String>) -> Credentials {
        Credentials {
            domain_id,
            ..Credentials::default()
        }
    }

    /// Reads section `[global]` (or `[basic]` when there is no `[global]`) of the INI
    /// profile: keys `ak`, `sk`, `security_token`, `domain_id`.
    pub fn from_profile(text: &str) -> Credentials {
        let sections = parse_ini(text);
        let section = sections
            .iter()
            .find(|(name, _)| name == "global")
            .or_else(|| sections.iter().find(|(name, _)| name == "basic"));
        Credentials::from_section(section)
    }

    /// Reads the section called `name` of the INI profile (nothing when there is none).
    pub fn from_profile_section(text: &str, name: &str) -> Credentials {
        let sections = parse_ini(text);
        Credentials::from_section(sections.iter().find(|(section, _)| section == name))
    }

    fn from_section(section: Option<&IniSection>) -> Credentials {
        let Some((_, keys)) = section else {
            return Credentials::default();
        };
        let get = |key: &str| {
            keys.iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        Credentials {
            ak: get("ak"),
            sk: get("sk").map(Secret::new),
            security_token: get("security_token").map(Secret::new),
            domain_id: get("domain_id"),
            source: None,
        }
    }

    /// AK/SK auth when both are present.
    pub fn into_auth(self) -> Option<Auth> {
        Some(Auth::AkSk {
            ak: self.ak?,
            sk: self.sk?,
            security_token: self.security_token,
        })
    }
}

/// The places credentials are looked for, for the "no credentials" error.
pub fn credential_places() -> String {
    format!(
        "set {ENV_AK} and {ENV_SK} (and {ENV_SECURITY_TOKEN} for temporary credentials), \
         or put ak/sk in section [global] of ~/.huaweicloud/credentials \
         (path overridable with {ENV_CREDENTIALS_FILE})"
    )
}

type IniSection = (String, Vec<(String, String)>);

fn parse_ini(text: &str) -> Vec<IniSection> {
    let mut sections: Vec<IniSection> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.trim().to_string(), Vec::new()));
        } else if let (Some((key, value)), Some(section)) =
            (line.split_once('='), sections.last_mut())
        {
            section
                .1
                .push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_date_is_the_utc_time_as_the_sdk_formats_it() {
        use chrono::TimeZone;
        for (at, expected) in [
            ((2026, 1, 2, 3, 4, 5), "20260102T030405Z"),
            ((1999, 12, 31, 23, 59, 59), "19991231T235959Z"),
        ] {
            let (y, mo, d, h, mi, s) = at;
            let now = chrono::Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
            assert_eq!(sdk_date(now), expected);
            assert_eq!(sdk_date(now), now.format("%Y%m%dT%H%M%SZ").to_string());
        }
    }

    #[test]
    fn an_empty_body_hashes_to_the_constant_signing_uses() {
        assert_eq!(hex::encode(Sha256::digest(b"")), EMPTY_BODY_SHA256);
    }

    #[test]
    fn every_variable_an_env_prefix_may_read_counts_as_a_credential() {
        for name in ["PROD_AK", "PROD_SK", "STAGING_SECURITY_TOKEN"] {
            assert!(is_prefixed_credential(name), "{name}");
        }
        for name in ["PROD_DOMAIN_ID", "_SK", "TASK", "PATH"] {
            assert!(!is_prefixed_credential(name), "{name}");
        }
    }

    #[test]
    fn secret_never_debug_prints() {
        let auth = Auth::AkSk {
            ak: "AK".into(),
            sk: Secret::new("very-secret"),
            security_token: Some(Secret::new("tok")),
        };
        let text = format!("{auth:?}");
        assert!(!text.contains("very-secret"), "{text}");
        assert!(!text.contains("tok\""), "{text}");
    }

    #[test]
    fn profile_prefers_global_section() {
        let creds = Credentials::from_profile(
            "[basic]\nak = B\nsk = BS\n[global]\nak = G\nsk = GS\ndomain_id = D\n",
        );
        assert_eq!(creds.ak.as_deref(), Some("G"));
        assert_eq!(creds.sk.unwrap().expose(), "GS");
        assert_eq!(creds.domain_id.as_deref(), Some("D"));
    }

    #[test]
    fn environment_wins_over_profile() {
        let dir = std::env::temp_dir().join(format!("coctop-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("credentials");
        std::fs::write(&file, "[global]\nak = FILE\nsk = FILESK\n").unwrap();
        let file_str = file.display().to_string();
        let from_file =
            Credentials::discover(&|k| (k == ENV_CREDENTIALS_FILE).then(|| file_str.clone()))
                .unwrap();
        assert_eq!(from_file.ak.as_deref(), Some("FILE"));
        let from_env = Credentials::discover(&|k| match k {
            ENV_AK => Some("ENV".into()),
            ENV_SK => Some("ENVSK".into()),
            ENV_CREDENTIALS_FILE => Some(file_str.clone()),
            _ => None,
        })
        .unwrap();
        assert_eq!(from_env.ak.as_deref(), Some("ENV"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
