//! Everything that knows the COC wire protocol: model, client, signing, errors.

pub mod auth;
pub mod client;
pub mod error;
pub mod model;
mod response;

pub use auth::{Auth, Credentials, Secret};
pub use client::{Client, ClientConfig, Endpoint, ListQuery, RetryPolicy};
pub use error::{ApiError, ErrorKind};
pub use model::{
    ExecutionType, Instance, KeyValue, Operation, Page, RawJson, Status, Step, Target, Ticket,
};

/// Why an execution ID is refused where it enters (config, command line, dashboard).
pub fn validate_execution_id(id: &str) -> Result<(), &'static str> {
    if id.is_empty() {
        return Err("it is empty");
    }
    if id.trim() != id {
        return Err("it has leading or trailing white space");
    }
    if id.chars().any(char::is_control) {
        return Err("it contains control characters");
    }
    if id.contains('/') || id.contains('\\') {
        return Err("it contains a slash");
    }
    if id == "." || id == ".." {
        return Err("it is a path segment, not an ID");
    }
    if id.len() > 128 {
        return Err("it is longer than 128 bytes");
    }
    Ok(())
}
