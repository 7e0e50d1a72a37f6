//! The layers point one way (docs/architecture.md): the two transports never import each
//! other, and the domain imports nothing of the crate but its leaves.

use std::path::Path;

/// Every `.rs` file under `dir` with its text.
fn sources(dir: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}")),
                ));
            }
        }
    }
    found
}

/// The lines of the files under `dir` that name any of `forbidden`.
fn offending(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut lines = Vec::new();
    for (path, text) in sources(dir) {
        for (n, line) in text.lines().enumerate() {
            if forbidden.iter().any(|f| line.contains(f)) {
                lines.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    lines
}

#[test]
fn the_html_screens_never_import_the_json_api() {
    assert_eq!(offending("src/web", &["crate::api"]), Vec::<String>::new());
}

#[test]
fn the_json_api_never_imports_the_html_screens() {
    assert_eq!(offending("src/api", &["crate::web"]), Vec::<String>::new());
}

#[test]
fn the_domain_imports_only_its_leaf_modules() {
    let upper = ["crate::db", "crate::error", "crate::service", "crate::web", "crate::api", "crate::startup"];
    assert_eq!(offending("src/domain", &upper), Vec::<String>::new());
}

#[test]
fn the_content_security_policy_lives_with_the_web_security_headers() {
    let read = |p: &str| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(p)).unwrap();
    let startup = read("src/startup.rs");
    assert!(!startup.contains("script-src") && !startup.contains("Content-Security-Policy"), "startup only wires");
    assert!(read("src/web/security_headers.rs").contains("script-src 'self'"));
}

/// The files directly under `src/` other than the wiring (`lib.rs`, `main.rs`, `startup.rs`):
/// the leaves and the shared helpers below both transports (error, origin, access audit, …).
fn below_the_transports() -> Vec<(String, String)> {
    let wiring = ["lib.rs", "main.rs", "startup.rs"];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if path.extension().is_some_and(|e| e == "rs") && !wiring.contains(&name.as_str()) {
            found.push((name, std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"))));
        }
    }
    found
}

#[test]
fn the_services_queries_and_shared_helpers_never_import_a_transport() {
    let transports = ["crate::web", "crate::api"];
    let mut lines = offending("src/service", &transports);
    lines.extend(offending("src/db", &transports));
    for (name, text) in below_the_transports() {
        for (n, line) in text.lines().enumerate() {
            if transports.iter().any(|t| line.contains(t)) {
                lines.push(format!("src/{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert_eq!(lines, Vec::<String>::new());
    let names: Vec<String> = below_the_transports().into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"access_audit.rs".to_owned()), "the access audit is checked: {names:?}");
}
