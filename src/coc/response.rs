//! Turning what came back over the wire into bodies or `ApiError`s: the size cap,
//! COC error objects, gateway HTML, `Retry-After`, transport failures.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

use super::error::ApiError;
use super::model::Page;

/// Longest excerpt of a response body kept in an error, in characters.
const EXCERPT_CHARS: usize = 200;

/// A response whose body was read in full (within the size cap).
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// Reads the body, refusing it as soon as it is known to exceed `limit` bytes:
    /// from `Content-Length` before reading anything, else while counting chunks.
    pub async fn read(
        mut response: reqwest::Response,
        limit: u64,
        timeout: Duration,
    ) -> Result<RawResponse, ApiError> {
        let headers = response.headers();
        let request_id = request_id(headers);
        let retry_after = retry_after(headers, chrono::Utc::now());
        let too_large = || ApiError::BodyTooLarge {
            limit,
            request_id: request_id.clone(),
        };
        let declared = response.content_length();
        if declared.is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(declared.unwrap_or(0) as usize);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(e, timeout))?
        {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status: response.status().as_u16(),
            request_id,
            retry_after,
            body,
        })
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error for a non-success status: COC's `error_code`/`error_msg` when the body
    /// carries them, otherwise a short excerpt of whatever it was.
    pub fn into_http_error(self) -> ApiError {
        let (error_code, error_msg) = error_object(&self.body);
        let excerpt = if error_code.is_none() && error_msg.is_none() {
            excerpt(&self.body)
        } else {
            None
        };
        ApiError::Http {
            status: self.status,
            error_code,
            error_msg,
            request_id: self.request_id,
            excerpt,
            retry_after: self.retry_after,
        }
    }

    /// Decodes a success body as `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.decode_with(|body| serde_json::from_slice(body))
    }

    /// Decodes a success body as a page of a list, keeping at most `max_rows` rows.
    pub fn decode_page<T: DeserializeOwned>(&self, max_rows: usize) -> Result<Page<T>, ApiError> {
        self.decode_with(|body| decode_page(body, max_rows))
    }

    /// `decode` the body; when that fails for text that is not UTF-8 (a host's output
    /// cut inside a character), once more with that text replaced by U+FFFD.
    fn decode_with<T>(
        &self,
        decode: impl Fn(&[u8]) -> Result<T, serde_json::Error>,
    ) -> Result<T, ApiError> {
        decode(&self.body).or_else(|error| {
            repaired_text(&self.body)
                .and_then(|body| decode(&body).ok())
                .ok_or_else(|| self.decode_error(error.to_string()))
        })
    }

    /// Decodes a success body `{"data": PAGE}` whose page object names its rows and
    /// total `fields`, keeping at most `max_rows` rows; `"data": null` is an empty page.
    pub fn decode_enveloped_page<T: DeserializeOwned>(
        &self,
        max_rows: usize,
        fields: PageFields,
    ) -> Result<Page<T>, ApiError> {
        let envelope: super::model::Envelope<Box<serde_json::value::RawValue>> = self.decode()?;
        match envelope.data {
            Some(page) if page.get() != "null" => {
                decode_page_named(page.get().as_bytes(), max_rows, fields)
                    .map_err(|e| self.decode_error(e.to_string()))
            }
            _ => Ok(Page {
                data: Vec::new(),
                total: None,
            }),
        }
    }

    pub fn decode_error(&self, detail: String) -> ApiError {
        ApiError::Decode {
            detail,
            excerpt: excerpt(&self.body),
            request_id: self.request_id.clone(),
        }
    }
}

/// The body with what made its text unreadable replaced by U+FFFD: bytes that are not
/// UTF-8, and UTF-16 surrogates in `\u` escapes that are not in a pair (serde_json
/// refuses both). `None` when there is neither.
fn repaired_text(body: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(body);
    let mut changed = matches!(text, std::borrow::Cow::Owned(_));
    let bytes = text.as_bytes();
    let unit = |at: usize| -> Option<u16> {
        let hex = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
        u16::from_str_radix(hex, 16).ok()
    };
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i + 1 < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if bytes[i + 1] != b'u' {
            i += 2; // `\\`, `\"` and the like, whole
            continue;
        }
        let pair = |at: usize| bytes.get(at..at + 2) == Some(b"\\u".as_slice());
        match unit(i + 2) {
            Some(0xD800..=0xDBFF)
                if pair(i + 6) && matches!(unit(i + 8), Some(0xDC00..=0xDFFF)) =>
            {
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str(&text[copied..i]);
                out.push_str("\\ufffd");
                i += 6;
                copied = i;
                changed = true;
            }
            _ => i += 2,
        }
    }
    out.push_str(&text[copied..]);
    changed.then(|| out.into_bytes())
}

