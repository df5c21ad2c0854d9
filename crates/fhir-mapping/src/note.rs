//! DocumentReference <-> `clinical_notes` (SOAP notes).
//!
//! | FHIR                                                   | clinic column                      |
//! |--------------------------------------------------------|------------------------------------|
//! | status (retracted -> entered-in-error, else current)   | status                             |
//! | docStatus (draft preliminary, signed final, amended)   | status                             |
//! | type (LOINC 11506-3 / 34108-1)                         | note_type (progress / outpatient)  |
//! | subject                                                | the visit's patient (not stored)   |
//! | date                                                   | written_at                         |
//! | author[0]                                              | author_doctor_id                   |
//! | content[0].attachment: text/plain UTF-8 data, size,    | subjective, objective, assessment, |
//! |   SHA-1 hash, title "SOAP note"                        |   plan (see below)                 |
//! | context.encounter[0]                                   | visit_id                           |
//!
//! The note text has one section per SOAP part the note has, in S, O, A, P order: a line
//! beginning `S: ` (`O: `, `A: `, `P: `), the part's further lines following it. A written note
//! must be in exactly that form, so it parses back into the same four parts. A current note
//! without docStatus is taken as signed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use clinic_db::{ClinicalNoteFields, ClinicalNoteRow};
use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};

use crate::elements::{
    array, clinic_code, coding_code, date_time, missing, optional_reference, required_reference,
};
use crate::{MappingContext, meta, reference, round_trip::unstored_elements, systems};

/// The clinic status of a note FHIR deletes.
pub const NOTE_RETRACTED: &str = "retracted";

/// Clinic statuses and the DocumentReference.status each reads as; the first of a kind is what a
/// write stores before docStatus refines it.
pub const DOCUMENT_REFERENCE_STATUSES: [(&str, &str); 4] = [
    ("signed", "current"),
    ("draft", "current"),
    ("amended", "current"),
    (NOTE_RETRACTED, "entered-in-error"),
];
/// http://hl7.org/fhir/ValueSet/document-reference-status (required binding).
const STATUS_VALUE_SET: [&str; 3] = ["current", "superseded", "entered-in-error"];
/// Clinic statuses of current notes and the DocumentReference.docStatus each reads as.
const DOC_STATUSES: [(&str, &str); 3] =
    [("draft", "preliminary"), ("signed", "final"), ("amended", "amended")];
/// http://hl7.org/fhir/ValueSet/composition-status (required binding).
const DOC_STATUS_VALUE_SET: [&str; 4] = ["preliminary", "final", "amended", "entered-in-error"];
/// Clinic note types and their LOINC document type and display.
pub const NOTE_TYPES: [(&str, &str, &str); 2] =
    [("progress", "11506-3", "Progress note"), ("outpatient", "34108-1", "Outpatient Note")];
const CONTENT_TYPE: &str = "text/plain; charset=utf-8";
const TITLE: &str = "SOAP note";
const SOAP_LABELS: [&str; 4] = ["S: ", "O: ", "A: ", "P: "];

pub fn document_reference_to_fhir(row: &ClinicalNoteRow, patient_id: i64, ctx: &MappingContext) -> Value {
    let n = &row.fields;
    let mut document = Map::new();
    document.insert("resourceType".into(), json!("DocumentReference"));
    document.insert("id".into(), json!(row.id.to_string()));
    document.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    let status = DOCUMENT_REFERENCE_STATUSES
        .iter()
        .find(|(clinic, _)| *clinic == n.status)
        .map_or("current", |(_, fhir)| fhir);
    document.insert("status".into(), json!(status));
    let doc_status = match DOC_STATUSES.iter().find(|(clinic, _)| *clinic == n.status) {
        Some((_, fhir)) => fhir,
        None => "entered-in-error",
    };
    document.insert("docStatus".into(), json!(doc_status));
    if let Some((_, code, display)) = NOTE_TYPES.iter().find(|(clinic, _, _)| *clinic == n.note_type) {
        document.insert(
            "type".into(),
            json!({"coding": [{"system": systems::LOINC, "code": code, "display": display}]}),
        );
    }
    document.insert("subject".into(), reference("Patient", patient_id));
    document.insert("date".into(), json!(ctx.instant(n.written_at)));
    document.insert("author".into(), json!([reference("Practitioner", n.author_doctor_id)]));
    let text = soap_text(n);
    let mut attachment = Map::new();
    attachment.insert("contentType".into(), json!(CONTENT_TYPE));
    if !text.is_empty() {
        attachment.insert("data".into(), json!(BASE64.encode(&text)));
    }
    attachment.insert("size".into(), json!(text.len()));
    attachment.insert("hash".into(), json!(sha1_base64(text.as_bytes())));
    attachment.insert("title".into(), json!(TITLE));
    document.insert("content".into(), json!([{ "attachment": attachment }]));
    document.insert("context".into(), json!({"encounter": [reference("Encounter", n.visit_id)]}));
    Value::Object(document)
}

