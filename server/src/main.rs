//! `baraza serve`, `baraza migrate`, `baraza grant-admin` and `baraza verify-record`.

use clap::Parser;
use server::config::{Cli, Command};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    server::memory::return_large_blocks_to_the_system();
    tokio::runtime::Runtime::new()
        .expect("the async runtime starts")
        .block_on(run())
}

async fn run() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("BARAZA_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Migrate(args) => migrate(&args.database_url).await,
        Command::GrantAdmin { email, database } => {
            grant_admin(&email, &database.database_url).await
        }
        Command::Serve(args) => serve(*args).await,
        Command::VerifyRecord(args) => verify_record(&args.database_url).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("baraza: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn migrate(url: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let db = server::db::connect(url).await?;
    server::db::migrate(&db).await?;
    server::store::names::backfill(&db.pool)
        .await
        .map_err(|e| format!("filling in name keys failed: {e}"))?;
    println!("migrations applied to {}", redact(url));
    Ok(())
}

async fn verify_record(url: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let db = server::db::connect(url).await?;
    server::db::migrate(&db).await?;
    let store = server::store::SqlStore::new(&db);
    match server::audit::verify_record(&store)
        .await
        .map_err(|e| e.to_string())?
    {
        Ok(intact) => {
            println!(
                "the public record is intact: {} entries, newest hash {}",
                intact.entries, intact.head
            );
            Ok(())
        }
        Err(finding) => Err(finding.to_string().into()),
    }
}

async fn grant_admin(
    email: &str,
    url: &str,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use app::ssr::People;
    let db = server::db::connect(url).await?;
    server::db::migrate(&db).await?;
    let store = server::store::SqlStore::new(&db);
    let email = app::domain::account::normalize_email(email)
        .map_err(|_| format!("not an email address: {email}"))?;
    if store
        .bootstrap_admin(&email)
        .await
        .map_err(|e| e.to_string())?
    {
        println!("{email} is now a site administrator");
        Ok(())
    } else {
        Err(format!("there is no account with the email {email}; sign up first").into())
    }
}

async fn serve(
    args: server::config::ServeArgs,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let public_origin = args
        .public_url
        .as_ref()
        .map(|u| u.origin().ascii_serialization());
    let running = server::launch(server::Launch {
        addr: args.addr,
        database_url: args.database.database_url.clone(),
        demo: args.demo,
        public_origin: public_origin.clone(),
        trust_forwarded_for: args.trust_forwarded_for,
        max_connections_per_client: args.max_connections_per_client,
        site_root: args.site_root.clone(),
        smtp_url: args.smtp_url.clone(),
        mail_from: args.mail_from.clone(),
        mail_retry: std::time::Duration::from_secs(args.mail_retry_seconds.max(1)),
        unverified_may_post: args.unverified_may_post,
        moderation_wait: std::time::Duration::from_secs(args.moderation_wait_hours.max(1) * 3600),
    })
    .await?;
    let url = public_origin.unwrap_or_else(|| format!("http://{}", running.addr));
    println!(
        "\nBaraza is running at {url}/  (database: {})",
        redact(&args.database.database_url)
    );
    if args.demo {
        println!(
            "\nDemo accounts (password: {}):",
            server::demo::DEMO_PASSWORD
        );
        for login in server::demo::logins() {
            println!("  {:<28} {}", login.email, login.role);
        }
    }
    match &args.smtp_url {
        Some(smtp) => println!("\nMail goes out through {}", redact(smtp.as_str())),
        None => println!(
            "\nNo --smtp-url: mail stays on this machine; administrators read it at {url}/admin/outbox"
        ),
    }
    println!("\nPress Ctrl+C to stop.\n");
    running.until(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Hides the password in a database URL.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Resolves on Ctrl+C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
