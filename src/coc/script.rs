//! Script tickets (脚本工单): a script run on hosts in batches, `/v1/job/script/orders`.
//! The wire model, decoded as tolerantly as executions are (unknown statuses kept
//! verbatim, numbers sent as strings, nulls and odd shapes as missing), and the client
//! calls of every endpoint. Field names follow the official SDK's models
//! (`job_script_order_*`, `exection_instance_model`, `script_execute_*`).

use std::borrow::Cow;
use std::fmt;

use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::client::{Client, about, encode_body, given_pairs, id_segment};
use super::error::ApiError;
use super::model::{
    Envelope, KeyValue, Page, compact_list, lenient_string, null_as_default, opt_float, opt_millis,
    opt_object, opt_string_or_number, opt_whole, status_label, string_or_any, whole_list,
};
use super::pager::{Cursor, PageAt};
use super::response::PageFields;

/// The status of a script ticket or of one of its hosts. Unknown values are kept
/// verbatim so they can be shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScriptStatus {
    /// Not started yet (待执行).
    Ready,
    Processing,
    /// Stopped on a failure, or below the success rate (异常).
    Abnormal,
    /// Waiting for CONTINUE_ORDER (a pause, or a batch whose rotation strategy is PAUSE).
    Paused,
    Canceled,
    /// Succeeded.
    Finished,
    /// Rolled back after a failure.
    Rollbacked,
    Unknown(String),
}

impl ScriptStatus {
    pub const KNOWN: [ScriptStatus; 7] = [
        ScriptStatus::Ready,
        ScriptStatus::Processing,
        ScriptStatus::Abnormal,
        ScriptStatus::Paused,
        ScriptStatus::Canceled,
        ScriptStatus::Finished,
        ScriptStatus::Rollbacked,
    ];

    pub fn parse(s: &str) -> ScriptStatus {
        match s {
            "READY" => ScriptStatus::Ready,
            "PROCESSING" => ScriptStatus::Processing,
            "ABNORMAL" => ScriptStatus::Abnormal,
            "PAUSED" => ScriptStatus::Paused,
            "CANCELED" => ScriptStatus::Canceled,
            "FINISHED" => ScriptStatus::Finished,
            "ROLLBACKED" => ScriptStatus::Rollbacked,
            other => ScriptStatus::Unknown(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ScriptStatus::Ready => "READY",
            ScriptStatus::Processing => "PROCESSING",
            ScriptStatus::Abnormal => "ABNORMAL",
            ScriptStatus::Paused => "PAUSED",
            ScriptStatus::Canceled => "CANCELED",
            ScriptStatus::Finished => "FINISHED",
            ScriptStatus::Rollbacked => "ROLLBACKED",
            ScriptStatus::Unknown(s) => s,
        }
    }

    /// How it is shown; an unknown status is quoted and never passes for a known one
    /// (as `Status::label`).
    pub fn label(&self) -> std::borrow::Cow<'_, str> {
        status_label(self.as_str(), !matches!(self, ScriptStatus::Unknown(_)))
    }

    /// `FINISHED`, `ABNORMAL`, `CANCELED` and `ROLLBACKED` never change again.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ScriptStatus::Finished
                | ScriptStatus::Abnormal
                | ScriptStatus::Canceled
                | ScriptStatus::Rollbacked
        )
    }

    /// A terminal status other than `FINISHED`.
    pub fn is_unsuccessful(&self) -> bool {
        self.is_terminal() && *self != ScriptStatus::Finished
    }
}

impl fmt::Display for ScriptStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ScriptStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ScriptStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ScriptStatus::parse(&lenient_string(d)?))
    }
}

/// `properties` of a list row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScriptOrderListProperties {
    /// The regions of the hosts, comma-separated when several.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub region_ids: Option<String>,
}

