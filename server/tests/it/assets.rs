//! The built site's files: pages name them as the build's manifest says, load the WebAssembly
//! only where there is an island, and the server keeps versioned files for a year, sending the
//! compressed copy the build made.

use crate::on_both;
use crate::support::{TestApp, text};
use reqwest::StatusCode;
use std::path::Path;

/// A built site in a temporary folder: the files a build writes, with or without the manifest.
fn site(versioned: bool) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temporary site");
    let pkg = root.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let write = |name: &str, body: &[u8]| std::fs::write(pkg.join(name), body).unwrap();
    if versioned {
        write("baraza.0123456789abcdef.js", b"export default 1;");
        write("baraza.0123456789abcdef.js.br", b"brotli bytes");
        write("baraza.0123456789abcdef.js.gz", b"gzip bytes");
        write("baraza.fedcba9876543210.wasm", b"\0asm");
        write("baraza.00112233445566ff.css", b"body{}");
        write("editor.js", b"// the editor");
        std::fs::write(
            root.path().join(app::assets::MANIFEST),
            r#"{"baraza.js": "baraza.0123456789abcdef.js", "baraza.wasm": "baraza.fedcba9876543210.wasm", "baraza.css": "baraza.00112233445566ff.css"}"#,
        )
        .unwrap();
    } else {
        write("baraza.js", b"export default 1;");
        write("baraza.wasm", b"\0asm");
        write("baraza.css", b"body{}");
    }
    root
}

async fn start(backend: crate::support::Backend, root: &Path) -> TestApp {
    let root = root.to_path_buf();
    TestApp::start_configured(backend, move |launch| launch.site_root = root).await
}

on_both!(
    pages_name_the_versioned_files_and_only_islands_fetch_the_bundle,
    |backend| async move {
        let root = site(true);
        let app = start(backend, root.path()).await;
        let client = TestApp::client();

        let decisions = text(client.get(app.url("/decisions")).send().await.unwrap()).await;
        assert!(decisions.contains(r#"href="/pkg/baraza.00112233445566ff.css""#));
        assert!(
            decisions.contains(
                r#""/pkg/baraza.0123456789abcdef.js", "/pkg/baraza.fedcba9876543210.wasm""#
            ),
            "the islands script is given the versioned bundle"
        );
        assert!(
            !decisions.contains("<leptos-island"),
            "nothing interactive here"
        );
        assert!(
            !decisions.contains(r#"<link rel="modulepreload""#)
                && !decisions.contains(r#"<link rel="preload""#),
            "no preload in the page: the script adds it only where there is an island"
        );
        let login = text(client.get(app.url("/auth/login")).send().await.unwrap()).await;
        assert!(
            login.contains("<leptos-island"),
            "the show-password button is an island"
        );

        let js = client
            .get(app.url("/pkg/baraza.0123456789abcdef.js"))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(js.status(), StatusCode::OK);
        assert_eq!(
            js.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(js.headers()["content-encoding"], "br");
        assert_eq!(
            js.headers()["vary"],
            "accept-encoding",
            "a shared cache keeps one copy per encoding"
        );
        assert_eq!(js.bytes().await.unwrap().as_ref(), b"brotli bytes");
        let plain = client
            .get(app.url("/pkg/baraza.0123456789abcdef.js"))
            .send()
            .await
            .unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        assert_eq!(plain.headers()["vary"], "accept-encoding");
        assert_eq!(plain.bytes().await.unwrap().as_ref(), b"export default 1;");

        let editor = client.get(app.url("/pkg/editor.js")).send().await.unwrap();
        assert_eq!(editor.status(), StatusCode::OK);
        assert_eq!(editor.headers()["cache-control"], "no-cache");
        let missing = client
            .get(app.url("/pkg/baraza.1111111111111111.wasm"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(missing.headers()["cache-control"], "no-cache");
    }
);

on_both!(
    a_site_built_without_a_manifest_keeps_the_plain_names,
    |backend| async move {
        let root = site(false);
        let app = start(backend, root.path()).await;
        let client = TestApp::client();
        let login = text(client.get(app.url("/auth/login")).send().await.unwrap()).await;
        assert!(login.contains(r#"href="/pkg/baraza.css""#));
        assert!(login.contains(r#""/pkg/baraza.js", "/pkg/baraza.wasm""#));
        let wasm = client
            .get(app.url("/pkg/baraza.wasm"))
            .send()
            .await
            .unwrap();
        assert_eq!(wasm.status(), StatusCode::OK);
        assert_eq!(wasm.headers()["cache-control"], "no-cache");
    }
);
