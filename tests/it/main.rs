//! Every integration test, in one binary: one link instead of one per file.

mod client;
mod client_sim;
mod config;
mod dashboard_pty;
mod decode;
mod engine;
mod get_wait;
mod hardening;
mod operate;
mod output;
mod properties;
mod signing;
mod sim;
mod support;
mod ui_snapshots;
