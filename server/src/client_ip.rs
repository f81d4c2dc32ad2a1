//! The address a request came from, behind `ANXIN_TRUST_PROXY=N` trusted proxies.
//!
//! Each proxy appends the address it saw to `X-Forwarded-For`; whatever is left of that
//! came from the client, who can write anything there. So with N trusted proxies in front
//! of us the client's address is the N-th entry from the right: the one our outermost
//! proxy wrote.

use std::net::IpAddr;

/// `ANXIN_TRUST_PROXY`: how many proxies stand in front of us (0 or unset: none, use the
/// peer address).
pub fn trusted_hops(setting: Option<&str>) -> Result<usize, String> {
    match setting.map(str::trim) {
        None | Some("") => Ok(0),
        Some(v) => v
            .parse()
            .map_err(|_| format!("ANXIN_TRUST_PROXY must be a number of proxies, not {v:?}")),
    }
}

/// The address our `hops`-th proxy saw, from the joined `X-Forwarded-For` values; `None`
/// when there are fewer entries than proxies (the request did not come through them all),
/// or the entry is not an address.
pub fn forwarded_client(x_forwarded_for: &str, hops: usize) -> Option<IpAddr> {
    if hops == 0 {
        return None;
    }
    let entry = x_forwarded_for.rsplit(',').nth(hops - 1)?;
    entry.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn one_proxy_takes_the_entry_it_wrote_not_the_clients() {
        assert_eq!(
            forwarded_client("6.6.6.6, 203.0.113.7", 1),
            ip("203.0.113.7")
        );
        assert_eq!(forwarded_client("203.0.113.7", 1), ip("203.0.113.7"));
    }

    #[test]
    fn n_proxies_take_the_nth_from_the_right() {
        let xff = "6.6.6.6,203.0.113.7, 10.0.0.2";
        assert_eq!(forwarded_client(xff, 2), ip("203.0.113.7"));
        assert_eq!(forwarded_client(xff, 3), ip("6.6.6.6"));
        assert_eq!(
            forwarded_client("2001:db8::1, 10.0.0.2", 2),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn too_few_entries_or_garbage_fall_back_to_the_peer() {
        assert_eq!(forwarded_client("10.0.0.2", 2), None);
        assert_eq!(forwarded_client("", 1), None);
        assert_eq!(forwarded_client("1.2.3.4, not-an-ip", 1), None);
        assert_eq!(forwarded_client("1.2.3.4, ", 1), None);
        assert_eq!(forwarded_client("1.2.3.4", 0), None);
    }

    #[test]
    fn the_setting_counts_proxies() {
        assert_eq!(trusted_hops(None), Ok(0));
        assert_eq!(trusted_hops(Some("")), Ok(0));
        assert_eq!(trusted_hops(Some("0")), Ok(0));
        assert_eq!(trusted_hops(Some("1")), Ok(1));
        assert_eq!(trusted_hops(Some(" 3 ")), Ok(3));
        assert!(trusted_hops(Some("yes")).is_err());
        assert!(trusted_hops(Some("-1")).is_err());
    }
}