/// One row of `GET /v1/job/script/orders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptOrder {
    /// The row's key, and the `marker` that asks for the rows after it.
    #[serde(default, deserialize_with = "opt_whole")]
    pub order_id: Option<i64>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub order_name: Option<String>,
    /// The ticket's ID everywhere else.
    #[serde(deserialize_with = "string_or_any")]
    pub execute_uuid: String,
    #[serde(default, deserialize_with = "opt_millis")]
    pub gmt_created: Option<i64>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub gmt_finished: Option<i64>,
    /// Seconds.
    #[serde(default, deserialize_with = "opt_whole")]
    pub execute_costs: Option<i64>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub creator: Option<String>,
    #[serde(default)]
    pub status: Option<ScriptStatus>,
    #[serde(default, deserialize_with = "opt_object")]
    pub properties: Option<ScriptOrderListProperties>,
}

impl ScriptOrder {
    pub fn is_terminal(&self) -> bool {
        self.status.as_ref().is_some_and(ScriptStatus::is_terminal)
    }

    /// What tells two rows apart on the list's pages.
    pub fn key(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(&self.execute_uuid))
    }

    /// The `marker` that asks for the rows after this one.
    pub fn marker(&self) -> Option<String> {
        self.order_id.map(|id| id.to_string())
    }
}

impl From<ScriptOrder> for ScriptTicket {
    /// A list row as a ticket: status, times, creator and name, no script yet.
    fn from(order: ScriptOrder) -> ScriptTicket {
        ScriptTicket {
            execute_uuid: order.execute_uuid,
            order_name: order.order_name,
            gmt_created: order.gmt_created,
            gmt_finished: order.gmt_finished,
            execute_costs: order.execute_costs,
            creator: order.creator,
            status: order.status,
            properties: ScriptTicketProperties::default(),
        }
    }
}

/// `properties.execute_param.script_params[].param_refer`: a value taken from the
/// parameter store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ParamReference {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub refer_type: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub param_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub param_version: Option<String>,
}

/// One argument of the script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScriptParam {
    #[serde(default, deserialize_with = "string_or_any")]
    pub param_name: String,
    #[serde(default, deserialize_with = "string_or_any")]
    pub param_value: String,
    #[serde(
        default,
        deserialize_with = "opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub param_refer: Option<ParamReference>,
}

/// How the script runs (`ScriptExecuteParam`): in a ticket's detail, and in the request
/// that starts one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ExecuteParam {
    /// Seconds a host may take.
    #[serde(
        default,
        deserialize_with = "opt_whole",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<u32>,
    /// Percent of a batch's hosts that must succeed for the ticket to go on.
    #[serde(
        default,
        deserialize_with = "opt_float",
        skip_serializing_if = "Option::is_none"
    )]
    pub success_rate: Option<f64>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub execute_user: Option<String>,
    #[serde(default, deserialize_with = "compact_list")]
    pub script_params: Vec<ScriptParam>,
}

/// `properties` of a ticket's detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ScriptTicketProperties {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub script_uuid: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub script_name: Option<String>,
    /// A number in the SDK's model; kept as text.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub script_version_uuid: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub script_version_name: Option<String>,
    #[serde(default, deserialize_with = "opt_whole")]
    pub current_execute_batch_index: Option<u32>,
    #[serde(default, deserialize_with = "opt_object")]
    pub execute_param: Option<ExecuteParam>,
}

/// `GET /v1/job/script/orders/{execute_uuid}`: one script ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptTicket {
    #[serde(deserialize_with = "string_or_any")]
    pub execute_uuid: String,
    /// The ticket's name, from a list row (the detail does not send it).
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub order_name: Option<String>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub gmt_created: Option<i64>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub gmt_finished: Option<i64>,
    /// Seconds.
    #[serde(default, deserialize_with = "opt_whole")]
    pub execute_costs: Option<i64>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub creator: Option<String>,
    #[serde(default)]
    pub status: Option<ScriptStatus>,
    #[serde(default, deserialize_with = "opt_object_or_default")]
    pub properties: ScriptTicketProperties,
}

