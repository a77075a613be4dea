//! The one integration test binary: git-lxc as a user runs it, against temp
//! repositories and fake host tools.

mod bash;
mod build;
mod compat;
mod config;
mod ctl;
mod doctor;
mod fakes;
mod support;

mod docs;
mod history;

mod init;
mod init_fit;
mod install;
mod plan_offline;

mod snapshots;

mod status;
mod streams;
mod suggestions;
mod verify;
