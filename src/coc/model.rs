//! The COC wire model: tickets (executions), steps, instances and the response envelope.
//!
//! Decoding is deliberately tolerant: the real service sends `id` as a number or a
//! string, grows new statuses and types, and leaves most fields null. Only
//! `execution_id` is required.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::intern::Interner;

/// A ticket's status. Unknown values are kept verbatim so they can be shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Pending,
    Running,
    Succeed,
    Canceling,
    Canceled,
    Failed,
    Timeout,
    Unknown(String),
}

impl Status {
    pub const KNOWN: [Status; 7] = [
        Status::Pending,
        Status::Running,
        Status::Succeed,
        Status::Canceling,
        Status::Canceled,
        Status::Failed,
        Status::Timeout,
    ];

    pub fn parse(s: &str) -> Status {
        match s {
            "Pending" => Status::Pending,
            "Running" => Status::Running,
            "Succeed" => Status::Succeed,
            "Canceling" => Status::Canceling,
            "Canceled" => Status::Canceled,
            "Failed" => Status::Failed,
            "Timeout" => Status::Timeout,
            other => Status::Unknown(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Status::Pending => "Pending",
            Status::Running => "Running",
            Status::Succeed => "Succeed",
            Status::Canceling => "Canceling",
            Status::Canceled => "Canceled",
            Status::Failed => "Failed",
            Status::Timeout => "Timeout",
            Status::Unknown(s) => s,
        }
    }

    /// How a status is shown: a known one by its name; any other quoted, its invisible
    /// or control characters written out, so that no lookalike (`succeed`, a Cyrillic
    /// `Ѕucceed`, `"Succeed\u{1b}"`) ever passes for a known status; cut to a sane width.
    pub fn label(&self) -> std::borrow::Cow<'_, str> {
        status_label(self.as_str(), !matches!(self, Status::Unknown(_)))
    }

    /// `Succeed`, `Canceled`, `Failed` and `Timeout` never change again.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Status::Succeed | Status::Canceled | Status::Failed | Status::Timeout
        )
    }

    /// A terminal status other than `Succeed`.
    pub fn is_unsuccessful(&self) -> bool {
        matches!(self, Status::Canceled | Status::Failed | Status::Timeout)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Status::parse(&lenient_string(d)?))
    }
}

/// The widest status label shown, in terminal columns.
const LABEL_WIDTH: usize = 40;

/// A status as shown (see `Status::label`), for every kind of status: a `known` one
/// by its name, any other quoted with its invisible characters written out.
pub(super) fn status_label(raw: &str, known: bool) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let label = if known {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(format!("\"{}\"", crate::text::reveal(raw)))
    };
    match crate::text::fit(&label, LABEL_WIDTH) {
        Cow::Borrowed(_) => label,
        Cow::Owned(cut) => Cow::Owned(cut),
    }
}

/// How a ticket runs its targets. Unknown values are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExecutionType {
    Normal,
    Batch,
    RateControl,
    Unknown(String),
}

impl ExecutionType {
    pub fn parse(s: &str) -> ExecutionType {
        match s {
            "NORMAL" => ExecutionType::Normal,
            "BATCH" => ExecutionType::Batch,
            "RATE_CONTROL" => ExecutionType::RateControl,
            other => ExecutionType::Unknown(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ExecutionType::Normal => "NORMAL",
            ExecutionType::Batch => "BATCH",
            ExecutionType::RateControl => "RATE_CONTROL",
            ExecutionType::Unknown(s) => s,
        }
    }
}

impl fmt::Display for ExecutionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ExecutionType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ExecutionType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ExecutionType::parse(&lenient_string(d)?))
    }
}

/// A `{key, value}` pair (parameters, tags, step inputs and outputs). Shared text:
/// a ticket held for long shares its tags and parameter names with the other tickets
/// (`Ticket::pack`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct KeyValue {
    #[serde(default, deserialize_with = "text_or_any", serialize_with = "text_out")]
    pub key: Arc<str>,
    #[serde(default, deserialize_with = "text_or_any", serialize_with = "text_out")]
    pub value: Arc<str>,
}