impl ScriptTicket {
    /// Finished tickets never change again and need no more polling.
    pub fn is_terminal(&self) -> bool {
        self.status.as_ref().is_some_and(ScriptStatus::is_terminal)
    }

    /// Equal to `other` but for the cost a running ticket's clock adds every second
    /// (`execute_costs`), which no view draws: such a poll shows nothing new.
    pub fn same_but_running_cost(&self, other: &ScriptTicket) -> bool {
        self.execute_costs != other.execute_costs
            && !self.is_terminal()
            && !other.is_terminal()
            && ScriptTicket {
                execute_costs: other.execute_costs,
                ..self.clone()
            } == *other
    }

    /// This copy over an earlier one (`known`): what it lacks that the other had
    /// stays. A list row lacks the script and its parameters (only a detail has them),
    /// a detail lacks the name (only a row has it).
    pub fn keeping(mut self, known: Option<&ScriptTicket>) -> ScriptTicket {
        let Some(known) = known else {
            return self;
        };
        if self.order_name.is_none() {
            self.order_name = known.order_name.clone();
        }
        if !self.has_detail() {
            self.properties = known.properties.clone();
        }
        self
    }

    /// The script's arguments, as the detail tells them.
    pub fn script_params(&self) -> &[ScriptParam] {
        self.properties
            .execute_param
            .as_ref()
            .map_or(&[], |p| &p.script_params[..])
    }

    /// Whether a detail has been read (a list row leaves the script unknown).
    pub fn has_detail(&self) -> bool {
        self.properties != ScriptTicketProperties::default()
    }
}

fn opt_object_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    Ok(opt_object(d)?.unwrap_or_default())
}

/// How many hosts are in one status, and in which batches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StatusCount {
    #[serde(default)]
    pub instance_status: Option<ScriptStatus>,
    #[serde(default, deserialize_with = "opt_whole")]
    pub instance_count: Option<u64>,
    #[serde(default, deserialize_with = "whole_list")]
    pub batch_indexes: Vec<u32>,
}

/// `GET …/{execute_uuid}/statistics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScriptStatistics {
    #[serde(default, deserialize_with = "opt_whole")]
    pub total_instance: Option<u64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub execute_statistics: Vec<StatusCount>,
}

impl ScriptStatistics {
    /// The statuses the hosts of batch `index` are in, most hosts first.
    pub fn statuses_in(&self, index: u32) -> impl Iterator<Item = &ScriptStatus> {
        let mut counts: Vec<&StatusCount> = self
            .execute_statistics
            .iter()
            .filter(|count| count.batch_indexes.contains(&index))
            .collect();
        counts.sort_by_key(|count| std::cmp::Reverse(count.instance_count));
        counts
            .into_iter()
            .filter_map(|count| count.instance_status.as_ref())
    }
}

/// `rotation_strategy` values: what happens after a batch.
pub const ROTATION_CONTINUE: &str = "CONTINUE";
/// The ticket pauses after the batch until CONTINUE_ORDER.
pub const ROTATION_PAUSE: &str = "PAUSE";

/// One batch of `GET …/{execute_uuid}/batches`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScriptBatch {
    /// From 1.
    #[serde(default, deserialize_with = "opt_whole")]
    pub batch_index: Option<u32>,
    #[serde(default, deserialize_with = "opt_whole")]
    pub total_instances: Option<u64>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub rotation_strategy: Option<String>,
    /// The batch's label.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub properties: Option<String>,
}

/// `properties` of a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct InstanceProperties {
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub host_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed_ip: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub floating_ip: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub region_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub zone_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub application: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub group: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_id: Option<String>,
}

/// A host a script runs on (`ResourceInstance`): in a batch's answer, and in the
/// request that starts a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TargetInstance {
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub provider: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub region_id: Option<String>,
    #[serde(
        default,
        rename = "type",
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub custom_attributes: Vec<KeyValue>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent_sn: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent_status: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub properties: Option<InstanceProperties>,
}