/// A page of a list from its JSON body, `{"data": [...], "total": n}`: at most
/// `max_rows` rows of `data` are built (the rest are read past, never held), and
/// `total`, only a hint, is taken from any number (saturated) or numeric string;
/// anything else there counts as no total.
pub fn decode_page<T: DeserializeOwned>(
    body: &[u8],
    max_rows: usize,
) -> Result<Page<T>, serde_json::Error> {
    decode_page_named(body, max_rows, PageFields::LIST)
}

/// Where a page object keeps its rows and its total.
#[derive(Debug, Clone, Copy)]
pub struct PageFields {
    pub rows: &'static str,
    pub total: &'static str,
}

impl PageFields {
    /// `{"data": [...], "total": n}`: the list calls and script tickets' list.
    pub const LIST: PageFields = PageFields {
        rows: "data",
        total: "total",
    };
    /// `{"execute_instances": [...], "total_instances": n}`: a script batch's hosts.
    pub const BATCH_HOSTS: PageFields = PageFields {
        rows: "execute_instances",
        total: "total_instances",
    };
}

/// `decode_page` of a page object that names its rows and total `fields`.
pub fn decode_page_named<T: DeserializeOwned>(
    body: &[u8],
    max_rows: usize,
    fields: PageFields,
) -> Result<Page<T>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let page = PageSeed::<T> {
        max_rows,
        fields,
        rows: PhantomData,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(page)
}

