//! The provider's own small pages: consent, logout confirmation and errors a person must see
//! (never sent to an unregistered redirect URI). Plain HTML, no scripts, no external resources.

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}\
h1{font-size:1.5rem}ul{padding-left:1.2rem}.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.5rem}\
button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:1px solid #1d4f91;cursor:pointer}\
button.primary{background:#1d4f91;color:#fff}button.secondary{background:#fff;color:#1d4f91}small{color:#555}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{} · Profiles</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    )
}

/// An error the person sees (the client is unknown, or its redirect URI is not registered).
pub fn error(message: &str, code: &str) -> String {
    page(
        "Sign-in problem",
        &format!(
            "<h1>Sign-in problem</h1><p>{}</p><p><small>Error code: <code>{}</code></small></p><p><a href=\"/settings\">Your Profiles settings</a></p>",
            escape(message),
            escape(code)
        ),
    )
}

/// The consent page: what `client` will get, and a form back to the authorization endpoint
/// with the same request and the answer.
pub fn consent(client: &str, who: &str, scopes: &[String], hidden: &[(&str, String)]) -> String {
    let items: String = scopes
        .iter()
        .filter_map(|s| super::SCOPES.iter().find(|(k, _)| k == s))
        .map(|(_, what)| format!("<li>{}</li>", escape(what)))
        .collect();
    let fields: String = hidden
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(k), escape(v)))
        .collect();
    page(
        &format!("Sign in to {client}"),
        &format!(
            "<h1>Sign in to {c} with Profiles</h1><p>You are signed in to Profiles as <strong>{w}</strong>. \
<strong>{c}</strong> is asking to:</p><ul>{items}</ul>\
<p><small>{c} is not run by Profiles. You can take this back at any time under Settings → Apps with access.</small></p>\
<form method=\"post\" action=\"/oauth/authorize\">{fields}<div class=\"actions\">\
<button class=\"primary\" type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
<button class=\"secondary\" type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button></div></form>",
            c = escape(client),
            w = escape(who),
        ),
    )
}

/// Asks before signing out on a client's behalf without a proof that it is this session's.
pub fn logout_confirm(client: Option<&str>, hidden: &[(&str, String)]) -> String {
    let fields: String = hidden
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(k), escape(v)))
        .collect();
    let from = client
        .map(|c| format!(" {} asks to sign you out.", escape(c)))
        .unwrap_or_default();
    page(
        "Sign out",
        &format!(
            "<h1>Sign out of Profiles?</h1><p>{from} Signing out ends your Profiles session here and in every application you signed in to with it.</p>\
<form method=\"post\" action=\"/oauth/logout\">{fields}<div class=\"actions\">\
<button class=\"primary\" type=\"submit\">Sign out</button></div></form><p><a href=\"/settings\">Stay signed in</a></p>"
        ),
    )
}

/// After signing out with nowhere registered to go back to.
pub fn signed_out() -> String {
    page(
        "Signed out",
        "<h1>You are signed out</h1><p>Your Profiles session has ended.</p><p><a href=\"/sign-in\">Sign in again</a></p>",
    )
}