/// One host of a batch (`ExectionInstanceModel`) with its output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScriptHost {
    /// The row's key: the `marker` for the next page and the `instance_id` of
    /// CANCEL_INSTANCE.
    #[serde(default, deserialize_with = "opt_whole")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "opt_object")]
    pub target_instance: Option<TargetInstance>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub gmt_created: Option<i64>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub gmt_finished: Option<i64>,
    /// Seconds.
    #[serde(default, deserialize_with = "opt_whole")]
    pub execute_costs: Option<i64>,
    #[serde(default)]
    pub status: Option<ScriptStatus>,
    /// The host's whole output (up to about 1 MB), raw: sanitise before display.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub message: Option<String>,
}

impl ScriptHost {
    /// What tells two hosts apart on a batch's pages.
    pub fn key(&self) -> Option<Cow<'_, str>> {
        self.marker().map(Cow::Owned)
    }

    /// The `marker` that asks for the hosts after this one.
    pub fn marker(&self) -> Option<String> {
        self.id.map(|id| id.to_string())
    }

    fn properties(&self) -> Option<&InstanceProperties> {
        self.target_instance.as_ref()?.properties.as_ref()
    }

    /// The host's name, else its resource ID.
    pub fn name(&self) -> Option<&str> {
        self.properties()
            .and_then(|p| p.host_name.as_deref())
            .or_else(|| self.target_instance.as_ref()?.resource_id.as_deref())
    }

    /// The private IP, else the public one.
    pub fn ip(&self) -> Option<&str> {
        let properties = self.properties()?;
        properties
            .fixed_ip
            .as_deref()
            .or(properties.floating_ip.as_deref())
    }
}

/// `GET …/{execute_uuid}/batches/{batch_index}`: one page of a batch's hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScriptBatchHosts {
    #[serde(default, deserialize_with = "opt_whole")]
    pub batch_index: Option<u32>,
    /// Hosts in the batch (all statuses): a hint, not a promise.
    #[serde(default, deserialize_with = "opt_whole")]
    pub total_instances: Option<u64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub execute_instances: Vec<ScriptHost>,
}

/// The most rows one page of `GET /v1/job/script/orders` holds.
pub const MAX_SCRIPT_ORDER_LIMIT: u32 = 100;
/// The most hosts one page of a batch holds.
pub const MAX_SCRIPT_HOST_LIMIT: u32 = 50;
/// Batches are numbered 1 to this.
pub const MAX_BATCH_INDEX: u32 = 20;

/// Filters and paging of `GET /v1/job/script/orders`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScriptOrderQuery {
    pub limit: Option<u32>,
    /// The `order_id` of the last row of the previous page.
    pub marker: Option<i64>,
    /// Epoch ms: created at or after.
    pub start_time: Option<i64>,
    /// Epoch ms: created at or before.
    pub end_time: Option<i64>,
    pub creator: Option<String>,
    pub status: Option<ScriptStatus>,
}

impl ScriptOrderQuery {
    /// This query at one page the pager asked for.
    pub fn at(&self, page: &PageAt) -> ScriptOrderQuery {
        ScriptOrderQuery {
            limit: Some(page.limit.clamp(1, MAX_SCRIPT_ORDER_LIMIT)),
            marker: page_marker(page),
            ..self.clone()
        }
    }

    /// The query pairs sent (decoded), in the SDK's order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        given_pairs([
            ("limit", self.limit.map(|v| v.to_string())),
            ("marker", self.marker.map(|v| v.to_string())),
            ("start_time", self.start_time.map(|v| v.to_string())),
            ("end_time", self.end_time.map(|v| v.to_string())),
            ("creator", self.creator.clone()),
            (
                "status",
                self.status.as_ref().map(|s| s.as_str().to_string()),
            ),
        ])
    }
}

/// The marker of a marker page: markers are the IDs of rows, whole numbers (the pager
/// only hands back what `marker` gave it).
fn page_marker(page: &PageAt) -> Option<i64> {
    match &page.cursor {
        Cursor::Marker(Some(marker)) => marker.parse().ok(),
        _ => None,
    }
}

