//! The layout's rules, checked on the source: arrows point one way (routes on top, product
//! modules below, nothing below importing the routes or the app wiring), route files stay thin,
//! the system clock is read in one place and a claim's state is written in one place.

use std::path::{Path, PathBuf};

fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The code of a file without its `#[cfg(test)]` module and comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn arrows_point_one_way() {
    let mut wrong = Vec::new();
    for (name, text) in sources() {
        let code = code(&text);
        let wiring = name.starts_with("routes/") || name == "startup.rs" || name == "main.rs";
        if !wiring && (code.contains("crate::routes") || code.contains("crate::startup")) {
            wrong.push(format!("{name} imports the routes or the app wiring"));
        }
        let sibling = code.contains("crate::routes::") || code.contains("super::");
        if name.starts_with("routes/") && name != "routes/mod.rs" && sibling {
            wrong.push(format!("{name} imports another route module"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn route_files_stay_thin() {
    for (name, text) in sources() {
        if name.starts_with("routes/") {
            let lines = text.lines().count();
            assert!(
                lines <= 430,
                "{name} has {lines} lines: move its logic into its product module"
            );
        }
    }
}

#[test]
fn the_system_clock_is_read_only_by_the_clock() {
    for (name, text) in sources() {
        if name == "clock.rs" {
            continue;
        }
        let code = code(&text);
        for banned in ["Utc::now()", "SystemTime::now()", "thread::sleep("] {
            assert!(!code.contains(banned), "{name} calls {banned}: ask crate::clock::Clock");
        }
    }
}

/// Writes to `claims.state` are `.set(...)` or `.values(...)` calls naming the column; only the
/// state machine makes them.
#[test]
fn only_the_state_machine_writes_a_claims_state() {
    for (name, text) in sources() {
        if name == "claims/machine.rs" {
            continue;
        }
        let code = code(&text);
        for call in [".set(", ".values("] {
            for (at, _) in code.match_indices(call) {
                let mut depth = 0usize;
                let mut end = at + call.len();
                for (i, ch) in code[at + call.len() - 1..].char_indices() {
                    match ch {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                end = at + call.len() - 1 + i;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let args = &code[at..end];
                assert!(
                    !args.contains("claims::state"),
                    "{name} writes claims.state outside claims/machine.rs: {args}"
                );
            }
        }
    }
}
