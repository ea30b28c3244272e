//! Documents (作业, runbook jobs): listing them, one with its versions, and starting one
//! (`POST /v1/documents/{document_id}`), which creates an execution. The official SDK
//! types these answers as bare objects; the fields follow the published reference.

use serde::{Deserialize, Serialize};

use super::client::{Client, about, given_pairs, id_segment};
use super::error::ApiError;
use super::model::{
    KeyValue, Page, Target, null_as_default, opt_millis, opt_string_or_number, string_or_any,
};

/// One row of `GET /v1/documents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSummary {
    #[serde(deserialize_with = "string_or_any")]
    pub document_id: String,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub name: Option<String>,
    /// Epoch ms (the reference calls it a string; the service sends a number).
    #[serde(default, deserialize_with = "opt_millis")]
    pub create_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub update_time: Option<i64>,
    /// The latest version, such as `v2`.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub creator: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub modifier: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub enterprise_project_id: Option<String>,
}

/// One version of a document (`DocumentVersionVo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DocumentVersion {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub version_uuid: Option<String>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub create_time: Option<i64>,
}

/// A parameter the document declares. Not in the published reference (the declarations
/// live in the document's `content`); the simulator sends them, and against a service
/// that does not the list is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DocumentParameter {
    #[serde(default, deserialize_with = "string_or_any")]
    pub key: String,
    /// The default value, if any.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub required: bool,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub description: Option<String>,
}

/// `GET /v1/documents/{document_id}`: a document at one version (the latest unless
/// asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentDetail {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(deserialize_with = "string_or_any")]
    pub document_id: String,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub name: Option<String>,
    /// The job itself, a DSL text.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub create_time: Option<i64>,
    #[serde(default, deserialize_with = "opt_millis")]
    pub update_time: Option<i64>,
    /// The version shown.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub creator: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub modifier: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub enterprise_project_id: Option<String>,
    /// `LOW`, `MEDIUM` or `HIGH`.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub risk_level: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<KeyValue>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub versions: Vec<DocumentVersion>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub parameters: Vec<DocumentParameter>,
}

/// Filters and paging of `GET /v1/documents`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentQuery {
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    /// Part of the name.
    pub name_like: Option<String>,
    pub creator: Option<String>,
    pub enterprise_project_id: Option<String>,
    /// `PRIVATE` (the default) or `PUBLIC`.
    pub document_type: Option<String>,
}

impl DocumentQuery {
    /// The query pairs sent (decoded), in the SDK's order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        given_pairs([
            ("limit", self.limit.map(|v| v.to_string())),
            ("offset", self.offset.map(|v| v.to_string())),
            ("name_like", self.name_like.clone()),
            ("creator", self.creator.clone()),
            ("enterprise_project_id", self.enterprise_project_id.clone()),
            ("document_type", self.document_type.clone()),
        ])
    }
}

/// The body of `POST /v1/documents/{document_id}` (`ExecuteDocumentRequestBody`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ExecuteDocumentRequest {
    /// The latest version when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<KeyValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sys_tags: Vec<KeyValue>,
    /// With `targets`: the parameter whose values are the targets (rate control).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_parameter_name: Option<String>,
    /// `InstanceValues` or `BatchValues`, as an execution's own `targets` (the SDK
    /// types the values as strings; the service takes the resources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<Target>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Client {
    /// `GET /v1/documents`: one page (offset paging).
    pub async fn list_documents(
        &self,
        query: &DocumentQuery,
    ) -> Result<Page<DocumentSummary>, ApiError> {
        self.get("/v1/documents".into(), query.pairs())
            .await?
            .decode()
    }

    /// `GET /v1/documents/{document_id}`, at `version` (the latest when `None`).
    pub async fn get_document(
        &self,
        document_id: &str,
        version: Option<&str>,
    ) -> Result<DocumentDetail, ApiError> {
        let path = format!("/v1/documents/{}", id_segment(document_id)?);
        let query = version
            .map(|v| vec![("version".to_string(), v.to_string())])
            .unwrap_or_default();
        let response = self.get(path, query).await?;
        let document = about(&response, document_id, "document", |d: &DocumentDetail| {
            &d.document_id
        })?;
        document.ok_or_else(|| response.decode_error("the answer holds no document".into()))
    }

    /// `POST /v1/documents/{document_id}`: starts the job, answers the new execution's
    /// ID. Sent once, never retried: the job may have started.
    pub async fn execute_document(
        &self,
        document_id: &str,
        request: &ExecuteDocumentRequest,
    ) -> Result<String, ApiError> {
        let path = format!("/v1/documents/{}", id_segment(document_id)?);
        self.start(path, request, "execution ID").await
    }
}

/// `true`, `"true"` or `1`; anything else is false.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::String(s) => s.trim().eq_ignore_ascii_case("true"),
        serde_json::Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coc::model::Envelope;

    #[test]
    fn the_published_list_example_and_a_detail_decode() {
        let page: Page<DocumentSummary> = serde_json::from_value(serde_json::json!({
            "data": [{
                "document_id": "DM2025063021170101xxxxx", "name": "qweqwe",
                "create_time": 1751289421846i64, "update_time": "1751289421846",
                "version": "v1", "creator": "COC-xxxxx", "modifier": null,
                "enterprise_project_id": "0"
            }],
            "total": 1
        }))
        .unwrap();
        assert_eq!(page.total, Some(1));
        assert_eq!(page.data[0].update_time, Some(1_751_289_421_846));
        assert_eq!(page.data[0].modifier, None);

        let detail: Envelope<DocumentDetail> = serde_json::from_value(serde_json::json!({
            "data": {
                "id": 7, "document_id": "DM1", "name": "restart", "content": "steps: []",
                "versions": [{"version": "v1", "version_uuid": "u1", "create_time": 1}, {}],
                "parameters": [{"key": "dir", "value": "/tmp", "required": "true"},
                               {"key": "n", "required": 1}],
                "tags": null
            }
        }))
        .unwrap();
        let detail = detail.data.unwrap();
        assert_eq!(detail.id.as_deref(), Some("7"));
        assert_eq!(detail.versions[1], DocumentVersion::default());
        assert!(detail.parameters.iter().all(|p| p.required));
        assert!(detail.tags.is_empty());
    }

    #[test]
    fn the_execute_request_sends_only_what_is_set() {
        let request = ExecuteDocumentRequest {
            parameters: vec![KeyValue {
                key: "dir".into(),
                value: "/tmp".into(),
            }],
            ..ExecuteDocumentRequest::default()
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({"parameters": [{"key": "dir", "value": "/tmp"}]})
        );
        let query = DocumentQuery {
            name_like: Some("重启".into()),
            limit: Some(5),
            ..DocumentQuery::default()
        };
        assert_eq!(
            query.pairs(),
            [
                ("limit".to_string(), "5".to_string()),
                ("name_like".to_string(), "重启".to_string())
            ]
        );
    }
}