/// Filter and paging of a batch's hosts.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptHostQuery {
    pub status: Option<ScriptStatus>,
    /// 1 to `MAX_SCRIPT_HOST_LIMIT` (the service requires it).
    pub limit: u32,
    /// The `id` of the last host of the previous page.
    pub marker: Option<i64>,
}

impl Default for ScriptHostQuery {
    fn default() -> ScriptHostQuery {
        ScriptHostQuery {
            status: None,
            limit: MAX_SCRIPT_HOST_LIMIT,
            marker: None,
        }
    }
}

impl ScriptHostQuery {
    /// The query of one page the pager asked for, with `status` when given.
    pub fn at(status: Option<ScriptStatus>, page: &PageAt) -> ScriptHostQuery {
        ScriptHostQuery {
            status,
            limit: page.limit.clamp(1, MAX_SCRIPT_HOST_LIMIT),
            marker: page_marker(page),
        }
    }

    pub fn pairs(&self) -> Vec<(String, String)> {
        given_pairs([
            (
                "status",
                self.status.as_ref().map(|s| s.as_str().to_string()),
            ),
            ("limit", Some(self.limit.to_string())),
            ("marker", self.marker.map(|v| v.to_string())),
        ])
    }
}

/// `PUT …/{execute_uuid}/operation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptOperation {
    PauseOrder,
    ContinueOrder,
    CancelOrder,
    /// Skips a batch that has not finished (the running one's hosts are canceled).
    SkipBatch {
        batch_index: u32,
    },
    /// Cancels one host that has not finished; `instance_id` is the host's `id`.
    CancelInstance {
        instance_id: i64,
    },
}

impl ScriptOperation {
    /// The `operation_type` sent.
    pub fn operation_type(self) -> &'static str {
        match self {
            ScriptOperation::PauseOrder => "PAUSE_ORDER",
            ScriptOperation::ContinueOrder => "CONTINUE_ORDER",
            ScriptOperation::CancelOrder => "CANCEL_ORDER",
            ScriptOperation::SkipBatch { .. } => "SKIP_BATCH",
            ScriptOperation::CancelInstance { .. } => "CANCEL_INSTANCE",
        }
    }

    /// Whether a ticket in `status` takes this operation, as the service (and the
    /// simulator) decide: PAUSE_ORDER while PROCESSING, CONTINUE_ORDER while PAUSED,
    /// CANCEL_ORDER before the end, SKIP_BATCH and CANCEL_INSTANCE while PROCESSING or
    /// PAUSED. The batch or host named must also not have finished.
    pub fn allowed_for(self, status: &ScriptStatus) -> bool {
        use ScriptStatus::{Paused, Processing, Ready};
        match self {
            ScriptOperation::PauseOrder => *status == Processing,
            ScriptOperation::ContinueOrder => *status == Paused,
            ScriptOperation::CancelOrder => matches!(status, Ready | Processing | Paused),
            ScriptOperation::SkipBatch { .. } | ScriptOperation::CancelInstance { .. } => {
                matches!(status, Processing | Paused)
            }
        }
    }

    /// The request body.
    pub fn body(self) -> ScriptOperationBody {
        let (batch_index, instance_id) = match self {
            ScriptOperation::SkipBatch { batch_index } => (Some(batch_index), None),
            ScriptOperation::CancelInstance { instance_id } => (None, Some(instance_id)),
            _ => (None, None),
        };
        ScriptOperationBody {
            operation_type: self.operation_type().to_string(),
            batch_index,
            instance_id,
        }
    }
}

/// The body of `PUT …/{execute_uuid}/operation` (`JobScriptOrderOperationBody`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptOperationBody {
    pub operation_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_index: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<i64>,
}

/// One batch of the request that starts a script (`ExecuteInstancesBatchInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ExecuteBatch {
    /// From 1.
    pub batch_index: u32,
    pub target_instances: Vec<TargetInstance>,
    /// `ROTATION_CONTINUE` or `ROTATION_PAUSE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_strategy: Option<String>,
}

