//! The text string search compares: accents and case folded away, so that `jose` finds `José`
//! and `muller` finds `Müller`.
//!
//! Folding is canonical decomposition (NFD), then dropping the combining diacritical marks
//! (U+0300 to U+036F, the accents of Latin, Greek and Cyrillic letters, Vietnamese's included),
//! then lower case. PostgreSQL computes the same in SQL (`search_fold` of the migration
//! `accent_insensitive_search`, indexed); on SQLite this function is registered on every
//! connection. Letters that are not a base letter plus a mark stay as they are (`ß`, `ø`, `đ`).
//!
//! Thai is left as written: its tone marks (U+0E48 to U+0E4B) and vowel signs are not accents but
//! part of the spelling (ข้าว rice, ข่าว news and ขาว white are three words), they are outside
//! that range and Thai letters have no canonical decomposition, so a Thai search stays a prefix
//! search over exactly the Thai text.

use unicode_normalization::UnicodeNormalization;

const COMBINING_DIACRITICAL_MARKS: std::ops::RangeInclusive<char> = '\u{0300}'..='\u{036F}';

/// `text` as string search compares it (see the module documentation).
pub fn search_fold(text: &str) -> String {
    text.nfd().filter(|c| !COMBINING_DIACRITICAL_MARKS.contains(c)).collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::search_fold;

    #[test]
    fn folds_latin_accents_and_case_and_keeps_thai_as_written() {
        assert_eq!(search_fold("José"), "jose");
        assert_eq!(search_fold("MÜLLER"), "muller");
        assert_eq!(search_fold("Nguyễn Thị Ánh"), "nguyen thi anh");
        // Precomposed and decomposed spellings fold alike.
        assert_eq!(search_fold("Jose\u{301}"), search_fold("Jos\u{e9}"));
        assert_eq!(search_fold("Straße Øre Đức"), "straße øre đuc");
        for thai in ["ข้าว", "ข่าว", "ขาว", "สมชาย ใจดี", "น้ำ"]
        {
            assert_eq!(search_fold(thai), thai);
        }
    }
}
