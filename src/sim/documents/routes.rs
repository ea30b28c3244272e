//! The document endpoints: list, detail, and a run that creates an execution.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use super::{DocumentError, DocumentFilter};
use crate::coc::ExecuteDocumentRequest;
use crate::sim::lang::Lang;
use crate::sim::routes::{Query, store};
use crate::sim::{Shared, wire};

/// Documents in one page at most.
const MAX_LIMIT: usize = 100;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/documents", get(list))
        .route("/v1/documents/{document_id}", get(detail).post(execute))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = Lang::of(&headers);
    let query = Query::parse(raw);
    let paging = match query.paging(MAX_LIMIT) {
        Ok(paging) => paging,
        Err(detail) => return wire::invalid_parameter_in(lang, &detail),
    };
    let filter = DocumentFilter {
        name_like: query.text("name_like"),
        creator: query.text("creator"),
        enterprise_project_id: query.text("enterprise_project_id"),
        public: query.text("document_type").as_deref() == Some("PUBLIC"),
    };
    let (store, _) = store(&shared);
    let (documents, total) = super::list(store.documents(), &filter, paging.limit, paging.offset);
    wire::page(&documents, total)
}

async fn detail(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = Lang::of(&headers);
    let Ok(Path(id)) = id else {
        return refused(lang, DocumentError::NoDocument);
    };
    let version = Query::parse(raw).text("version");
    let (store, _) = store(&shared);
    match super::detail(store.documents(), &id, version.as_deref()) {
        Ok(document) => wire::data(&document),
        Err(error) => refused(lang, error),
    }
}

async fn execute(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let lang = Lang::of(&headers);
    let Ok(Path(id)) = id else {
        return refused(lang, DocumentError::NoDocument);
    };
    let request: ExecuteDocumentRequest = match wire::json_body(&body, "a job run") {
        Ok(request) => request,
        Err(detail) => return wire::invalid_parameter_in(lang, &detail),
    };
    let (mut store, now) = store(&shared);
    match super::run_request(store.documents(), &id, &request) {
        Ok(run) => wire::data(&store.start(run, now)),
        Err(error) => refused(lang, error),
    }
}

fn refused(lang: Lang, error: DocumentError) -> Response {
    match error {
        DocumentError::NoDocument => wire::refused(
            lang,
            wire::DOCUMENT_NOT_FOUND,
            "The document does not exist".into(),
            "作业不存在".into(),
        ),
        DocumentError::NoVersion(version) => wire::refused(
            lang,
            wire::VERSION_NOT_FOUND,
            format!("The document has no version {version:?}"),
            format!("作业没有版本 {version:?}"),
        ),
        DocumentError::MissingParameter(key) => wire::invalid_parameter_in(
            lang,
            &lang.pick(
                format!("parameter {key} is required"),
                format!("缺少必填参数 {key}"),
            ),
        ),
        DocumentError::UnknownParameter(key) => wire::invalid_parameter_in(
            lang,
            &lang.pick(
                format!("the document has no parameter {key:?}"),
                format!("作业没有参数 {key:?}"),
            ),
        ),
        DocumentError::BadTargets(why) => wire::invalid_parameter_in(lang, &why),
    }
}