/// The targets of a batch or rate-controlled ticket: `key` is `InstanceValues` or
/// `BatchValues`, `values` are arbitrary JSON (CloudCMDB resources).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Target {
    #[serde(default, deserialize_with = "string_or_any")]
    pub key: String,
    #[serde(default, deserialize_with = "compact_list")]
    pub values: Vec<RawJson>,
}

/// The targets of a ticket: the list's compact JSON text, as decoded. A copy held for
/// long (`Targets::pack`: a watched ticket, a cached one) is deflated instead, as only
/// the ticket on screen, a run again, a diff or a save reads them, and a CloudCMDB
/// resource list repeats its keys: deflated it takes about a quarter of the memory of
/// the text. A decoded ticket that is dropped (a poll that changed nothing) never pays
/// for deflating. Either way it reads and writes as exactly the list it was made of, and
/// a deflated copy equals a text copy of the same list.
#[derive(Clone)]
pub struct Targets {
    held: Held,
    /// How many targets the list holds: the tab bar shows it every frame, without
    /// inflating and decoding the list.
    len: u32,
}

#[derive(Clone)]
enum Held {
    Text(Box<[u8]>),
    Deflated(Box<[u8]>),
}

/// Deflate's fastest level: ample for key-repeating JSON, and cheap for each ticket
/// that changes.
const TARGETS_LEVEL: u8 = 1;

impl Targets {
    pub fn new(list: &[Target]) -> Targets {
        let text = serde_json::to_vec(list).expect("targets always serialise");
        Targets {
            held: Held::Text(text.into_boxed_slice()),
            len: u32::try_from(list.len()).unwrap_or(u32::MAX),
        }
    }

    /// How many targets the list holds.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Deflated, for a copy held for long.
    pub fn pack(&mut self) {
        if let Held::Text(text) = &self.held {
            let deflated = miniz_oxide::deflate::compress_to_vec(text, TARGETS_LEVEL);
            self.held = Held::Deflated(deflated.into_boxed_slice());
        }
    }

    pub fn is_packed(&self) -> bool {
        matches!(self.held, Held::Deflated(_))
    }

    /// The list's compact JSON text.
    fn text(&self) -> std::borrow::Cow<'_, [u8]> {
        use std::borrow::Cow;
        match &self.held {
            Held::Text(text) => Cow::Borrowed(text),
            Held::Deflated(deflated) => Cow::Owned(
                miniz_oxide::inflate::decompress_to_vec(deflated)
                    .expect("targets inflate as they were deflated here"),
            ),
        }
    }

    /// The list, decoded.
    pub fn list(&self) -> Vec<Target> {
        serde_json::from_slice(&self.text()).expect("targets decode as they were encoded here")
    }
}

impl PartialEq for Targets {
    /// The same list: the same text (two deflated copies are the same bytes exactly
    /// when their texts are, one deflate level making each).
    fn eq(&self, other: &Targets) -> bool {
        match (&self.held, &other.held) {
            (Held::Text(a), Held::Text(b)) | (Held::Deflated(a), Held::Deflated(b)) => a == b,
            (Held::Text(text), Held::Deflated(deflated))
            | (Held::Deflated(deflated), Held::Text(text)) => inflates_to(deflated, text),
        }
    }
}

/// Whether `deflated` inflates to exactly `text`: into a buffer of the text's size
/// plus one byte (a longer text does not fit), in one pass, as an unchanged poll
/// compares its answer with the held copy every time.
fn inflates_to(deflated: &[u8], text: &[u8]) -> bool {
    use miniz_oxide::inflate::TINFLStatus;
    use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};
    let mut inflater = DecompressorOxide::new();
    let mut out = vec![0; text.len() + 1];
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, _, written) = decompress(&mut inflater, deflated, &mut out, 0, flags);
    status == TINFLStatus::Done && out[..written] == *text
}

impl fmt::Debug for Targets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.list().fmt(f)
    }
}

