//! The security headers every response carries (pages, assets and the JSON API alike):
//! the Content Security Policy the screens are written for, and the rest of the set.

use actix_web::middleware::DefaultHeaders;

/// Content Security Policy: no inline script or style, nothing from elsewhere, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// `Strict-Transport-Security` for a year, sent whenever cookies are marked Secure (the app
/// is served over HTTPS).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The headers every response carries; `https` adds HSTS.
pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cache-Control", "no-store"));
    if https {
        headers.add(("Strict-Transport-Security", HSTS))
    } else {
        headers
    }
}
