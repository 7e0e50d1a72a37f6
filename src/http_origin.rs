//! Where a request came from, for the audit log: shared by the HTML screens, the JSON API
//! and the access audit, so it lives below both transports.

use crate::config::Settings;
use crate::service::Origin;
use crate::telemetry::RequestId;
use actix_web::http::header::HeaderMap;
use actix_web::{web, HttpMessage, HttpRequest};
use std::net::IpAddr;

/// The request's origin for the audit log.
pub fn origin_of(req: &HttpRequest) -> Origin {
    let trusted = req.app_data::<web::Data<Settings>>().and_then(|s| s.trusted_proxy);
    Origin {
        request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
        client_addr: client_addr(req.peer_addr().map(|a| a.ip()), trusted, req.headers()).map(|a| a.to_string()),
    }
}

/// The client's address: the peer's, or, when the peer is the trusted proxy, the last
/// address that proxy added to `X-Forwarded-For` (earlier entries are the client's own
/// claims). Anything that is not an address is ignored.
pub fn client_addr(peer: Option<IpAddr>, trusted: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
    if peer.is_none() || peer != trusted {
        return peer;
    }
    let forwarded = headers.get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).last();
    let last = forwarded.and_then(|list| list.rsplit(',').next()).map(str::trim);
    last.and_then(|a| a.parse().ok()).or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn forwarded(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HeaderName::from_static("x-forwarded-for"), HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn x_forwarded_for_counts_only_when_the_peer_is_the_trusted_proxy() {
        let (proxy, other): (IpAddr, IpAddr) = ("10.0.0.2".parse().unwrap(), "192.0.2.9".parse().unwrap());
        let headers = forwarded("203.0.113.50, 198.51.100.7");
        assert_eq!(client_addr(Some(proxy), Some(proxy), &headers), "198.51.100.7".parse().ok());
        assert_eq!(
            client_addr(Some(other), Some(proxy), &headers),
            Some(other),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(client_addr(Some(proxy), None, &headers), Some(proxy), "no proxy configured");
        assert_eq!(client_addr(Some(proxy), Some(proxy), &forwarded("not an address")), Some(proxy));
    }
}
