//! Group <- a patient panel computed from the clinic's records: the patients a doctor has seen
//! or booked, or those seen or booked at a branch. Read-only (membership changes as visits and
//! appointments are recorded); used to export a panel with `Group/[id]/$export`.
//!
//! | FHIR Group (id `doctor-{id}`, `branch-{id}`) | clinic data                                   |
//! |----------------------------------------------|-----------------------------------------------|
//! | active                                       | the doctor's or branch's `active`             |
//! | type, actual                                 | `person`, `true`                              |
//! | name                                         | "Patients of " the doctor's or branch's name  |
//! | quantity, member.entity                      | the patients with a visit or appointment with the doctor (at the branch) |
//! | managingEntity                               | Practitioner/doctor_id, Organization/branch_id |
//! | meta.versionId / lastUpdated                 | sum of the versions / latest updated_at of the doctor (branch) row and its visits and appointments |

use chrono::NaiveDateTime;
use clinic_db::{BranchRow, DoctorRow};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value, json};

use crate::{MappingContext, meta, reference};

/// Whose panel a Group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupKey {
    Doctor(i64),
    Branch(i64),
}

impl GroupKey {
    pub fn id(self) -> String {
        match self {
            GroupKey::Doctor(key) => format!("doctor-{key}"),
            GroupKey::Branch(key) => format!("branch-{key}"),
        }
    }

    /// The key a Group id names (only the form `id` writes).
    pub fn parse(id: &str) -> Option<GroupKey> {
        let (kind, key) = id.split_once('-')?;
        let key = match (kind, key.parse().ok()?) {
            ("doctor", key) => GroupKey::Doctor(key),
            ("branch", key) => GroupKey::Branch(key),
            _ => return None,
        };
        (key.id() == id).then_some(key)
    }
}

/// The doctor or branch row a panel belongs to.
pub enum PanelOwner {
    Doctor(DoctorRow),
    Branch(BranchRow),
}

impl PanelOwner {
    fn updated_at(&self) -> NaiveDateTime {
        match self {
            PanelOwner::Doctor(doctor) => doctor.updated_at,
            PanelOwner::Branch(branch) => branch.updated_at,
        }
    }
}

/// The visits and appointments that make a panel: their patients (row keys, ascending; empty
/// when not asked for), and the sum of their versions and their latest update.
#[derive(Debug, Default)]
pub struct Membership {
    pub patients: Vec<i64>,
    pub version: i64,
    pub updated_at: Option<NaiveDateTime>,
}

impl Membership {
    /// When the panel last changed: its doctor's (branch's) row or one of its records.
    pub fn last_updated(&self, owner: &PanelOwner) -> NaiveDateTime {
        self.updated_at.map_or(owner.updated_at(), |members| members.max(owner.updated_at()))
    }
}

pub fn group_to_fhir(owner: &PanelOwner, membership: &Membership, ctx: &MappingContext) -> Value {
    let group = group_without_members(owner, membership, ctx);
    serde_json::to_value(WithMembers { group: &group, patients: &membership.patients })
        .expect("a JSON tree serializes")
}

/// The Group of a panel but its `member` list ([`WithMembers`] adds it).
pub fn group_without_members(owner: &PanelOwner, membership: &Membership, ctx: &MappingContext) -> Value {
    let (key, active, name, owner_version, manager) = match owner {
        PanelOwner::Doctor(doctor) => (
            GroupKey::Doctor(doctor.id),
            doctor.active,
            format!(
                "{}{} {}",
                doctor.title_th.as_deref().unwrap_or_default(),
                doctor.first_name_th,
                doctor.last_name_th
            ),
            doctor.version,
            reference("Practitioner", doctor.id),
        ),
        PanelOwner::Branch(branch) => (
            GroupKey::Branch(branch.id),
            branch.active,
            branch.name_th.clone(),
            branch.version,
            reference("Organization", branch.id),
        ),
    };
    let version = i64::from(owner_version) + membership.version;
    let mut group = Map::new();
    group.insert("resourceType".into(), json!("Group"));
    group.insert("id".into(), json!(key.id()));
    let version = i32::try_from(version).unwrap_or(i32::MAX);
    group.insert("meta".into(), meta(version, membership.last_updated(owner), ctx));
    group.insert("active".into(), json!(active));
    group.insert("type".into(), json!("person"));
    group.insert("actual".into(), json!(true));
    group.insert("name".into(), json!(format!("Patients of {name}")));
    group.insert("quantity".into(), json!(membership.patients.len()));
    group.insert("managingEntity".into(), manager);
    Value::Object(group)
}

/// A Group (from [`group_without_members`]) with its members, serialized one member at a
/// time: a branch panel lists hundreds of thousands of patients, which as a JSON tree would
/// take a kilobyte each.
pub struct WithMembers<'a> {
    pub group: &'a Value,
    pub patients: &'a [i64],
}

impl Serialize for WithMembers<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Members<'a>(&'a [i64]);
        impl Serialize for Members<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut members = serializer.serialize_seq(Some(self.0.len()))?;
                for patient in self.0 {
                    members.serialize_element(&json!({"entity": reference("Patient", *patient)}))?;
                }
                members.end()
            }
        }
        let mut group = serializer.serialize_map(None)?;
        for (name, value) in self.group.as_object().into_iter().flatten() {
            group.serialize_entry(name, value)?;
        }
        if !self.patients.is_empty() {
            group.serialize_entry("member", &Members(self.patients))?;
        }
        group.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_their_panel_and_nothing_else() {
        for key in [GroupKey::Doctor(3), GroupKey::Branch(12)] {
            assert_eq!(GroupKey::parse(&key.id()), Some(key));
        }
        for other in ["doctor-", "doctor-x", "nurse-3", "doctor-03", "3", "branch-1-2"] {
            assert_eq!(GroupKey::parse(other), None, "{other}");
        }
    }
}
