//! What a key may do. Practices grant per resource type the rights *retrieve*, *create*,
//! *update* (and *delete*), as Halaxy's API Key Manager does; they are kept and carried in
//! tokens as SMART v2 system scopes: retrieve = `rs`, create = `c`, update = `u`, delete = `d`
//! (`system/Patient.rs system/Observation.crus`).

use std::collections::BTreeMap;
use std::fmt;

/// The scope that lets a key manage keys (`/admin/keys`).
pub const MANAGE_KEYS_SCOPE: &str = "system/keys.manage";

/// A right as a practice grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    Retrieve,
    Create,
    Update,
    Delete,
}

impl Right {
    pub const ALL: [Right; 4] = [Right::Retrieve, Right::Create, Right::Update, Right::Delete];

    pub fn parse(name: &str) -> Option<Right> {
        Right::ALL.into_iter().find(|right| right.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Right::Retrieve => "retrieve",
            Right::Create => "create",
            Right::Update => "update",
            Right::Delete => "delete",
        }
    }

    fn permissions(self) -> Permissions {
        match self {
            Right::Retrieve => Permissions(Permissions::READ.0 | Permissions::SEARCH.0),
            Right::Create => Permissions::CREATE,
            Right::Update => Permissions::UPDATE,
            Right::Delete => Permissions::DELETE,
        }
    }
}

/// SMART v2 permissions (`c r u d s`), as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Permissions(u8);

impl Permissions {
    pub const CREATE: Permissions = Permissions(1);
    pub const READ: Permissions = Permissions(2);
    pub const UPDATE: Permissions = Permissions(4);
    pub const DELETE: Permissions = Permissions(8);
    pub const SEARCH: Permissions = Permissions(16);
    const LETTERS: [(char, Permissions); 5] = [
        ('c', Permissions::CREATE),
        ('r', Permissions::READ),
        ('u', Permissions::UPDATE),
        ('d', Permissions::DELETE),
        ('s', Permissions::SEARCH),
    ];

    pub fn contains(self, other: Permissions) -> bool {
        self.0 & other.0 == other.0
    }

    fn union(self, other: Permissions) -> Permissions {
        Permissions(self.0 | other.0)
    }

    fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// SMART v2 letters, each at most once and in `cruds` order; SMART v1's `read`, `write` and
    /// `*` are accepted as `rs`, `cud` and `cruds`.
    fn parse(text: &str) -> Option<Permissions> {
        match text {
            "read" => return Some(Permissions::READ.union(Permissions::SEARCH)),
            "write" => return Some(Permissions(1 | 4 | 8)),
            "*" => return Some(Permissions(31)),
            _ => {}
        }
        let mut letters = Permissions::LETTERS.iter();
        let mut parsed = Permissions::default();
        for letter in text.chars() {
            let (_, permission) = letters.by_ref().find(|(l, _)| *l == letter)?;
            parsed = parsed.union(*permission);
        }
        (!parsed.is_empty()).then_some(parsed)
    }
}

impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Permissions::LETTERS.iter().filter(|(_, p)| self.contains(*p)).try_for_each(|(l, _)| write!(f, "{l}"))
    }
}

/// A set of scopes: what a key was granted, or what a token carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes {
    by_type: BTreeMap<String, Permissions>,
    /// `system/*.…`: permissions on every type.
    any_type: Permissions,
    manage_keys: bool,
}

impl Scopes {
    /// Every right on every type, and key management.
    pub fn everything() -> Scopes {
        Scopes { by_type: BTreeMap::new(), any_type: Permissions(31), manage_keys: true }
    }

    /// Space-separated scopes; an unknown or malformed one is an error naming it.
    pub fn parse(text: &str) -> Result<Scopes, String> {
        let mut scopes = Scopes::default();
        for scope in text.split_whitespace() {
            if scope == MANAGE_KEYS_SCOPE {
                scopes.manage_keys = true;
                continue;
            }
            let parsed = scope.strip_prefix("system/").and_then(|rest| rest.split_once('.')).and_then(
                |(resource_type, permissions)| {
                    let valid_type = resource_type == "*"
                        || (resource_type.starts_with(|c: char| c.is_ascii_uppercase())
                            && resource_type.chars().all(|c| c.is_ascii_alphanumeric()));
                    Some(resource_type).filter(|_| valid_type).zip(Permissions::parse(permissions))
                },
            );
            let Some((resource_type, permissions)) = parsed else {
                return Err(format!("'{scope}' is not a system scope of the form system/[Type|*].[cruds]"));
            };
            if resource_type == "*" {
                scopes.any_type = scopes.any_type.union(permissions);
            } else {
                let entry = scopes.by_type.entry(resource_type.to_owned()).or_default();
                *entry = entry.union(permissions);
            }
        }
        Ok(scopes)
    }

