//! A real SMTP server for the mail tests: Python's aiosmtpd (installed with the test tools in
//! target/python), started on a port, printing each message it takes as a JSON line; and the
//! messages read back by Python's `email` package, the standard library's MIME parser, rather
//! than by our own reading of our own output.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

const SERVER: &str = r#"
import asyncio, json, sys
from aiosmtpd.smtp import SMTP

class Handler:
    def __init__(self, refuse):
        self.refuse = refuse
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return '550 5.1.1 No such mailbox here'
        envelope.rcpt_tos.append(address)
        return '250 OK'
    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                          "data": envelope.content.decode('utf-8', 'replace')}), flush=True)
        return '250 Message accepted for delivery'

async def main():
    port, refuse = int(sys.argv[1]), sys.argv[2] == 'refuse'
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Handler(refuse), hostname='mail.test', enable_SMTPUTF8=True), '127.0.0.1', port)
    print('listening', server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"#;

const PARSE: &str = r#"
import email, email.policy, json, sys
m = email.message_from_string(sys.stdin.read(), policy=email.policy.default)
text = m.get_body(preferencelist=('plain',))
html = m.get_body(preferencelist=('html',))
print(json.dumps({
    "subject": str(m['subject']), "from": str(m['from']), "to": str(m['to']),
    "message_id": str(m['message-id']), "date": str(m['date']),
    "language": str(m['content-language']), "auto_submitted": str(m['auto-submitted']),
    "content_type": m.get_content_type(),
    "text": text.get_content() if text else None, "html": html.get_content() if html else None,
}))
"#;

/// One message as the SMTP server took it.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// A message as Python's `email` package reads it.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Parsed {
    pub subject: String,
    pub from: String,
    pub to: String,
    pub message_id: String,
    pub date: String,
    pub language: String,
    pub auto_submitted: String,
    pub content_type: String,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl Received {
    /// The message read by Python's `email` package.
    pub fn parse(&self) -> Parsed {
        let (ok, out) = crate::support::python(PARSE, &self.data);
        assert!(
            ok,
            "Python's email package reads the message:\n{}",
            self.data
        );
        serde_json::from_str(&out).expect("the parser's JSON")
    }

    /// The first link to `path_prefix` in the plain text.
    pub fn link(&self, path_prefix: &str) -> String {
        let text = self.parse().text.expect("a plain text part");
        text.split_whitespace()
            .find(|word| word.contains(path_prefix))
            .unwrap_or_else(|| panic!("a link to {path_prefix} in:\n{text}"))
            .to_string()
    }
}

/// A running SMTP server.
pub struct Mailbox {
    pub port: u16,
    received: mpsc::UnboundedReceiver<Received>,
    _child: Child,
}

impl Mailbox {
    /// Starts an SMTP server that takes every message, on `port` (0: any free port).
    pub async fn start(port: u16) -> Mailbox {
        Mailbox::launch(port, "accept").await
    }

    /// Starts an SMTP server that refuses every recipient for good (550).
    pub async fn refusing() -> Mailbox {
        Mailbox::launch(0, "refuse").await
    }

    async fn launch(port: u16, mode: &str) -> Mailbox {
        let python = std::env::var("BARAZA_TEST_PYTHON").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../target/python/bin/python").to_string()
        });
        let mut child = Command::new(&python)
            .args(["-u", "-c", SERVER, &port.to_string(), mode])
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{python} runs aiosmtpd (scripts/test installs it): {e}"));
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the SMTP server starts")
            .expect("its output")
            .expect("a line");
        let port = first
            .strip_prefix("listening ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server says its port: {first}"));
        let (sender, received) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let message: Received = serde_json::from_str(&line).expect("a message as JSON");
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Mailbox {
            port,
            received,
            _child: child,
        }
    }

    /// The `--smtp-url` of this server.
    pub fn url(&self) -> url::Url {
        format!("smtp://127.0.0.1:{}", self.port)
            .parse()
            .expect("a URL")
    }

    /// The next message, waiting up to `seconds`.
    pub async fn next(&mut self, seconds: u64) -> Option<Received> {
        tokio::time::timeout(Duration::from_secs(seconds), self.received.recv())
            .await
            .ok()
            .flatten()
    }

    /// The next message, which must come within 20 seconds.
    pub async fn expect(&mut self) -> Received {
        self.next(20).await.expect("a mail arrives")
    }
}

/// A free port on 127.0.0.1, for a server started later.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
