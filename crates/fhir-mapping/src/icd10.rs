//! ICD-10 codes between the clinic's form (no dot: `E119`, as Thai systems keep them) and the
//! form of the `http://hl7.org/fhir/sid/icd-10` code system (`E11.9`).

/// `E119` -> `E11.9`. Codes of three characters or fewer, and codes that already have a dot,
/// are returned as they are.
pub fn icd10_with_dot(code: &str) -> String {
    match code.char_indices().nth(3) {
        Some((fourth, _)) if !code.contains('.') => format!("{}.{}", &code[..fourth], &code[fourth..]),
        _ => code.to_owned(),
    }
}

/// `E11.9` -> `E119`: the code as the clinic stores it.
pub fn icd10_without_dot(code: &str) -> String {
    code.replace('.', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dot_goes_after_the_category() {
        assert_eq!(icd10_with_dot("E119"), "E11.9");
        assert_eq!(icd10_with_dot("S52501"), "S52.501");
        assert_eq!(icd10_with_dot("J00"), "J00");
        assert_eq!(icd10_with_dot("E11.9"), "E11.9");
        // Never panics on a character boundary, whatever the input.
        assert_eq!(icd10_with_dot("ก๑๒๓"), "ก๑๒.๓");
    }

    #[test]
    fn the_dot_comes_out_again() {
        assert_eq!(icd10_without_dot("E11.9"), "E119");
        assert_eq!(icd10_without_dot("J00"), "J00");
        assert_eq!(icd10_without_dot(&icd10_with_dot("S52501")), "S52501");
    }
}