fn soap_parts(n: &ClinicalNoteFields) -> [&Option<String>; 4] {
    [&n.subjective, &n.objective, &n.assessment, &n.plan]
}

fn soap_text(n: &ClinicalNoteFields) -> String {
    SOAP_LABELS
        .iter()
        .zip(soap_parts(n))
        .filter_map(|(label, part)| part.as_ref().map(|text| format!("{label}{text}")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The four parts of a SOAP text; `None` when text comes before the first label.
fn parse_soap(text: &str) -> Option<[Option<String>; 4]> {
    let mut parts: [Option<String>; 4] = Default::default();
    let mut current = None;
    for line in text.split('\n').filter(|_| !text.is_empty()) {
        if let Some((index, rest)) = SOAP_LABELS
            .iter()
            .enumerate()
            .find_map(|(i, label)| line.strip_prefix(label).map(|rest| (i, rest)))
        {
            parts[index] = Some(rest.to_owned());
            current = Some(index);
        } else {
            let part = parts[current?].as_mut()?;
            part.push('\n');
            part.push_str(line);
        }
    }
    Some(parts)
}

fn sha1_base64(bytes: &[u8]) -> String {
    BASE64.encode(Sha1::digest(bytes))
}

/// The clinical_notes columns of a DocumentReference a client sent, or every problem that stops
/// it being stored exactly as sent.
pub fn document_reference_from_fhir(
    resource: &Value,
    ctx: &MappingContext,
) -> Result<ClinicalNoteFields, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut n = ClinicalNoteFields::default();
    let status = clinic_code(
        &resource["status"],
        &DOCUMENT_REFERENCE_STATUSES,
        &STATUS_VALUE_SET,
        "DocumentReference.status",
        &mut issues,
    );
    n.status = match (status, resource["docStatus"].is_null()) {
        (Some("signed"), false) => clinic_code(
            &resource["docStatus"],
            &DOC_STATUSES,
            &DOC_STATUS_VALUE_SET,
            "DocumentReference.docStatus",
            &mut issues,
        )
        .unwrap_or_default(),
        (status, _) => status.unwrap_or_default(),
    }
    .into();
    let loinc = coding_code(&resource["type"], systems::LOINC);
    match NOTE_TYPES.iter().find(|(_, code, _)| Some(*code) == loinc) {
        Some((clinic, _, _)) => n.note_type = (*clinic).into(),
        None if resource["type"].is_null() => issues.push(missing(
            "DocumentReference.type",
            "LOINC 11506-3 (progress note) or 34108-1 (outpatient note)",
        )),
        None => issues.push(
            Issue::error(
                IssueType::NotSupported,
                "the note type is LOINC 11506-3 (progress) or 34108-1 (outpatient)",
            )
            .at("DocumentReference.type"),
        ),
    }
    let patient_id =
        optional_reference(&resource["subject"], "Patient", "DocumentReference.subject", &mut issues)
            .unwrap_or_default();
    match date_time(&resource["date"], "DocumentReference.date", ctx, &mut issues) {
        Some(written) => n.written_at = written,
        None if resource["date"].is_null() => {
            issues.push(missing("DocumentReference.date", "when the note was written"))
        }
        None => {}
    }
    let authors = array(resource, "author");
    if authors.len() > 1 {
        issues.push(
            Issue::error(IssueType::NotSupported, "a note has one author").at("DocumentReference.author[1]"),
        );
    }
    n.author_doctor_id = required_reference(
        authors.first().unwrap_or(&Value::Null),
        "Practitioner",
        "DocumentReference.author",
        &mut issues,
    )
    .unwrap_or_default();
    let contents = array(resource, "content");
    if contents.len() > 1 {
        issues.push(
            Issue::error(IssueType::NotSupported, "a note has one text").at("DocumentReference.content[1]"),
        );
    }
    match contents.first() {
        Some(content) => read_attachment(&content["attachment"], &mut n, &mut issues),
        None => issues.push(missing("DocumentReference.content", "the note text as a text/plain attachment")),
    }
    let encounters = array(&resource["context"], "encounter");
    if encounters.len() > 1 {
        issues.push(
            Issue::error(IssueType::NotSupported, "a note belongs to one visit")
                .at("DocumentReference.context.encounter[1]"),
        );
    }
    n.visit_id = required_reference(
        encounters.first().unwrap_or(&Value::Null),
        "Encounter",
        "DocumentReference.context.encounter",
        &mut issues,
    )
    .unwrap_or_default();

    if issues.is_empty() {
        let stored = ClinicalNoteRow { id: 0, fields: n.clone(), updated_at: Default::default(), version: 1 };
        issues = unstored_elements(
            resource,
            &document_reference_to_fhir(&stored, patient_id, ctx),
            "DocumentReference",
        );
    }
    if issues.is_empty() { Ok(n) } else { Err(issues) }
}

fn read_attachment(attachment: &Value, n: &mut ClinicalNoteFields, issues: &mut Vec<Issue>) {
    const PATH: &str = "DocumentReference.content[0].attachment";
    let bytes = match attachment["data"].as_str().map(|data| BASE64.decode(data)) {
        None => Vec::new(),
        Some(Ok(bytes)) => bytes,
        Some(Err(_)) => {
            issues
                .push(Issue::error(IssueType::Value, "data is not valid base64").at(format!("{PATH}.data")));
            return;
        }
    };
    if attachment["size"].as_u64().is_some_and(|size| size != bytes.len() as u64) {
        issues.push(
            Issue::error(IssueType::Value, format!("size must be the byte length of data ({})", bytes.len()))
                .at(format!("{PATH}.size")),
        );
    }
    if attachment["hash"].as_str().is_some_and(|hash| hash != sha1_base64(&bytes)) {
        issues.push(
            Issue::error(IssueType::Value, "hash must be the base64 SHA-1 of data")
                .at(format!("{PATH}.hash")),
        );
    }
    let Ok(text) = String::from_utf8(bytes) else {
        issues.push(Issue::error(IssueType::Value, "the note text must be UTF-8").at(format!("{PATH}.data")));
        return;
    };
    let parsed = parse_soap(&text).map(|[subjective, objective, assessment, plan]| ClinicalNoteFields {
        subjective,
        objective,
        assessment,
        plan,
        ..ClinicalNoteFields::default()
    });
    match parsed {
        // Only a text that the parts write back unchanged is kept exactly.
        Some(parts) if soap_text(&parts) == text => {
            n.subjective = parts.subjective;
            n.objective = parts.objective;
            n.assessment = parts.assessment;
            n.plan = parts.plan;
        }
        _ => issues.push(
            Issue::error(
                IssueType::Value,
                "the note text must be SOAP sections in S, O, A, P order, each starting a line with 'S: ', 'O: ', 'A: ' or 'P: '",
            )
            .at(format!("{PATH}.data")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;
    use chrono::NaiveDateTime;

    fn row() -> ClinicalNoteRow {
        ClinicalNoteRow {
            id: 8,
            fields: ClinicalNoteFields {
                visit_id: 900,
                author_doctor_id: 7,
                note_type: "outpatient".into(),
                subjective: Some("ไข้ 2 วัน\nเจ็บคอ".into()),
                objective: Some("T 38.2 C, pharynx injected".into()),
                assessment: None,
                plan: Some("Amoxicillin 500 mg TID x 7 d".into()),
                status: "amended".into(),
                written_at: NaiveDateTime::parse_from_str("2026-03-02 09:50", "%Y-%m-%d %H:%M").unwrap(),
            },
            updated_at: Default::default(),
            version: 2,
        }
    }

    fn paths(issues: &[Issue]) -> Vec<String> {
        issues.iter().flat_map(|i| i.expression.clone()).collect()
    }

    #[test]
    fn a_note_reads_as_a_document_with_its_soap_text() {
        let document = document_reference_to_fhir(&row(), 42, &ctx());
        assert_eq!(document["status"], "current");
        assert_eq!(document["docStatus"], "amended");
        assert_eq!(document["type"]["coding"][0]["code"], "34108-1");
        assert_eq!(document["subject"]["reference"], "Patient/42");
        assert_eq!(document["date"], "2026-03-02T09:50:00+07:00");
        assert_eq!(document["author"][0]["reference"], "Practitioner/7");
        assert_eq!(document["context"]["encounter"][0]["reference"], "Encounter/900");
        let attachment = &document["content"][0]["attachment"];
        let text = "S: ไข้ 2 วัน\nเจ็บคอ\nO: T 38.2 C, pharynx injected\nP: Amoxicillin 500 mg TID x 7 d";
        assert_eq!(BASE64.decode(attachment["data"].as_str().unwrap()).unwrap(), text.as_bytes());
        assert_eq!(attachment["size"], text.len());
        assert_eq!(attachment["contentType"], CONTENT_TYPE);
        // SHA-1 of "abc" is a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d.
        assert_eq!(sha1_base64(b"abc"), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
        let order: Vec<_> = document.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            order,
            [
                "resourceType",
                "id",
                "meta",
                "status",
                "docStatus",
                "type",
                "subject",
                "date",
                "author",
                "content",
                "context"
            ]
        );
    }

    #[test]
    fn every_status_and_an_empty_note_round_trip() {
        for status in ["draft", "signed", "amended", NOTE_RETRACTED] {
            let mut row = row();
            row.fields.status = status.into();
            let fields =
                document_reference_from_fhir(&document_reference_to_fhir(&row, 42, &ctx()), &ctx()).unwrap();
            assert_eq!(fields, row.fields);
        }
        let mut empty = row();
        empty.fields.subjective = None;
        empty.fields.objective = None;
        empty.fields.plan = None;
        let fields =
            document_reference_from_fhir(&document_reference_to_fhir(&empty, 42, &ctx()), &ctx()).unwrap();
        assert_eq!(fields, empty.fields);
    }

    #[test]
    fn text_outside_the_soap_form_and_a_wrong_hash_are_refused() {
        let mut document = document_reference_to_fhir(&row(), 42, &ctx());
        document["content"][0]["attachment"]["data"] = json!(BASE64.encode("O: exam\nS: history"));
        document["content"][0]["attachment"].as_object_mut().unwrap().remove("size");
        let issues = document_reference_from_fhir(&document, &ctx()).unwrap_err();
        assert_eq!(
            paths(&issues),
            ["DocumentReference.content[0].attachment.hash", "DocumentReference.content[0].attachment.data"]
        );
    }

    #[test]
    fn bad_codes_and_what_the_clinic_cannot_keep_are_named() {
        let mut document = document_reference_to_fhir(&row(), 42, &ctx());
        document["docStatus"] = json!("signed");
        document.as_object_mut().unwrap().remove("context");
        let issues = document_reference_from_fhir(&document, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["DocumentReference.docStatus", "DocumentReference.context.encounter"]);
        assert_eq!(issues[0].code, IssueType::CodeInvalid);

        let mut document = document_reference_to_fhir(&row(), 42, &ctx());
        document["securityLabel"] = json!([{"text": "restricted"}]);
        document["content"][0]["attachment"]["language"] = json!("th");
        let issues = document_reference_from_fhir(&document, &ctx()).unwrap_err();
        assert_eq!(
            paths(&issues),
            ["DocumentReference.content[0].attachment.language", "DocumentReference.securityLabel"]
        );
    }
}
