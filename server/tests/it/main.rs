//! Baraza's integration suite: the real server on port 0, a real database (each test body runs on
//! SQLite and on PostgreSQL), real HTTP.

mod mailbox;
mod support;
mod yclient;

mod access;
mod activity_feed;
mod answers;
mod api;
mod assets;
mod auth;
mod budget_api;
mod budget_pages;
mod budget_scale;
mod budget_voting;
mod budgets;
mod calendar;
mod cli;
mod collab;
mod comments;
mod compare;
mod crash;
mod decisions;
mod documents;
mod import;
mod interop;
mod mail;
mod next_step;
mod nodes;
mod notifications;
mod pages;
mod permissions;
mod project_comments;
mod sittings;
mod trust;
mod verification;
