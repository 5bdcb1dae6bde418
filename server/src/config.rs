//! Command-line interface and configuration: flags, with environment variables as defaults.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Baraza: multistakeholder deliberation, co-drafting and public decisions.
#[derive(Debug, Parser)]
#[command(name = "baraza", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (migrations run first).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Check the public record: every entry's hash and link, from the first to the newest.
    /// Exits with failure and names the first broken entry if anything was changed or removed.
    VerifyRecord(DatabaseArgs),
    /// Make an existing account a site administrator (how a new installation gets its first one).
    GrantAdmin {
        /// The account's email address.
        #[arg(long)]
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` (created if missing) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(
        long,
        env = "BARAZA_DATABASE_URL",
        default_value = "sqlite://data/baraza.db"
    )]
    pub database_url: String,
}

/// How to serve.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, env = "BARAZA_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Load the demo content into an empty database (a database with data is never touched).
    #[arg(long, env = "BARAZA_DEMO")]
    pub demo: bool,
    /// The site's public URL, e.g. `https://baraza.example.org`. Requests that change state must
    /// come from this origin; an `https` URL also marks cookies Secure; links in mail lead here.
    /// Unset: the request's Host for the origin check, and the listening address for mail.
    #[arg(long, env = "BARAZA_PUBLIC_URL")]
    pub public_url: Option<url::Url>,
    /// Set when a reverse proxy in front of Baraza sets `X-Forwarded-For`: the sign-in throttle
    /// then counts per client rather than per proxy. Never set it without such a proxy.
    #[arg(long, env = "BARAZA_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// How many live connections (draft websockets, sitting channels, comment streams) one
    /// client address may hold at once; one more is answered 429. Generous by default, because a
    /// hall's public wifi puts a whole hearing behind one address. Behind a reverse proxy, set
    /// `--trust-forwarded-for` too, or every client counts as the proxy's one address.
    #[arg(
        long,
        env = "BARAZA_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = crate::limits::DEFAULT_CONNECTIONS_PER_CLIENT
    )]
    pub max_connections_per_client: usize,
    /// The SMTP server mail goes through: `smtps://[USER:PASSWORD@]HOST[:PORT]` (TLS from the
    /// start, port 465), `smtp://…?tls=required` (STARTTLS, port 587), or `smtp://HOST[:PORT]`
    /// (no encryption, port 25: a relay on the same machine or network). Unset, no mail leaves
    /// the machine: it is kept for site administrators at `/admin/outbox`.
    #[arg(long, env = "BARAZA_SMTP_URL")]
    pub smtp_url: Option<url::Url>,
    /// The sender of every mail, e.g. `City participation <participation@city.example>`.
    /// Default: `Baraza <baraza@HOST>`, HOST being the public URL's (`localhost` without one).
    #[arg(long, env = "BARAZA_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Seconds to wait before trying a mail again after the SMTP server failed to take it; each
    /// later attempt waits twice as long, up to six hours.
    #[arg(long, env = "BARAZA_MAIL_RETRY_SECONDS", default_value_t = 60)]
    pub mail_retry_seconds: u64,
    /// Let people post before they have confirmed their email address (by default they may read
    /// and follow, and post once they opened the link sent to them).
    #[arg(long, env = "BARAZA_UNVERIFIED_MAY_POST")]
    pub unverified_may_post: bool,
    /// Hours a comment may wait for moderation before the process's moderators and mediators
    /// are told the queue is waiting.
    #[arg(long, env = "BARAZA_MODERATION_WAIT_HOURS", default_value_t = 24)]
    pub moderation_wait_hours: u64,
    /// The built site (CSS and the WebAssembly bundle under `pkg/`).
    #[arg(long, env = "BARAZA_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}
