//! Group: patient panels (a doctor's, a branch's) computed from visits and appointments (see
//! `fhir_mapping::group`). Read-only, without history. Panels are few (doctors and branches), so
//! a search lists their keys and filters them; only the page's panels are built with members.
//! Their patients are also a subquery (`_has:Group:member:_id=...`), which is how
//! `Group/[id]/$export` selects its members' compartments in SQL.

use chrono::NaiveDateTime;
use clinic_db::{BranchRow, DbConnection, DoctorRow};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Timestamp};
use fhir_mapping::{
    GroupKey, MappingContext, Membership, PanelOwner, WithMembers, group_to_fhir, group_without_members,
};
use fhir_search::{SearchParam, SearchRequest, SearchValue};
use serde_json::Value;

use crate::availability::{matches_date, offset_page, refuse_modifiers, tokens};
use crate::kind::{ResourceKind, RowSource};
use crate::reference_data::{BRANCH_ORGANIZATIONS, DOCTORS};
use crate::row_search::{self, unsupported};
use crate::sql::{Bind, Sql};
use crate::{ExportPage, SearchPage, StoreError, predicate};

const GROUP_TYPE_SYSTEM: &str = "http://hl7.org/fhir/group-type";

/// Where a panel's patients come from: their visits and appointments.
const SOURCES: [&str; 2] = ["visits", "appointments"];

pub struct GroupKind;

impl ResourceKind for GroupKind {
    fn resource_type(&self) -> &'static str {
        "Group"
    }

    fn sources(&self) -> &'static [RowSource] {
        &[]
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let not_found = || StoreError::NotFound { resource_type: "Group".into(), id: id.to_owned() };
        let key = GroupKey::parse(id).ok_or_else(not_found)?;
        let (owner, membership) = panel(conn, key, true)?.ok_or_else(not_found)?;
        Ok(group_to_fhir(&owner, &membership, ctx))
    }

    /// Every panel (doctors', then branches', by row key) matching the criteria; the cursor is
    /// an offset.
    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page = offset_page(matching_keys(conn, request, ctx)?, request)?;
        let mut resources = Vec::with_capacity(page.items.len());
        for key in page.items {
            if let Some((owner, membership)) = panel(conn, key, true)? {
                resources.push(group_to_fhir(&owner, &membership, ctx));
            }
        }
        Ok(SearchPage {
            resources,
            total: Some(page.total),
            next_cursor: page.next_cursor,
            previous_cursor: page.previous_cursor,
            included: Vec::new(),
        })
    }

    /// One panel a page, its members written one at a time, never held as a JSON tree.
    fn export_page(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<Option<ExportPage>, StoreError> {
        let one_panel = SearchRequest { count: 1, ..request.clone() };
        let keys = offset_page(matching_keys(conn, &one_panel, ctx)?, &one_panel)?;
        let mut page = ExportPage::new(keys.next_cursor);
        for key in keys.items {
            if let Some((owner, membership)) = panel(conn, key, true)? {
                let group = crate::profiled(group_without_members(&owner, &membership, ctx));
                page.push(&WithMembers { group: &group, patients: &membership.patients })?;
            }
        }
        Ok(Some(page))
    }

    /// `SELECT patient_id ...`: the members of the panels `_id` names (the only criterion
    /// `_has:Group:member:` takes).
    fn referrer_subquery(
        &self,
        sql: &mut Sql,
        reference: &str,
        params: &[SearchParam],
        _ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        let mut keys: Vec<GroupKey> = Vec::new();
        for param in params {
            match (reference, param.def.name, param.modifier) {
                ("member", "_id", None) => {
                    keys.extend(tokens(&param.values).iter().filter_map(|id| GroupKey::parse(id)))
                }
                _ => {
                    return Err(StoreError::InvalidSearch(
                        "_has through Group takes member and _id only (_has:Group:member:_id=...)".into(),
                    ));
                }
            }
        }
        let owned = |wanted: fn(GroupKey) -> Option<i64>| keys.iter().copied().filter_map(wanted).collect();
        let owners: [(&str, Vec<i64>); 2] = [
            ("doctor_id", owned(|key| if let GroupKey::Doctor(k) = key { Some(k) } else { None })),
            ("branch_id", owned(|key| if let GroupKey::Branch(k) = key { Some(k) } else { None })),
        ];
        for (i, source) in SOURCES.iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ");
            }
            sql.push("SELECT patient_id FROM ").push(source).push(" WHERE (");
            // Only the owner columns named, so an index on the column can serve the lookup.
            let named: Vec<&(&str, Vec<i64>)> = owners.iter().filter(|(_, keys)| !keys.is_empty()).collect();
            if named.is_empty() {
                predicate::never(sql);
            }
            for (j, (column, keys)) in named.into_iter().enumerate() {
                if j > 0 {
                    sql.push(" OR ");
                }
                sql.push(column).push(" IN ").key_list(keys);
            }
            sql.push(")");
        }
        Ok(())
    }
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = BigInt)]
    key: i64,
}

#[derive(QueryableByName)]
struct Changes {
    #[diesel(sql_type = BigInt)]
    version: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    updated_at: Option<NaiveDateTime>,
}

/// The clinic column a panel's visits and appointments are selected by, and its value.
fn owner_column(key: GroupKey) -> (&'static str, i64) {
    match key {
        GroupKey::Doctor(doctor) => ("doctor_id", doctor),
        GroupKey::Branch(branch) => ("branch_id", branch),
    }
}