impl Serialize for Targets {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.list().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Targets {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Targets, D::Error> {
        Ok(Targets::new(&Vec::<Target>::deserialize(d)?))
    }
}

/// A JSON value kept as its compact text. Target values are shown only for the ticket
/// on screen, while every watched ticket holds them: as text they take a fraction of the
/// memory of a parsed `serde_json::Value` (about a tenth for CloudCMDB resources).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(Box<serde_json::value::RawValue>);

impl RawJson {
    pub fn from_value(value: &serde_json::Value) -> RawJson {
        RawJson(serde_json::value::to_raw_value(value).expect("a JSON value always serialises"))
    }

    /// The compact JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The parsed value (it was valid JSON when it arrived).
    pub fn parse(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).unwrap_or(serde_json::Value::Null)
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        self.get() == other.get()
    }
}

/// One service ticket: every field of `GET /v1/executions/{id}` plus `sys_tags`. The
/// fields that repeat across executions of a runbook are shared text (see `pack`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    pub execution_id: String,
    #[serde(default, rename = "type")]
    pub execution_type: Option<ExecutionType>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        serialize_with = "opt_text_out"
    )]
    pub document_name: Option<Arc<str>>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        serialize_with = "opt_text_out"
    )]
    pub document_id: Option<Arc<str>>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        serialize_with = "opt_text_out"
    )]
    pub document_version_id: Option<Arc<str>>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        serialize_with = "opt_text_out"
    )]
    pub document_version: Option<Arc<str>>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub start_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub end_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub update_time: Option<i64>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        serialize_with = "opt_text_out"
    )]
    pub description: Option<Arc<str>>,
    #[serde(default, deserialize_with = "compact_list")]
    pub parameters: Vec<KeyValue>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        serialize_with = "opt_text_out"
    )]
    pub target_parameter_name: Option<Arc<str>>,
    #[serde(default)]
    pub targets: Option<Targets>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        serialize_with = "opt_text_out"
    )]
    pub creator: Option<Arc<str>>,
    #[serde(default, deserialize_with = "compact_list")]
    pub tags: Vec<KeyValue>,
    #[serde(default, deserialize_with = "compact_list")]
    pub sys_tags: Vec<KeyValue>,
}

impl Ticket {
    /// A ticket with only its ID set; every other field empty.
    pub fn empty(execution_id: impl Into<String>) -> Ticket {
        Ticket {
            id: None,
            execution_id: execution_id.into(),
            execution_type: None,
            document_name: None,
            document_id: None,
            document_version_id: None,
            document_version: None,
            start_time: None,
            end_time: None,
            update_time: None,
            status: None,
            description: None,
            parameters: Vec::new(),
            target_parameter_name: None,
            targets: None,
            creator: None,
            tags: Vec::new(),
            sys_tags: Vec::new(),
        }
    }

    /// Finished tickets never change again and need no more polling.
    pub fn is_terminal(&self) -> bool {
        self.status.as_ref().is_some_and(Status::is_terminal)
    }

    /// Compacted for a copy held for long: its targets deflated, and the text that
    /// executions of a runbook repeat shared with the other tickets of `texts`' holder
    /// (parameter values are the ticket's own: a run's input, often unique).
    pub fn pack(&mut self, texts: &mut Interner) {
        if let Some(targets) = &mut self.targets {
            targets.pack();
        }
        let runbook = [
            &mut self.document_name,
            &mut self.document_id,
            &mut self.document_version_id,
            &mut self.document_version,
            &mut self.description,
            &mut self.target_parameter_name,
            &mut self.creator,
        ];
        for text in runbook.into_iter().flatten() {
            texts.share(text);
        }
        for tag in self.tags.iter_mut().chain(&mut self.sys_tags) {
            texts.share(&mut tag.key);
            texts.share(&mut tag.value);
        }
        for parameter in &mut self.parameters {
            texts.share(&mut parameter.key);
        }
    }
}

/// One step of a ticket (`GET /v1/executions/{id}/steps`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Step {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub execution_step_id: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub start_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub end_time: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub inputs: Vec<KeyValue>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub outputs: Vec<KeyValue>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: BTreeMap<String, serde_json::Value>,
}

