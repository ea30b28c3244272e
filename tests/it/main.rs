//! Every integration test, in one binary: one link instead of one per file.

mod cache_pty;
mod client;
mod client_sim;
mod config;
mod config_edit;
mod dashboard_edit_pty;
mod dashboard_pty;
mod decode;
mod engine;
mod files;
mod get_wait;
mod hardening;
mod list;
mod notify;
mod operate;
mod output;
mod pages;
mod properties;
mod proxy;
mod shell;
mod signing;
mod sim;
mod support;
mod ui_snapshots;
