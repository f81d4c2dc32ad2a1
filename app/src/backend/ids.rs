//! Random identifiers. Anything that may reach a URL carries at least 128 random bits.

use rand::distributions::{Alphanumeric, DistString};
use rand::RngCore;

/// A 22-character base-62 id (~131 bits).
pub fn new_id() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 22)
}

/// A base-62 code of `len` characters, for short links.
pub fn short_code(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), len)
}

/// 256 random bits, hex: a session token.
pub fn token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Six random digits.
pub fn sms_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}
