//! Synthetic Thai citizen IDs: 13 digits, the last a checksum of the first twelve.

use fhir_mapping::thai_id::check_digit;

const BODY_SPACE: u128 = 100_000_000_000; // the eleven digits after the first
/// Ends in 7, so it shares no factor with 10^11 and multiplying by it permutes the body space:
/// distinct patient ids get distinct IDs while neighbouring ids get unrelated-looking ones.
const SCRAMBLE_FACTOR: u128 = 48_271_135_667;
const SCRAMBLE_OFFSET: u128 = 31_415_926_535;

/// The citizen ID of the patient with this row id. `first_digit` (1-8) is the person category:
/// 1 for Thais born since 1984, 3 for those registered before.
pub(crate) fn citizen_id(patient_id: i64, first_digit: u8) -> String {
    debug_assert!((1..=8).contains(&first_digit));
    let row = u128::try_from(patient_id).expect("row ids are positive") % BODY_SPACE;
    let body = (row * SCRAMBLE_FACTOR + SCRAMBLE_OFFSET) % BODY_SPACE;
    let first_twelve = format!("{first_digit}{body:011}");
    let check = check_digit(&first_twelve).expect("twelve digits");
    format!("{first_twelve}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_valid_and_distinct() {
        let ids: HashSet<String> = (1..=20_000).map(|id| citizen_id(id, 1 + (id % 8) as u8)).collect();
        assert_eq!(ids.len(), 20_000);
        for id in &ids {
            assert!(fhir_mapping::thai_id::is_valid(id), "{id}");
        }
    }
}
