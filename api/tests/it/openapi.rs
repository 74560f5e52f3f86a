use std::path::Path;

use crate::support::spawn_app;

fn committed() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json"))
        .expect("openapi/openapi.json is committed")
}

#[test]
fn committed_spec_matches_the_code() {
    let generated = profiles_api::startup::openapi().to_pretty_json().unwrap();
    assert!(
        committed().trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run `make openapi` and commit the result"
    );
}

/// Every `#[get("…")]`-style route under src/routes must appear in the spec with its method.
#[test]
fn every_registered_route_is_documented() {
    let spec: serde_json::Value = serde_json::from_str(&profiles_api::startup::openapi().to_json().unwrap()).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut found = 0;
    for file in walk(&dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let line = line.trim();
            for method in ["get", "post", "put", "patch", "delete"] {
                let prefix = format!("#[{method}(\"");
                if let Some(rest) = line.strip_prefix(&prefix) {
                    let path = rest.split('"').next().unwrap();
                    // actix's `{id:regex}` segments are plain `{id}` in OpenAPI.
                    let path = strip_patterns(path);
                    found += 1;
                    assert!(
                        spec["paths"][&path][method].is_object(),
                        "{} {path} (in {}) is missing from the OpenAPI document; register it through routes::configure with #[utoipa::path]",
                        method.to_uppercase(),
                        file.display()
                    );
                }
            }
        }
    }
    assert!(found >= 2, "the scan found no routes; has the route syntax changed?");
}

fn strip_patterns(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push(c);
            }
            '}' => {
                depth -= 1;
                skipping = false;
                out.push(c);
            }
            ':' if depth == 1 => skipping = true,
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// Every error is documented: RFC 9457 problems, except on the DataCite-compatible surface,
/// which answers in DataCite's own envelope.
#[test]
fn every_error_response_is_documented_as_a_problem() {
    let spec: serde_json::Value = serde_json::from_str(&profiles_api::startup::openapi().to_json().unwrap()).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let datacite = op["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == "datacite"));
            // The OpenID Provider's protocol endpoints answer as OAuth clients expect: RFC 6749's
            // JSON errors, or a page for the person (never a redirect to an unchecked client).
            let oauth = path.starts_with("/oauth/");
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    if oauth {
                        let content = &response["content"];
                        assert!(
                            content["application/json"]["schema"]["$ref"] == "#/components/schemas/OauthError"
                                || content["text/html"].is_object()
                                || content["application/problem+json"].is_object(),
                            "{method} {path} {status} must document OAuth's error, a page, or a problem"
                        );
                    } else if datacite {
                        assert_eq!(
                            response["content"]["application/vnd.api+json"]["schema"]["$ref"],
                            "#/components/schemas/DataciteErrors",
                            "{method} {path} {status} must document DataCite's error envelope"
                        );
                    } else {
                        assert!(
                            response["content"]["application/problem+json"].is_object(),
                            "{method} {path} {status} must document an application/problem+json body"
                        );
                    }
                }
            }
        }
    }
}

#[actix_web::test]
async fn spec_and_docs_are_served() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let spec: serde_json::Value = res.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert!(spec["paths"]["/heartbeat"]["get"].is_object());

    // The reference is a page of the web UI (here unbuilt: its placeholder), under our CSP.
    let res = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(res.headers().contains_key("content-security-policy"));
    let res = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(res.headers()["location"], "/api/docs");
}

/// Every `$ref` points at a schema that exists (generated clients choke on dangling ones).
#[test]
fn every_reference_resolves() {
    let spec: serde_json::Value = serde_json::from_str(&profiles_api::startup::openapi().to_json().unwrap()).unwrap();
    fn walk(v: &serde_json::Value, spec: &serde_json::Value, path: &str) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(|r| r.as_str()) {
                    let pointer = r.trim_start_matches('#');
                    assert!(spec.pointer(pointer).is_some(), "{path}: dangling $ref {r}");
                }
                for (k, child) in map {
                    walk(child, spec, &format!("{path}/{k}"));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, spec, &format!("{path}/{i}"));
                }
            }
            _ => {}
        }
    }
    walk(&spec, &spec, "");
}

/// Generated clients key operations by `operationId`; two handlers with one name would collide.
#[test]
fn operation_ids_are_unique() {
    let spec = serde_json::to_value(profiles_api::startup::openapi()).unwrap();
    let mut seen = std::collections::HashMap::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                panic!("operationId {id:?} is used by {other} and {method} {path}");
            }
        }
    }
}

/// Swagger UI's "Try it out" and generated clients send a credential only where an operation
/// declares one: every operation states its security, and only the public ones state none.
#[test]
fn every_operation_states_its_security() {
    use profiles_api::policy::{Action, ROUTES};
    let spec: serde_json::Value = serde_json::from_str(&profiles_api::startup::openapi().to_json().unwrap()).unwrap();
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    let mut checked = 0;
    for (method, path, _, action) in ROUTES {
        let op = &spec["paths"][path][method.to_lowercase()];
        let security = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} states no security"));
        checked += 1;
        // The OpenID Provider's endpoints are public to the policy (no person's credential), and
        // state the client or token credential they check themselves.
        let oauth_credential = path.starts_with("/oauth/") && !security.is_empty();
        if *action == Action::Public && !oauth_credential {
            assert!(security.is_empty(), "{method} {path} is public but states {security:?}");
            continue;
        }
        let named: Vec<&String> = security.iter().flat_map(|r| r.as_object().unwrap().keys()).collect();
        assert!(!named.is_empty(), "{method} {path} needs a credential but states none");
        for name in named {
            assert!(
                schemes.contains_key(name),
                "{method} {path} names unknown scheme {name}"
            );
        }
    }
    assert_eq!(checked, ROUTES.len());
    // Scopes name what opens the operation.
    let claims = &spec["paths"]["/api/v1/claims"]["get"]["security"];
    assert!(
        claims
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"api_token": ["claims:read"]})),
        "{claims}"
    );
    let delete_me = &spec["paths"]["/api/v1/accounts/me"]["delete"]["security"];
    assert_eq!(delete_me, &serde_json::json!([{"session": []}]));
}

/// What a fuzzer or a generated client needs to send valid requests: page parameters are
/// bounded, and ORCID iDs and DOIs, in paths, queries and bodies, have their shape stated.
#[test]
fn identifiers_and_pages_state_their_constraints() {
    let spec: serde_json::Value = serde_json::from_str(&profiles_api::startup::openapi().to_json().unwrap()).unwrap();
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap();
                let schema = &param["schema"];
                if name.starts_with("page[")
                    && name != "page[cursor]"
                    && (schema["minimum"].is_null() || schema["maximum"].is_null())
                {
                    missing.push(format!("{method} {path} {name}: minimum and maximum"));
                }
                if matches!(name, "orcid" | "user-id" | "doi" | "dois") && schema["pattern"].is_null() {
                    missing.push(format!("{method} {path} {name}: pattern"));
                }
            }
        }
    }
    for (name, field) in [
        ("NewClaim", "doi"),
        ("NewClaim", "orcid"),
        ("LegacyClaim", "doi"),
        ("LegacyClaim", "orcid"),
    ] {
        if spec["components"]["schemas"][name]["properties"][field]["pattern"].is_null() {
            missing.push(format!("{name}.{field}: pattern"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