/// One instance of a batch or rate-controlled step (`GET /v1/executions/instances`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Instance {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub execution_instance_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub execution_step_id: Option<String>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub start_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub end_time: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: BTreeMap<String, serde_json::Value>,
}

/// `{"error_code", "error_msg", "data"}`: the shape of every COC response.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default = "none")]
    pub data: Option<T>,
}

/// A page of a list call: `{"data": [...], "total": n}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<T>,
    /// A hint: some services send it as a string, some lie.
    #[serde(default, deserialize_with = "opt_whole")]
    pub total: Option<i64>,
}

/// `operate_type` of `POST /v1/executions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Operation {
    Resume,
    Terminate,
    Retry,
    SkipBatch,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Resume => "RESUME",
            Operation::Terminate => "TERMINATE",
            Operation::Retry => "RETRY",
            Operation::SkipBatch => "SKIP_BATCH",
        }
    }
}

/// The body of `POST /v1/executions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OperateRequest {
    pub execution_id: String,
    pub operate_type: Operation,
}

fn none<T>() -> Option<T> {
    None
}

pub(super) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A list held as long as its ticket: without the room a growing list leaves (a list of
/// one tag would keep room for four); `null` as empty.
pub(super) fn compact_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut list: Vec<T> = null_as_default(d)?;
    list.shrink_to_fit();
    Ok(list)
}

/// Renders any scalar JSON as a string; objects and arrays as compact JSON.
fn json_to_string(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

pub(super) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(json_to_string(serde_json::Value::deserialize(d)?))
}

pub(super) fn string_or_any<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient_string(d)
}

/// A string read straight into shared text (one allocation).
struct Text(Arc<str>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        d.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Text, E> {
        Ok(Text(Arc::from(s)))
    }
}

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<str>>, D::Error> {
    Ok(Option::<Text>::deserialize(d)?.map(|text| text.0))
}

fn opt_text_out<S: Serializer>(text: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    text.as_deref().serialize(s)
}

fn text_out<S: Serializer>(text: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(text)
}

/// Any JSON as shared text, as `lenient_string` renders it: a string read straight
/// into it, other scalars written out, objects and arrays as compact JSON.
fn text_or_any<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    d.deserialize_any(AnyAsText)
}

struct AnyAsText;

impl<'de> Visitor<'de> for AnyAsText {
    type Value = Arc<str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Arc<str>, E> {
        Ok(Arc::from(s))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Arc<str>, E> {
        Ok(Arc::from(b.to_string()))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Arc<str>, E> {
        Ok(Arc::from(n.to_string()))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Arc<str>, E> {
        Ok(Arc::from(n.to_string()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Arc<str>, E> {
        Ok(Arc::from(serde_json::Value::from(n).to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Arc<str>, E> {
        Ok(Arc::from(""))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Arc<str>, A::Error> {
        let list = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Arc::from(list.to_string()))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Arc<str>, A::Error> {
        let object = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Arc::from(object.to_string()))
    }
}

pub(super) fn opt_string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        other => Some(json_to_string(other)),
    })
}

/// Epoch milliseconds; also accepts a numeric string or a float, and anything else as
/// missing rather than failing the ticket.
pub(super) fn opt_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    opt_whole(d)
}

/// A whole number sent as a number, a numeric string or a float; anything else, or a
/// value out of `T`'s range, as missing.
pub(super) fn opt_whole<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    Ok(whole(serde_json::Value::deserialize(d)?).and_then(|n| T::try_from(n).ok()))
}

fn whole(value: serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A list of whole numbers (see `opt_whole`); entries that are not one are dropped,
/// anything but a list is empty.
pub(super) fn whole_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let values = match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(values) => values,
        _ => Vec::new(),
    };
    Ok(values
        .into_iter()
        .filter_map(|v| whole(v).and_then(|n| T::try_from(n).ok()))
        .collect())
}

/// A nested object; anything else (a string, a list, null), or an object of the wrong
/// shape, as missing rather than failing what holds it.
pub(super) fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match serde_json::Value::deserialize(d)? {
        value @ serde_json::Value::Object(_) => serde_json::from_value(value).ok(),
        _ => None,
    })
}

/// A number sent as a number or a numeric string; anything else as missing.
pub(super) fn opt_float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_known_and_unknown() {
        for s in Status::KNOWN {
            assert_eq!(Status::parse(s.as_str()), s);
        }
        let odd = Status::parse("Paused");
        assert_eq!(odd, Status::Unknown("Paused".into()));
        assert_eq!(serde_json::to_string(&odd).unwrap(), "\"Paused\"");
        assert!(!odd.is_terminal());
    }

