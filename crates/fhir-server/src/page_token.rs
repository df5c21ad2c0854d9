//! Page tokens: the store's cursor bound to the search it belongs to, so a `next` link cannot
//! be replayed against a different query (it would page through rows that query never chose).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha1::{Digest, Sha1};

/// The token for `cursor` within the search whose canonical query is `query`.
pub fn seal(query: &str, cursor: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}.{cursor}", fingerprint(query)))
}

/// The cursor inside `token`, if it was made for `query`.
pub fn open(query: &str, token: &str) -> Option<String> {
    let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    let (print, cursor) = decoded.split_once('.')?;
    (print == fingerprint(query)).then(|| cursor.to_owned())
}

fn fingerprint(query: &str) -> String {
    let digest = Sha1::digest(query.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_open_only_for_their_query() {
        let token = seal("gender=male&_count=20", "[[\"1980-01-01\"],42]");
        assert_eq!(open("gender=male&_count=20", &token).as_deref(), Some("[[\"1980-01-01\"],42]"));
        assert_eq!(open("gender=female&_count=20", &token), None);
        assert_eq!(open("gender=male&_count=20", "42"), None);
    }
}