    pub fn grant(&mut self, resource_type: &str, right: Right) {
        let entry = self.by_type.entry(resource_type.to_owned()).or_default();
        *entry = entry.union(right.permissions());
    }

    pub fn grant_key_management(&mut self) {
        self.manage_keys = true;
    }

    pub fn allows(&self, resource_type: &str, needed: Permissions) -> bool {
        let granted = self.by_type.get(resource_type).copied().unwrap_or_default().union(self.any_type);
        granted.contains(needed)
    }

    pub fn may_manage_keys(&self) -> bool {
        self.manage_keys
    }

    /// Whether every permission in `self` is also in `granted` (a token may ask for less than
    /// its key was granted, never more).
    pub fn within(&self, granted: &Scopes) -> bool {
        (!self.manage_keys || granted.manage_keys)
            && granted.any_type.contains(self.any_type)
            && self.by_type.iter().all(|(resource_type, p)| granted.allows(resource_type, *p))
    }

    /// The resource types granted anything: `*` first when every type is, then those named.
    pub fn granted_types(&self) -> impl Iterator<Item = &str> {
        (!self.any_type.is_empty()).then_some("*").into_iter().chain(self.by_type.keys().map(String::as_str))
    }

    /// The practice rights on `resource_type`.
    pub fn rights_on(&self, resource_type: &str) -> Vec<Right> {
        Right::ALL.into_iter().filter(|right| self.allows(resource_type, right.permissions())).collect()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut scopes = Vec::new();
        if !self.any_type.is_empty() {
            scopes.push(format!("system/*.{}", self.any_type));
        }
        for (resource_type, permissions) in &self.by_type {
            scopes.push(format!("system/{resource_type}.{permissions}"));
        }
        if self.manage_keys {
            scopes.push(MANAGE_KEYS_SCOPE.to_owned());
        }
        f.write_str(&scopes.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn practice_rights_become_smart_v2_scopes() {
        let mut scopes = Scopes::default();
        scopes.grant("Patient", Right::Retrieve);
        scopes.grant("Observation", Right::Update);
        scopes.grant("Observation", Right::Create);
        scopes.grant("Observation", Right::Retrieve);
        assert_eq!(scopes.to_string(), "system/Observation.crus system/Patient.rs");
        assert_eq!(Scopes::parse(&scopes.to_string()), Ok(scopes.clone()));
        assert_eq!(scopes.rights_on("Observation"), [Right::Retrieve, Right::Create, Right::Update]);
        assert_eq!(scopes.rights_on("Claim"), []);
    }

    #[test]
    fn smart_v1_names_and_wildcards_parse() {
        let scopes = Scopes::parse("system/Patient.read system/*.s system/Claim.write").unwrap();
        assert!(scopes.allows("Patient", Permissions::READ));
        assert!(scopes.allows("Encounter", Permissions::SEARCH));
        assert!(!scopes.allows("Encounter", Permissions::READ));
        assert!(scopes.allows("Claim", Permissions::DELETE));
        assert!(!scopes.allows("Claim", Permissions::READ));
    }

    #[test]
    fn malformed_scopes_are_named() {
        for bad in
            ["patient/Patient.rs", "system/Patient.sr", "system/Patient.rr", "system/patient.r", "openid"]
        {
            let error = Scopes::parse(bad).unwrap_err();
            assert!(error.contains(bad), "{error}");
        }
    }

    #[test]
    fn a_token_never_gets_more_than_its_key() {
        let granted = Scopes::parse("system/Patient.rs system/Observation.crus").unwrap();
        assert!(Scopes::parse("system/Patient.r system/Observation.c").unwrap().within(&granted));
        assert!(!Scopes::parse("system/Patient.rus").unwrap().within(&granted));
        assert!(!Scopes::parse("system/*.r").unwrap().within(&granted));
        assert!(!Scopes::parse(MANAGE_KEYS_SCOPE).unwrap().within(&granted));
        assert!(Scopes::parse("system/Claim.rs").unwrap().within(&Scopes::everything()));
    }
}