struct PageSeed<T> {
    max_rows: usize,
    fields: PageFields,
    rows: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for PageSeed<T> {
    type Value = Page<T>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Page<T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for PageSeed<T> {
    type Value = Page<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a page: {\"data\": [...], \"total\": n}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
        let mut data = None;
        let mut total = None;
        let fields = self.fields;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let key = key.as_ref();
            if key == fields.rows && data.is_none() {
                data = Some(map.next_value_seed(RowsSeed {
                    max_rows: self.max_rows,
                    rows: PhantomData,
                })?)
            } else if key == fields.rows {
                return Err(de::Error::duplicate_field(fields.rows));
            } else if key == fields.total {
                total = map.next_value::<TotalHint>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Page {
            data: data.unwrap_or_default(),
            total,
        })
    }
}

/// `data`: null or an array, of which the first `max_rows` rows are built.
struct RowsSeed<T> {
    max_rows: usize,
    rows: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for RowsSeed<T> {
    type Value = Vec<T>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for RowsSeed<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows, or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut rows = Vec::with_capacity(self.max_rows.min(seq.size_hint().unwrap_or(0)));
        while rows.len() < self.max_rows {
            match seq.next_element()? {
                Some(row) => rows.push(row),
                None => return Ok(rows),
            }
        }
        let mut skipped = 0usize;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            skipped += 1;
        }
        if skipped > 0 {
            tracing::warn!(
                "a page held {skipped} rows more than the {} asked for: not read",
                self.max_rows
            );
        }
        Ok(rows)
    }
}

/// `total` as a hint: an integer, a float (saturated to the integer range) or a
/// numeric string; anything else is no total.
struct TotalHint(Option<i64>);

impl<'de> Deserialize<'de> for TotalHint {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<TotalHint, D::Error> {
        deserializer.deserialize_any(TotalVisitor)
    }
}

struct TotalVisitor;

impl<'de> Visitor<'de> for TotalVisitor {
    type Value = TotalHint;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a total")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<TotalHint, E> {
        Ok(TotalHint(Some(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<TotalHint, E> {
        Ok(TotalHint(Some(i64::try_from(v).unwrap_or(i64::MAX))))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<TotalHint, E> {
        // `as` saturates, and maps NaN to 0.
        Ok(TotalHint(v.is_finite().then_some(v as i64)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TotalHint, E> {
        Ok(TotalHint(v.trim().parse().ok()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<TotalHint, E> {
        Ok(TotalHint(None))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<TotalHint, E> {
        Ok(TotalHint(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TotalHint, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TotalHint(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TotalHint, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(TotalHint(None))
    }
}

/// COC and the gateway answer `{"error_code", "error_msg"}`; IAM-style services
/// answer `{"error": {"code", "message"}}`. Anything else yields nothing.
fn error_object(body: &[u8]) -> (Option<String>, Option<String>) {
    #[derive(Deserialize)]
    struct Nested {
        code: Option<serde_json::Value>,
        message: Option<serde_json::Value>,
    }
    #[derive(Deserialize)]
    struct Flat {
        error_code: Option<serde_json::Value>,
        error_msg: Option<serde_json::Value>,
        error: Option<Nested>,
    }
    let Ok(flat) = serde_json::from_slice::<Flat>(body) else {
        return (None, None);
    };
    let (code, msg) = match flat {
        Flat {
            error_code: None,
            error_msg: None,
            error: Some(nested),
        } => (nested.code, nested.message),
        Flat {
            error_code,
            error_msg,
            ..
        } => (error_code, error_msg),
    };
    (code.and_then(one_line), msg.and_then(one_line))
}

/// A scalar JSON value as single-line text of at most `SERVER_TEXT_CHARS` characters;
/// null and empty strings as nothing.
fn one_line(value: serde_json::Value) -> Option<String> {
    let text = match value {
        serde_json::Value::Null => return None,
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    let collapsed = collapse_whitespace(&text);
    (!collapsed.is_empty()).then(|| bounded(collapsed, SERVER_TEXT_CHARS))
}

/// Longest error code or message kept from a server, in characters: a 2 MB message
/// would otherwise be printed whole, once per place that shows it.
const SERVER_TEXT_CHARS: usize = 500;

fn bounded(text: String, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The first ~200 characters of a body on one line, white space and control
/// characters collapsed to single spaces; `None` for an empty or blank body.
pub(crate) fn excerpt(body: &[u8]) -> Option<String> {
    // Only the head matters; a few extra bytes cover multi-byte characters and runs
    // of white space that collapse away.
    let head = &body[..body.len().min(EXCERPT_CHARS * 8)];
    let text = collapse_whitespace(&String::from_utf8_lossy(head));
    if text.is_empty() {
        return None;
    }
    let mut chars = text.char_indices();
    match chars.nth(EXCERPT_CHARS) {
        Some((cut, _)) => Some(format!("{}…", &text[..cut])),
        None if head.len() < body.len() => Some(format!("{text}…")),
        None => Some(text),
    }
}

fn collapse_whitespace(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("x-request-id")?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| bounded(value.to_string(), REQUEST_ID_CHARS))
}

/// A request ID is a UUID or so; a longer header is cut.
const REQUEST_ID_CHARS: usize = 100;

/// `Retry-After` as delta-seconds or an HTTP date (a date in the past means now).
pub(crate) fn retry_after(
    headers: &HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// Maps a reqwest failure to a time-out, a connection failure or another network
/// error. The text names the cause chain but never the URL or any header.
pub(crate) fn transport_error(error: reqwest::Error, timeout: Duration) -> ApiError {
    let error = error.without_url();
    if error.is_timeout() && !error.is_connect() {
        return ApiError::Timeout { after: timeout };
    }
    let detail = cause_chain(&error);
    if error.is_connect() {
        ApiError::Connect { detail }
    } else {
        ApiError::Network { detail }
    }
}

/// `error: cause: root cause`, skipping repeats (hyper and reqwest often nest the
/// same message).
fn cause_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    collapse_whitespace(&parts.join(": "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_that_is_not_utf8_is_replaced_not_fatal() {
        let lone = br#"{"message": "cut \ud83d here \udc00 and \\ud800 and \ud83d\ude00"}"#;
        let repaired = String::from_utf8(repaired_text(lone).unwrap()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&repaired).unwrap();
        assert_eq!(
            value["message"],
            "cut \u{fffd} here \u{fffd} and \\ud800 and \u{1f600}"
        );
        let mut raw = br#"{"message": "bad "#.to_vec();
        raw.extend([0xff, 0xfe]);
        raw.extend(br#" end"}"#);
        let value: serde_json::Value =
            serde_json::from_slice(&repaired_text(&raw).unwrap()).unwrap();
        assert_eq!(value["message"], "bad \u{fffd}\u{fffd} end");
        assert_eq!(repaired_text(br#"{"fine": "\ud83d\ude00 \\u"}"#), None);
        let response = RawResponse {
            status: 200,
            request_id: None,
            retry_after: None,
            body: lone.to_vec(),
        };
        let value: serde_json::Value = response.decode().unwrap();
        assert!(
            value["message"]
                .as_str()
                .unwrap()
                .starts_with("cut \u{fffd}")
        );
    }

    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn a_page_keeps_at_most_max_rows_and_reads_any_total_as_a_hint() {
        let rows: Vec<String> = (0..1000).map(|i| format!("{{\"n\":{i}}}")).collect();
        let body = format!("{{\"total\": 1e11, \"data\": [{}]}}", rows.join(","));
        let page: Page<serde_json::Value> = decode_page(body.as_bytes(), 100).unwrap();
        assert_eq!(page.data.len(), 100);
        assert_eq!(page.total, Some(100_000_000_000));
        for (total, hint) in [
            ("9223372036854775807", Some(i64::MAX)),
            ("18446744073709551615", Some(i64::MAX)),
            ("1e400", None),
            ("-5", Some(-5)),
            ("\"42\"", Some(42)),
            ("null", None),
            ("[1,2]", None),
            ("{\"a\":1}", None),
        ] {
            let body = format!("{{\"data\": null, \"total\": {total}}}");
            match decode_page::<serde_json::Value>(body.as_bytes(), 10) {
                Ok(page) => assert_eq!((page.total, page.data.len()), (hint, 0), "{total}"),
                // serde_json refuses a number beyond f64's range.
                Err(_) => assert_eq!(total, "1e400"),
            }
        }
        assert!(decode_page::<serde_json::Value>(b"[]", 10).is_err());
        assert!(decode_page::<serde_json::Value>(br#"{"data":[1]} x"#, 10).is_err());
    }

    #[test]
    fn excerpt_is_one_short_line() {
        let html = format!(
            "<html>\n  <head><title>502 Bad Gateway</title></head>\r\n\t<body>{}</body></html>",
            "x".repeat(1000)
        );
        let text = excerpt(html.as_bytes()).unwrap();
        assert!(text.starts_with("<html> <head><title>502 Bad Gateway</title></head> <body>"));
        assert!(!text.contains('\n') && !text.contains('\t'));
        assert_eq!(text.chars().count(), EXCERPT_CHARS + 1, "{text}");
        assert!(text.ends_with('…'));
        assert_eq!(excerpt(b""), None);
        assert_eq!(excerpt(b" \n\t "), None);
        assert_eq!(
            excerpt("é".repeat(300).as_bytes()).unwrap().chars().count(),
            201
        );
    }

    #[test]
    fn error_objects_flat_nested_and_foreign() {
        let flat = br#"{"error_code":"COC.00040709","error_msg":"no such\nticket"}"#;
        assert_eq!(
            error_object(flat),
            (Some("COC.00040709".into()), Some("no such ticket".into()))
        );
        let nested = br#"{"error":{"code":"APIG.0301","message":"Incorrect IAM authentication"}}"#;
        assert_eq!(error_object(nested).0.as_deref(), Some("APIG.0301"));
        assert_eq!(error_object(b"[1,2]"), (None, None));
        assert_eq!(error_object(b"<html>"), (None, None));
        assert_eq!(error_object(br#"{"error_code":null}"#), (None, None));
    }

    #[test]
    fn server_text_in_errors_is_bounded() {
        let huge = "m".repeat(2 * 1024 * 1024);
        let body = serde_json::json!({"error_code": huge, "error_msg": huge}).to_string();
        let (code, msg) = error_object(body.as_bytes());
        assert_eq!(msg.unwrap().chars().count(), SERVER_TEXT_CHARS + 1);
        assert_eq!(code.unwrap().chars().count(), SERVER_TEXT_CHARS + 1);
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-request-id",
            HeaderValue::from_str(&"r".repeat(5000)).unwrap(),
        );
        assert_eq!(
            request_id(&headers).unwrap().chars().count(),
            REQUEST_ID_CHARS + 1
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_static(v));
            retry_after(&h, now)
        };
        assert_eq!(with("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            with("Wed, 21 Oct 2015 07:28:05 GMT"),
            Some(Duration::from_secs(5))
        );
        assert_eq!(with("Wed, 21 Oct 2015 07:27:00 GMT"), Some(Duration::ZERO));
        assert_eq!(with("soon"), None);
        assert_eq!(with("-1"), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
