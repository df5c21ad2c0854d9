//! The Thai citizen ID: 13 digits, the last a checksum of the first twelve.

/// Whether `id` is 13 digits whose last digit is the checksum
/// `(11 - (sum of digit[i] * (13 - i) for i in 0..12) mod 11) mod 10`.
pub fn is_valid(id: &str) -> bool {
    let digits: Vec<u32> = id.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 13 || id.len() != 13 {
        return false;
    }
    digits[12] == check_digit(&digits[..12])
}

/// The check digit for the first twelve digits of a citizen ID.
pub fn check_digit(first_twelve: &[u32]) -> u32 {
    let sum: u32 = first_twelve.iter().zip((2..=13).rev()).map(|(digit, weight)| digit * weight).sum();
    (11 - sum % 11) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_ids_pass() {
        // Weights 13..2 over 110370012345 sum to 168; (11 - 168 % 11) % 10 = 8.
        assert!(is_valid("1103700123458"));
        // 1*13 + 1*12 = 25; (11 - 25 % 11) % 10 = 8.
        assert_eq!(check_digit(&[1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 8);
    }

    #[test]
    fn wrong_check_digit_length_or_characters_fail() {
        assert!(!is_valid("1103700123457"));
        assert!(!is_valid("110370012345"));
        assert!(!is_valid("11037001234577"));
        assert!(!is_valid("110370012345a"));
        assert!(!is_valid("1-103700123457"));
    }
}