/// The body of `POST /v1/job/scripts/{script_uuid}` (`ScriptExecuteModel`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ScriptExecuteRequest {
    pub execute_param: ExecuteParam,
    pub execute_batches: Vec<ExecuteBatch>,
}

impl Client {
    /// `GET /v1/job/script/orders`: one page, newest first, at most `limit` rows of it
    /// kept (`MAX_SCRIPT_ORDER_LIMIT` when unset).
    pub async fn list_script_orders(
        &self,
        query: &ScriptOrderQuery,
    ) -> Result<Page<ScriptOrder>, ApiError> {
        let rows = query.limit.unwrap_or(MAX_SCRIPT_ORDER_LIMIT);
        self.get("/v1/job/script/orders".into(), query.pairs())
            .await?
            .decode_enveloped_page(rows as usize, PageFields::LIST)
    }

    /// `GET /v1/job/script/orders/{execute_uuid}`; `NotFound` when the service answers
    /// `"data": null`.
    pub async fn get_script_ticket(&self, execute_uuid: &str) -> Result<ScriptTicket, ApiError> {
        let path = format!("/v1/job/script/orders/{}", id_segment(execute_uuid)?);
        let response = self.get(path, Vec::new()).await?;
        let ticket = about(&response, execute_uuid, "ticket", |t: &ScriptTicket| {
            &t.execute_uuid
        })?;
        ticket.ok_or(ApiError::NotFound {
            execution_id: format!("{}{execute_uuid}", super::SCRIPT_PREFIX),
            request_id: response.request_id,
        })
    }

    /// `GET …/{execute_uuid}/statistics`: host counts per status.
    pub async fn script_statistics(
        &self,
        execute_uuid: &str,
    ) -> Result<ScriptStatistics, ApiError> {
        let path = format!(
            "/v1/job/script/orders/{}/statistics",
            id_segment(execute_uuid)?
        );
        let response = self.get(path, Vec::new()).await?;
        Ok(response
            .decode::<Envelope<ScriptStatistics>>()?
            .data
            .unwrap_or_default())
    }

    /// `GET …/{execute_uuid}/batches`: every batch (the service does not page them).
    pub async fn list_script_batches(
        &self,
        execute_uuid: &str,
    ) -> Result<Vec<ScriptBatch>, ApiError> {
        let path = format!(
            "/v1/job/script/orders/{}/batches",
            id_segment(execute_uuid)?
        );
        let response = self.get(path, Vec::new()).await?;
        Ok(response
            .decode::<Envelope<Vec<ScriptBatch>>>()?
            .data
            .unwrap_or_default())
    }

    /// `GET …/{execute_uuid}/batches/{batch_index}`: one page of a batch's hosts, at
    /// most `query.limit` of them kept; `total` is the batch's `total_instances`.
    pub async fn list_script_hosts(
        &self,
        execute_uuid: &str,
        batch_index: u32,
        query: &ScriptHostQuery,
    ) -> Result<Page<ScriptHost>, ApiError> {
        let path = format!(
            "/v1/job/script/orders/{}/batches/{batch_index}",
            id_segment(execute_uuid)?
        );
        self.get(path, query.pairs())
            .await?
            .decode_enveloped_page(query.limit as usize, PageFields::BATCH_HOSTS)
    }

    /// `PUT …/{execute_uuid}/operation`. Sent once, never retried: the operation may
    /// have happened.
    pub async fn operate_script_ticket(
        &self,
        execute_uuid: &str,
        operation: ScriptOperation,
    ) -> Result<(), ApiError> {
        let path = format!(
            "/v1/job/script/orders/{}/operation",
            id_segment(execute_uuid)?
        );
        let body = encode_body(&operation.body())?;
        let response = self.send_once(Method::PUT, path, body).await?;
        // `{"data": execute_uuid}` is the documented answer; any JSON (or nothing)
        // means it was accepted.
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        response.decode::<serde_json::Value>().map(drop)
    }

