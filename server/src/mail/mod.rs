//! Mail delivery: the settings (`--smtp-url`, `--mail-from`, `--mail-retry-seconds`), the
//! message each outbox row becomes ([`message`]), and the worker that sends them ([`worker`]).
//! What a mail says is the application's (`app::mail`); when it is written, the store's (the
//! outbox, in the transaction of the change that causes it).

pub mod message;
pub mod schedule;
pub mod worker;

use lettre::AsyncSmtpTransport;
use lettre::Tokio1Executor;
use lettre::message::Mailbox;
use std::time::Duration;

/// How long one SMTP conversation may wait for the server before it counts as a failure.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// How mail leaves the machine.
#[derive(Clone)]
pub struct MailSettings {
    /// The SMTP relay; `None` keeps every mail in the outbox for administrators.
    pub relay: Option<Relay>,
    /// The `From` of every mail.
    pub from: Mailbox,
    /// The wait before the first retry; each further one waits twice as long.
    pub retry_base: Duration,
}

/// An SMTP relay, and how to name it without its credentials.
#[derive(Clone)]
pub struct Relay {
    pub transport: AsyncSmtpTransport<Tokio1Executor>,
    /// `host:port`, for the outbox page and the log.
    pub name: String,
}

impl MailSettings {
    /// Reads the settings. `smtp_url` is `smtp://[user:password@]host[:port]` (plain, port 25),
    /// with `?tls=required` or `?tls=opportunistic` for STARTTLS (port 587), or `smtps://…` (TLS
    /// from the start, port 465);
    /// `from` defaults to `Baraza <baraza@HOST>`, HOST being the public URL's.
    pub fn new(
        smtp_url: Option<&url::Url>,
        from: Option<&str>,
        site_url: &url::Url,
        retry_base: Duration,
    ) -> Result<MailSettings, String> {
        let relay = smtp_url
            .map(|url| {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
                    .map_err(|e| format!("--smtp-url is not a usable SMTP URL: {e}"))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                // lettre's default ports: SMTP, submission with STARTTLS, submission over TLS.
                let tls = url.query_pairs().any(|(key, _)| key == "tls");
                let port = url.port().unwrap_or(match (url.scheme(), tls) {
                    ("smtps", _) => 465,
                    (_, true) => 587,
                    _ => 25,
                });
                let name = format!("{}:{port}", url.host_str().unwrap_or_default());
                Ok::<_, String>(Relay { transport, name })
            })
            .transpose()?;
        let host = site_url
            .host_str()
            .filter(|h| h.contains('.') && h.parse::<std::net::IpAddr>().is_err())
            .unwrap_or("localhost");
        let from = match from {
            Some(from) => from
                .parse::<Mailbox>()
                .map_err(|e| format!("--mail-from is not a mail address ({from}): {e}"))?,
            None => format!("Baraza <baraza@{host}>")
                .parse::<Mailbox>()
                .map_err(|e| format!("no default mail address for {host}: {e}"))?,
        };
        Ok(MailSettings {
            relay,
            from,
            retry_base,
        })
    }

    /// The domain of the `From` address, which names the site's Message-IDs.
    pub fn domain(&self) -> String {
        self.from.email.domain().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> url::Url {
        "https://baraza.example.org".parse().unwrap()
    }

    #[test]
    fn mail_comes_from_the_sites_domain_unless_told_otherwise() {
        let settings = MailSettings::new(None, None, &site(), Duration::from_secs(60)).unwrap();
        assert_eq!(
            settings.from.to_string(),
            "Baraza <baraza@baraza.example.org>"
        );
        assert!(settings.relay.is_none());
        let local: url::Url = "http://127.0.0.1:3000".parse().unwrap();
        let settings = MailSettings::new(None, None, &local, Duration::from_secs(60)).unwrap();
        assert_eq!(settings.domain(), "localhost");
        let settings = MailSettings::new(
            None,
            Some("City participation <participation@city.example>"),
            &site(),
            Duration::from_secs(60),
        )
        .unwrap();
        assert_eq!(settings.domain(), "city.example");
    }

    #[test]
    fn a_relay_is_named_without_its_credentials_and_bad_settings_are_refused() {
        let url: url::Url = "smtps://user:secret@mail.example.org".parse().unwrap();
        let settings =
            MailSettings::new(Some(&url), None, &site(), Duration::from_secs(60)).unwrap();
        assert_eq!(settings.relay.unwrap().name, "mail.example.org:465");
        let url: url::Url = "smtp://mail.example.org?tls=required".parse().unwrap();
        let settings =
            MailSettings::new(Some(&url), None, &site(), Duration::from_secs(60)).unwrap();
        assert_eq!(settings.relay.unwrap().name, "mail.example.org:587");
        let ftp: url::Url = "ftp://mail.example.org".parse().unwrap();
        assert!(MailSettings::new(Some(&ftp), None, &site(), Duration::from_secs(60)).is_err());
        assert!(
            MailSettings::new(
                None,
                Some("not an address"),
                &site(),
                Duration::from_secs(60)
            )
            .is_err()
        );
    }
}