fn keys_of(conn: &mut DbConnection, sql: Sql) -> Result<Vec<i64>, StoreError> {
    Ok(sql.load::<Key>(conn)?.into_iter().map(|k| k.key).collect())
}

/// The panels `request` selects, doctors' first, then branches', by row key.
fn matching_keys(
    conn: &mut DbConnection,
    request: &SearchRequest,
    ctx: &MappingContext,
) -> Result<Vec<GroupKey>, StoreError> {
    refuse_modifiers(request)?;
    if !request.sort.is_empty() {
        return Err(StoreError::InvalidSearch(
            "Group cannot be sorted: panels come doctors' first, then branches', by row key".into(),
        ));
    }
    let mut keys = every_key(conn)?;
    for param in &request.params {
        let wanted: Vec<GroupKey> = match param.def.name {
            "_id" => tokens(&param.values).iter().filter_map(|id| GroupKey::parse(id)).collect(),
            "type" => {
                let person = param.values.iter().any(|value| {
                    matches!(value, SearchValue::Token(token)
                        if token.code.as_deref() == Some("person")
                            && token.system.as_deref().is_none_or(|s| s == GROUP_TYPE_SYSTEM))
                });
                if person { keys.clone() } else { Vec::new() }
            }
            "member" => with_members(conn, &param.values, ctx).map_err(|e| e.naming(&param.raw.0))?,
            "_lastUpdated" => {
                let mut updated = Vec::new();
                for key in &keys {
                    let Some((owner, membership)) = panel(conn, *key, false)? else { continue };
                    let at = membership.last_updated(&owner);
                    let matches = |value: &SearchValue| match value {
                        SearchValue::Date(date) => matches_date(date, at, ctx),
                        _ => false,
                    };
                    if param.values.iter().any(matches) {
                        updated.push(*key);
                    }
                }
                updated
            }
            name => return Err(unsupported("Group", name)),
        };
        keys.retain(|key| wanted.contains(key));
    }
    Ok(keys)
}

/// Every panel there is: one per doctor, then one per branch.
fn every_key(conn: &mut DbConnection) -> Result<Vec<GroupKey>, StoreError> {
    let mut keys = Vec::new();
    for (table, key) in [("doctors", GroupKey::Doctor as fn(i64) -> GroupKey), ("branches", GroupKey::Branch)]
    {
        let mut sql = Sql::new(conn.backend());
        sql.push("SELECT id AS key FROM ").push(table).push(" ORDER BY id");
        keys.extend(keys_of(conn, sql)?.into_iter().map(key));
    }
    Ok(keys)
}

/// The panels with a member matching any of `values` (references to, or chains into, Patient).
fn with_members(
    conn: &mut DbConnection,
    values: &[SearchValue],
    ctx: &MappingContext,
) -> Result<Vec<GroupKey>, StoreError> {
    let mut keys = Vec::new();
    for (column, key) in
        [("doctor_id", GroupKey::Doctor as fn(i64) -> GroupKey), ("branch_id", GroupKey::Branch)]
    {
        let mut sql = Sql::new(conn.backend());
        for (i, source) in SOURCES.iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ");
            }
            sql.push("SELECT ").push(column).push(" AS key FROM ").push(source).push(" WHERE ");
            sql.push(column).push(" IS NOT NULL AND ");
            predicate::any_of(&mut sql, values, |sql, value| {
                predicate::reference(sql, "patient_id", "Patient", value, ctx)
            })?;
        }
        keys.extend(keys_of(conn, sql)?.into_iter().map(key));
    }
    Ok(keys)
}

/// The doctor's or branch's row of panel `key` and its membership (with the patients when
/// `with_patients`); `None` when the doctor or branch does not exist.
fn panel(
    conn: &mut DbConnection,
    key: GroupKey,
    with_patients: bool,
) -> Result<Option<(PanelOwner, Membership)>, StoreError> {
    let (column, owner_key) = owner_column(key);
    let owner = match key {
        GroupKey::Doctor(_) => {
            row_search::find::<DoctorRow>(conn, &DOCTORS, owner_key)?.map(PanelOwner::Doctor)
        }
        GroupKey::Branch(_) => {
            row_search::find::<BranchRow>(conn, &BRANCH_ORGANIZATIONS, owner_key)?.map(PanelOwner::Branch)
        }
    };
    let Some(owner) = owner else { return Ok(None) };
    let selected = |sql: &mut Sql, select: &str, union: &str| {
        for (i, source) in SOURCES.iter().enumerate() {
            if i > 0 {
                sql.push(union);
            }
            sql.push("SELECT ").push(select).push(" FROM ").push(source).push(" WHERE ").push(column);
            sql.push(" = ").bind(Bind::BigInt(owner_key));
        }
    };
    let mut changes = Sql::new(conn.backend());
    changes.push("SELECT COALESCE(SUM(version), 0) AS version, MAX(updated_at) AS updated_at FROM (");
    selected(&mut changes, "version, updated_at", " UNION ALL ");
    changes.push(") m");
    let changes = changes.load::<Changes>(conn)?.into_iter().next();
    let patients = if with_patients {
        let mut patients = Sql::new(conn.backend());
        selected(&mut patients, "patient_id AS key", " UNION ");
        patients.push(" ORDER BY key");
        keys_of(conn, patients)?
    } else {
        Vec::new()
    };
    let membership = Membership {
        patients,
        version: changes.as_ref().map_or(0, |c| c.version),
        updated_at: changes.and_then(|c| c.updated_at),
    };
    Ok(Some((owner, membership)))
}
