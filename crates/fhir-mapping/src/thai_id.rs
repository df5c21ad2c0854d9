//! The Thai citizen ID: 13 digits, the last a checksum of the first twelve.

/// Whether `id` is 13 ASCII digits whose last digit is the checksum of the first twelve.
pub fn is_valid(id: &str) -> bool {
    id.len() == 13
        && id.bytes().all(|b| b.is_ascii_digit())
        && check_digit(&id[..12]) == Some(u32::from(id.as_bytes()[12] - b'0'))
}

/// `(11 - (sum of digit[i] * (13 - i) for i in 0..12) mod 11) mod 10`; `None` unless
/// `first_twelve` is twelve ASCII digits.
pub fn check_digit(first_twelve: &str) -> Option<u32> {
    if first_twelve.len() != 12 || !first_twelve.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first_twelve
        .bytes()
        .zip((2..=13).rev())
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    Some((11 - sum % 11) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_ids_pass() {
        // Weights 13..2 over 110370012345 sum to 168; (11 - 168 % 11) % 10 = 8.
        assert!(is_valid("1103700123458"));
        // 1*13 + 1*12 = 25; (11 - 25 % 11) % 10 = 8.
        assert_eq!(check_digit("110000000000"), Some(8));
    }

    #[test]
    fn wrong_check_digit_length_or_characters_fail() {
        assert!(!is_valid("1103700123457"));
        assert!(!is_valid("110370012345"));
        assert!(!is_valid("11037001234577"));
        assert!(!is_valid("110370012345a"));
        assert!(!is_valid("1-103700123457"));
        assert_eq!(check_digit("11037001234a"), None);
    }
}