    /// `POST /v1/job/scripts/{script_uuid}`: runs a script, answers the new ticket's
    /// `execute_uuid`. Sent once, never retried: the script may have started.
    pub async fn execute_script(
        &self,
        script_uuid: &str,
        request: &ScriptExecuteRequest,
    ) -> Result<String, ApiError> {
        let path = format!("/v1/job/scripts/{}", id_segment(script_uuid)?);
        self.start(path, request, "execute_uuid").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn statuses_round_trip_and_unknown_ones_are_kept() {
        for s in ScriptStatus::KNOWN {
            assert_eq!(ScriptStatus::parse(s.as_str()), s);
        }
        let odd: ScriptStatus = decode(serde_json::json!("TIMEOUT\u{1b}[0m"));
        assert_eq!(odd, ScriptStatus::Unknown("TIMEOUT\u{1b}[0m".into()));
        assert!(!odd.is_terminal());
        assert!(odd.label().contains("\\u{1b}"), "{}", odd.label());
        let terminal: Vec<_> = ScriptStatus::KNOWN
            .iter()
            .filter(|s| s.is_terminal())
            .map(ScriptStatus::as_str)
            .collect();
        assert_eq!(terminal, ["ABNORMAL", "CANCELED", "FINISHED", "ROLLBACKED"]);
        assert!(!ScriptStatus::Finished.is_unsuccessful());
        assert!(ScriptStatus::Rollbacked.is_unsuccessful());
    }

    #[test]
    fn a_detail_with_numbers_as_strings_nulls_and_odd_shapes_decodes() {
        let ticket: ScriptTicket = decode(serde_json::json!({
            "execute_uuid": "JS1",
            "gmt_created": "1751299200000",
            "gmt_finished": null,
            "execute_costs": 12.0,
            "creator": 42,
            "status": "PROCESSING",
            "properties": {
                "script_uuid": "SC1",
                "script_version_uuid": 7,
                "current_execute_batch_index": "2",
                "execute_param": {
                    "timeout": "300",
                    "success_rate": "99.5",
                    "execute_user": "root",
                    "script_params": [{"param_name": "dir", "param_value": 5, "param_order": 1}],
                    "resourceful": true
                },
                "extra": [1, 2]
            }
        }));
        assert_eq!(ticket.gmt_created, Some(1_751_299_200_000));
        assert_eq!(ticket.execute_costs, Some(12));
        assert_eq!(ticket.creator.as_deref(), Some("42"));
        let properties = &ticket.properties;
        assert_eq!(properties.script_version_uuid.as_deref(), Some("7"));
        assert_eq!(properties.current_execute_batch_index, Some(2));
        let param = properties.execute_param.as_ref().unwrap();
        assert_eq!(param.timeout, Some(300));
        assert_eq!(param.success_rate, Some(99.5));
        assert_eq!(param.script_params[0].param_value, "5");
        assert!(!ticket.is_terminal());

        let bare: ScriptTicket =
            decode(serde_json::json!({"execute_uuid": "JS2", "properties": "oops"}));
        assert_eq!(bare.properties, ScriptTicketProperties::default());
        assert!(serde_json::from_value::<ScriptTicket>(serde_json::json!({})).is_err());
    }

    #[test]
    fn hosts_keep_their_output_raw_and_survive_odd_shapes() {
        let hosts: ScriptBatchHosts = decode(serde_json::json!({
            "batch_index": 1,
            "total_instances": "3",
            "execute_instances": [
                {"id": "17", "status": "FINISHED", "message": "line 1\n\u{1b}[31mred\u{1b}[0m\r\n\u{0}",
                 "target_instance": {"resource_id": "r1", "properties": {"host_name": "web-01", "fixed_ip": "10.0.0.1"}}},
                {"id": null, "target_instance": "not an object", "message": {"k": 1}},
                {"id": 18.0, "target_instance": {"properties": [], "resource_id": "r3"}}
            ]
        }));
        let [first, second, third] = &hosts.execute_instances[..] else {
            panic!("{hosts:?}")
        };
        assert_eq!(first.id, Some(17));
        assert!(first.message.as_ref().unwrap().contains("\u{1b}[31m"));
        assert_eq!(
            (first.name(), first.ip()),
            (Some("web-01"), Some("10.0.0.1"))
        );
        assert_eq!(second.target_instance, None);
        assert_eq!(second.message.as_deref(), Some("{\"k\":1}"));
        assert_eq!(
            (third.id, third.name(), third.ip()),
            (Some(18), Some("r3"), None)
        );
        assert_eq!(hosts.total_instances, Some(3));
    }

    #[test]
    fn statistics_and_batches_tolerate_strings_and_nulls() {
        let stats: ScriptStatistics = decode(serde_json::json!({
            "total_instance": "5",
            "execute_statistics": [
                {"instance_status": "FINISHED", "instance_count": 3, "batch_indexes": [1, "2", null, "x"]},
                {"instance_status": "WAITING", "instance_count": null, "batch_indexes": null}
            ]
        }));
        assert_eq!(stats.total_instance, Some(5));
        assert_eq!(stats.execute_statistics[0].batch_indexes, [1, 2]);
        assert_eq!(
            stats.execute_statistics[1].instance_status,
            Some(ScriptStatus::Unknown("WAITING".into()))
        );
        let batch: ScriptBatch = decode(serde_json::json!({
            "batch_index": "3", "total_instances": 4, "rotation_strategy": "PAUSE", "properties": null
        }));
        assert_eq!(
            (batch.batch_index, batch.total_instances),
            (Some(3), Some(4))
        );
    }

    #[test]
    fn operations_allowed_by_status_and_their_bodies() {
        use ScriptStatus::*;
        let allowed = |op: ScriptOperation| -> Vec<&'static str> {
            ScriptStatus::KNOWN
                .iter()
                .filter(|s| op.allowed_for(s))
                .map(|s| match s {
                    Ready => "READY",
                    Processing => "PROCESSING",
                    Paused => "PAUSED",
                    _ => "terminal",
                })
                .collect()
        };
        assert_eq!(allowed(ScriptOperation::PauseOrder), ["PROCESSING"]);
        assert_eq!(allowed(ScriptOperation::ContinueOrder), ["PAUSED"]);
        assert_eq!(
            allowed(ScriptOperation::CancelOrder),
            ["READY", "PROCESSING", "PAUSED"]
        );
        assert_eq!(
            allowed(ScriptOperation::SkipBatch { batch_index: 1 }),
            ["PROCESSING", "PAUSED"]
        );
        assert!(!ScriptOperation::CancelOrder.allowed_for(&Unknown("PROCESSING ".into())));
        assert_eq!(
            serde_json::to_value(ScriptOperation::SkipBatch { batch_index: 2 }.body()).unwrap(),
            serde_json::json!({"operation_type": "SKIP_BATCH", "batch_index": 2})
        );
        assert_eq!(
            serde_json::to_value(ScriptOperation::CancelInstance { instance_id: 9 }.body())
                .unwrap(),
            serde_json::json!({"operation_type": "CANCEL_INSTANCE", "instance_id": 9})
        );
        assert_eq!(
            serde_json::to_value(ScriptOperation::PauseOrder.body()).unwrap(),
            serde_json::json!({"operation_type": "PAUSE_ORDER"})
        );
    }

    #[test]
    fn query_pairs_are_sent_only_when_set() {
        assert!(ScriptOrderQuery::default().pairs().is_empty());
        let query = ScriptOrderQuery {
            limit: Some(100),
            marker: Some(42),
            status: Some(ScriptStatus::Paused),
            creator: Some("li.wei".into()),
            ..ScriptOrderQuery::default()
        };
        let names: Vec<_> = query
            .pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            names,
            ["limit=100", "marker=42", "creator=li.wei", "status=PAUSED"]
        );
        assert_eq!(
            ScriptHostQuery::default().pairs(),
            [("limit".to_string(), "50".to_string())]
        );
    }
}