    #[test]
    fn only_the_exact_text_is_a_known_status() {
        for raw in [
            "Succeed\u{1b}",
            "Succeed ",
            "\u{200b}Succeed",
            "succeed",
            "\u{405}ucceed",
            "Succeed\n",
        ] {
            let body = serde_json::json!({ "execution_id": "EX1", "status": raw });
            let ticket: Ticket = serde_json::from_value(body).unwrap();
            let status = ticket.status.unwrap();
            assert_eq!(status, Status::Unknown(raw.into()), "{raw:?}");
            assert!(!status.is_terminal());
            let label = status.label();
            assert!(
                label.starts_with('"') && label.ends_with('"'),
                "{raw:?} is shown as {label}, unmarked"
            );
        }
        assert_eq!(Status::Succeed.label(), "Succeed");
        assert!(Status::Unknown("x".repeat(5000)).label().chars().count() <= 40);
    }

    #[test]
    fn a_decoded_ticket_keeps_no_spare_room_in_its_lists() {
        let body = serde_json::json!({
            "execution_id": "EX1",
            "parameters": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}],
            "tags": [{"key": "env", "value": "prod"}],
            "sys_tags": [{"key": "_sys_enterprise_project_id", "value": "0"}],
            "targets": [{"key": "InstanceValues", "values": [{"resource_id": "r1"}]}],
        });
        // From text, as off the wire: a list's length is not known before its end.
        let ticket: Ticket = serde_json::from_str(&body.to_string()).unwrap();
        let targets = ticket.targets.as_ref().unwrap().list();
        let room = [
            (ticket.parameters.len(), ticket.parameters.capacity()),
            (ticket.tags.len(), ticket.tags.capacity()),
            (ticket.sys_tags.len(), ticket.sys_tags.capacity()),
        ];
        assert_eq!(room, [(2, 2), (1, 1), (1, 1)]);
        assert_eq!(targets[0].values[0].get(), r#"{"resource_id":"r1"}"#);
    }

    #[test]
    fn targets_decode_as_text_pack_deflated_and_read_and_write_back_exactly() {
        let resource = |n: usize| {
            format!(
                r#"{{"resource_id":"r-{n:04}","name":"web-{n:02}","provider":"ecs","region_id":"cn-north-4","weight":1.50,"properties":{{"fixed_ip":"192.168.0.{n}","os_type":"Linux"}}}}"#
            )
        };
        let values: Vec<String> = (0..20).map(resource).collect();
        let text = format!(
            r#"[{{"key":"InstanceValues","values":[{}]}}]"#,
            values.join(",")
        );
        let body = format!(r#"{{"execution_id":"EX1","targets":{text}}}"#);
        let decoded: Ticket = serde_json::from_str(&body).unwrap();
        let mut packed = decoded.clone();
        packed.pack(&mut Interner::new());
        let held = |t: &Ticket| match &t.targets.as_ref().unwrap().held {
            Held::Text(bytes) => (false, bytes.len()),
            Held::Deflated(bytes) => (true, bytes.len()),
        };
        assert_eq!(held(&decoded), (false, text.len()), "decoding deflates");
        let (deflated, size) = held(&packed);
        assert!(
            deflated && size * 3 < text.len(),
            "{size} of {}",
            text.len()
        );
        assert_eq!(packed, decoded);
        assert_eq!(decoded, packed);
        for ticket in [&decoded, &packed] {
            let targets = ticket.targets.as_ref().unwrap();
            assert_eq!(targets.len(), targets.list().len());
            assert_eq!(serde_json::to_string(targets).unwrap(), text);
            assert_eq!(targets.list()[0].values[19].get(), resource(19));
            assert_eq!(
                serde_json::to_string(ticket)
                    .unwrap()
                    .matches(&text)
                    .count(),
                1
            );
        }
        assert_eq!(
            serde_json::to_string_pretty(&packed).unwrap(),
            serde_json::to_string_pretty(&decoded).unwrap()
        );
    }

    #[test]
    fn targets_differing_in_one_value_differ_whichever_way_they_are_held() {
        let one = |weight: &str| {
            let body = format!(
                r#"{{"execution_id":"EX1","targets":[{{"key":"InstanceValues","values":[{{"weight":{weight}}}]}}]}}"#
            );
            let decoded: Ticket = serde_json::from_str(&body).unwrap();
            let mut packed = decoded.clone();
            packed.pack(&mut Interner::new());
            [decoded, packed]
        };
        let (a, b) = (one("1.50"), one("1.5"));
        for x in &a {
            for y in &b {
                assert_ne!(x, y);
            }
        }
        assert_eq!(a[0], a[1]);
    }

    #[test]
    fn a_pair_reads_any_json_as_the_lenient_text_it_always_was() {
        let values = [
            r#""prod""#,
            r#""line\nbreak \u00e9""#,
            "5",
            "-17",
            "18446744073709551615",
            "1.50",
            "1e300",
            "true",
            "null",
            r#"["a",1,{"z":null,"b":2.0}]"#,
            r#"{"z":1,"a":[true]}"#,
        ];
        for value in values {
            let pair: KeyValue =
                serde_json::from_str(&format!(r#"{{"key":{value},"value":{value}}}"#)).unwrap();
            let mut json = serde_json::Deserializer::from_str(value);
            let lenient = lenient_string(&mut json).unwrap();
            assert_eq!(
                (&*pair.key, &*pair.value),
                (&*lenient, &*lenient),
                "{value}"
            );
        }
    }

    #[test]
    fn packed_tickets_share_what_runs_of_a_runbook_repeat_and_write_the_same() {
        let body = |id: &str, value: &str| {
            format!(
                r#"{{"execution_id":"{id}","document_name":"重启应用服务","document_id":"DM1","creator":"li.wei","parameters":[{{"key":"service","value":"{value}"}}],"tags":[{{"key":"env","value":"prod"}}],"sys_tags":[{{"key":"_sys_enterprise_project_id","value":"0"}}]}}"#
            )
        };
        let mut texts = Interner::new();
        let [a, b] = [("EX1", "order-service"), ("EX2", "order-service")].map(|(id, value)| {
            let decoded: Ticket = serde_json::from_str(&body(id, value)).unwrap();
            let mut packed = decoded.clone();
            packed.pack(&mut texts);
            assert_eq!(packed, decoded);
            let written = serde_json::to_string(&packed).unwrap();
            assert_eq!(written, serde_json::to_string(&decoded).unwrap());
            packed
        });
        let same = |x: &Option<Arc<str>>, y: &Option<Arc<str>>| {
            Arc::ptr_eq(x.as_ref().unwrap(), y.as_ref().unwrap())
        };
        assert!(same(&a.document_name, &b.document_name));
        assert!(same(&a.document_id, &b.document_id) && same(&a.creator, &b.creator));
        for (x, y) in [(&a.tags[0], &b.tags[0]), (&a.sys_tags[0], &b.sys_tags[0])] {
            assert!(Arc::ptr_eq(&x.key, &y.key) && Arc::ptr_eq(&x.value, &y.value));
        }
        assert!(Arc::ptr_eq(&a.parameters[0].key, &b.parameters[0].key));
        assert!(!Arc::ptr_eq(&a.parameters[0].value, &b.parameters[0].value));
    }

    #[test]
    fn terminal_statuses() {
        let terminal: Vec<_> = Status::KNOWN.iter().filter(|s| s.is_terminal()).collect();
        assert_eq!(
            terminal,
            [
                &Status::Succeed,
                &Status::Canceled,
                &Status::Failed,
                &Status::Timeout
            ]
        );
    }
}
