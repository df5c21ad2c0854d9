//! Query string -> [`SearchRequest`].

use fhir_outcome::{Issue, IssueType};

use crate::registry::{self, ParamDef, ParamType};
use crate::{DateValue, QuantityValue};

pub const DEFAULT_COUNT: u32 = 20;
pub const MAX_COUNT: u32 = 1000;

/// Result and format parameters the server applies itself; they are not search criteria.
const SERVER_PARAMS: [&str; 5] = ["_format", "_pretty", "_cursor", "_summary", "_elements"];

/// `_total`: how exactly a search counts its matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// No count (the cheapest search).
    None,
    /// Any reasonable figure; this server gives the exact one.
    Estimate,
    /// The exact number, however many.
    Accurate,
    /// Not asked (the default): the exact number up to [`UNASKED_TOTAL_LIMIT`] matches and none
    /// beyond, so a broad search does not pay for counting every match on every page.
    Unasked,
}

/// The most matches a search counts when `_total` is not asked.
pub const UNASKED_TOTAL_LIMIT: u64 = 10_000;

/// How to treat what the server cannot use (`Prefer: handling=...`): search parameters it does
/// not know, elements of a write the clinic cannot hold. Searches default to lenient (as
/// search.html says), writes and conditional criteria to strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Refuse them (400 for a search, 422 for a write), naming each.
    Strict,
    /// Leave them out: a search's `self` link shows what was applied; a write reports each
    /// element it did not store as a warning.
    Lenient,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    Exact,
    Contains,
    /// Token `:not`: resources without any of the codes, including those with no value (with
    /// [`SearchValue::Present`]: resources without a value, `:missing=true`).
    Not,
    /// Token `:text`: the code's display or the concept's text starts with the value (any case);
    /// the values are [`SearchValue::String`].
    Text,
    /// `identifier:of-type=[type system]|[type code]|[value]`; the values are
    /// [`SearchValue::OfType`].
    OfType,
}

/// `[system]|[code]`: `system` is `None` when any system matches and `Some("")` when the
/// value must have no system; `code` is `None` for `system|` (any code in the system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenValue {
    pub system: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchValue {
    Token(TokenValue),
    String(String),
    Date(DateValue),
    Quantity(QuantityValue),
    /// One value per component of a composite parameter, in the registry's order.
    Composite(Vec<SearchValue>),
    /// Any value at all (`:missing=false`; `:missing=true` is this with [`Modifier::Not`]).
    Present,
    /// An identifier of a type (`identifier:of-type`).
    OfType {
        type_system: String,
        type_code: String,
        value: String,
    },
    Reference {
        resource_type: Option<String>,
        id: String,
    },
    /// `subject:Patient.name=x`: the reference points at a `target_type` resource matching `param`.
    Chain {
        target_type: String,
        param: Box<SearchParam>,
    },
    /// `_has:Observation:patient:code=x`: some `source_type` resource matching `param` points at
    /// this one through its `reference` parameter.
    Has {
        source_type: String,
        reference: &'static str,
        param: Box<SearchParam>,
    },
}

/// `_include` / `_revinclude`: the resources `source_type` points at through reference
/// parameter `param` (restricted to `target` when given); `iterate` applies it to included
/// resources too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub source_type: String,
    pub param: &'static str,
    pub target: Option<String>,
    pub iterate: bool,
}

/// One `_sort` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub param: &'static str,
    pub descending: bool,
}

/// The most `_sort` keys a search takes.
pub const MAX_SORT_KEYS: usize = 3;

/// One criterion: its values are alternatives (OR); criteria combine with AND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchParam {
    pub def: &'static ParamDef,
    pub modifier: Option<Modifier>,
    pub values: Vec<SearchValue>,
    /// As the client wrote it (name with modifier, value), for the `self` link.
    pub raw: (String, String),
}

impl SearchParam {
    fn types_read(&self, name: &str, types: &mut Vec<(String, String)>) {
        for value in &self.values {
            match value {
                SearchValue::Chain { target_type, param } => {
                    types.push((target_type.clone(), name.to_owned()));
                    param.types_read(name, types);
                }
                SearchValue::Has { source_type, param, .. } => {
                    types.push((source_type.clone(), name.to_owned()));
                    param.types_read(name, types);
                }
                _ => {}
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    pub params: Vec<SearchParam>,
    pub count: u32,
    /// Opaque position after which the page starts (from a `next` link).
    pub cursor: Option<String>,
    pub total: Total,
    pub includes: Vec<Include>,
    pub revincludes: Vec<Include>,
    /// `_sort` keys, most significant first; the row key breaks ties.
    pub sort: Vec<SortKey>,
}

impl SearchRequest {
    /// The resource types other than the searched one whose data this search reads (through
    /// chains and `_has`) or returns (through `_include` and `_revinclude`), each with the
    /// parameter that reaches it: a client must be allowed to search every one of them.
    pub fn other_types_read(&self) -> Vec<(String, String)> {
        let mut types = Vec::new();
        for param in &self.params {
            param.types_read(&param.raw.0, &mut types);
        }
        for include in &self.includes {
            let targets = match &include.target {
                Some(target) => vec![target.clone()],
                None => registry::reference_path(&include.source_type, include.param)
                    .map(|(_, targets)| targets.iter().map(|t| (*t).to_owned()).collect())
                    .unwrap_or_default(),
            };
            types.extend(targets.into_iter().map(|t| (t, "_include".to_owned())));
        }
        for include in &self.revincludes {
            types.push((include.source_type.clone(), "_revinclude".to_owned()));
        }
        types
    }

    /// The applied criteria and `_count`, as a query string (without the cursor).
    pub fn query_string(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for param in &self.params {
            query.append_pair(&param.raw.0, &param.raw.1);
        }
        query.append_pair("_count", &self.count.to_string());
        for (name, includes) in [("_include", &self.includes), ("_revinclude", &self.revincludes)] {
            for include in includes {
                let key = if include.iterate { format!("{name}:iterate") } else { name.to_owned() };
                let target = include.target.as_deref().map(|t| format!(":{t}")).unwrap_or_default();
                query.append_pair(&key, &format!("{}:{}{target}", include.source_type, include.param));
            }
        }
        if !self.sort.is_empty() {
            let keys: Vec<String> = self
                .sort
                .iter()
                .map(|k| format!("{}{}", if k.descending { "-" } else { "" }, k.param))
                .collect();
            query.append_pair("_sort", &keys.join(","));
        }
        match self.total {
            Total::Unasked => {}
            Total::Accurate => {
                query.append_pair("_total", "accurate");
            }
            Total::Estimate => {
                query.append_pair("_total", "estimate");
            }
            Total::None => {
                query.append_pair("_total", "none");
            }
        }
        query.finish()
    }
}

/// Parses the query string of a search on `resource_type`.
pub fn parse(resource_type: &str, query: &str, handling: Handling) -> Result<SearchRequest, Vec<Issue>> {
    let mut request = SearchRequest {
        params: Vec::new(),
        count: DEFAULT_COUNT,
        cursor: None,
        total: Total::Unasked,
        includes: Vec::new(),
        revincludes: Vec::new(),
        sort: Vec::new(),
    };
    let mut issues = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if let Some(chain) = key.strip_prefix("_has:") {
            match parse_has(resource_type, chain, &key, &value) {
                Ok(param) => request.params.push(param),
                Err(issue) => issues.push(issue),
            }
            continue;
        }
        if let Some((head, tail)) = key.split_once('.') {
            match parse_chain(resource_type, head, tail, &key, &value) {
                Ok(param) => request.params.push(param),
                Err(issue) => issues.push(issue),
            }
            continue;
        }
        let (name, modifier) = key.split_once(':').map_or((&*key, None), |(n, m)| (n, Some(m)));
        match name {
            "_count" => match value.parse::<u32>() {
                Ok(count) => request.count = count.min(MAX_COUNT),
                Err(_) => issues.push(invalid(&key, "_count must be a non-negative integer")),
            },
            "_cursor" => request.cursor = Some(value.into_owned()),
            "_include" | "_revinclude" => match parse_include(&value, modifier) {
                Ok(includes)
                    if name == "_include"
                        && includes.iter().any(|i| i.source_type != resource_type && !i.iterate) =>
                {
                    issues.push(invalid(
                        &key,
                        format!("_include names the searched type's parameters ({resource_type}:...)"),
                    ));
                }
                Ok(includes) if name == "_include" => request.includes.extend(includes),
                Ok(includes) => request.revincludes.extend(includes),
                Err(diagnostics) => issues.push(invalid(&key, diagnostics)),
            },
            "_sort" => match parse_sort(resource_type, &value) {
                Ok(sort) => request.sort = sort,
                Err(diagnostics) => issues.push(invalid(&key, diagnostics)),
            },
            "_total" => match &*value {
                "none" => request.total = Total::None,
                "estimate" => request.total = Total::Estimate,
                "accurate" => request.total = Total::Accurate,
                other => issues
                    .push(invalid(&key, format!("_total must be none, estimate or accurate, not '{other}'"))),
            },
            _ if SERVER_PARAMS.contains(&name) => {}
            _ => match registry::find(resource_type, name) {
                Some(def) => match parse_param(resource_type, def, modifier, &key, &value) {
                    Ok(param) => request.params.push(param),
                    Err(issue) => issues.push(issue),
                },
                None if handling == Handling::Lenient => {}
                None => issues.push(
                    Issue::error(
                        IssueType::NotSupported,
                        format!("unknown search parameter '{name}' for {resource_type}"),
                    )
                    .at(name.to_owned()),
                ),
            },
        }
    }
    if issues.is_empty() { Ok(request) } else { Err(issues) }
}

/// `_sort=-date,name`: known parameters of the type, at most [`MAX_SORT_KEYS`].
fn parse_sort(resource_type: &str, value: &str) -> Result<Vec<SortKey>, String> {
    let keys: Vec<SortKey> = value
        .split(',')
        .map(|key| {
            let (descending, name) = key.strip_prefix('-').map_or((false, key), |name| (true, name));
            registry::find(resource_type, name)
                .map(|def| SortKey { param: def.name, descending })
                .ok_or_else(|| format!("'{name}' is not a search parameter of {resource_type}"))
        })
        .collect::<Result<_, _>>()?;
    if keys.len() > MAX_SORT_KEYS {
        return Err(format!("at most {MAX_SORT_KEYS} sort keys"));
    }
    Ok(keys)
}

/// `Type:param[:target]` or `Type:*`, with the `:iterate` modifier.
fn parse_include(value: &str, modifier: Option<&str>) -> Result<Vec<Include>, String> {
    let iterate = match modifier {
        None => false,
        Some("iterate" | "recurse") => true,
        Some(other) => return Err(format!("modifier ':{other}' is not supported here; use :iterate")),
    };
    let mut parts = value.split(':');
    let (Some(source_type), Some(param)) = (parts.next(), parts.next()) else {
        return Err(format!("'{value}' is not of the form Type:parameter[:target]"));
    };
    let target = parts.next().map(str::to_owned);
    let references = registry::for_type(source_type)
        .ok_or_else(|| format!("'{source_type}' is not a served resource type"))?
        .iter()
        .filter(|p| p.kind == ParamType::Reference);
    let params: Vec<&'static str> = match param {
        "*" => references.map(|p| p.name).collect(),
        name => match references.into_iter().find(|p| p.name == name) {
            Some(p) => vec![p.name],
            None => return Err(format!("'{name}' is not a reference parameter of {source_type}")),
        },
    };
    let include =
        |param| Include { source_type: source_type.to_owned(), param, target: target.clone(), iterate };
    Ok(params.into_iter().map(include).collect())
}

fn invalid(param: &str, diagnostics: impl Into<String>) -> Issue {
    Issue::error(IssueType::Invalid, diagnostics).at(param.to_owned())
}

/// `Type:reference:parameter` after `_has:`, where `reference` of `Type` can point at
/// `resource_type` and `parameter` (perhaps another `_has:...`) is searched on `Type`.
fn parse_has(resource_type: &str, chain: &str, key: &str, raw: &str) -> Result<SearchParam, Issue> {
    let has_error =
        |diagnostics: String| Issue::error(IssueType::NotSupported, diagnostics).at(key.to_owned());
    let mut parts = chain.splitn(3, ':');
    let (Some(source_type), Some(reference), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(has_error("write _has:[type]:[reference parameter]:[parameter]".into()));
    };
    let targets = registry::reference_path(source_type, reference)
        .map(|(_, targets)| targets)
        .ok_or_else(|| has_error(format!("'{reference}' is not a reference parameter of {source_type}")))?;
    if !targets.contains(&resource_type) {
        return Err(has_error(format!("{source_type}.{reference} does not point at {resource_type}")));
    }
    let reference = registry::find(source_type, reference).map(|def| def.name).unwrap_or_default();
    let inner = match rest.strip_prefix("_has:") {
        Some(deeper) => parse_has(source_type, deeper, key, raw)?,
        None => {
            let (name, modifier) = rest.split_once(':').map_or((rest, None), |(n, m)| (n, Some(m)));
            let def = registry::find(source_type, name)
                .ok_or_else(|| has_error(format!("'{name}' is not a search parameter of {source_type}")))?;
            parse_param(source_type, def, modifier, key, raw)?
        }
    };
    Ok(SearchParam {
        def: &registry::HAS,
        modifier: None,
        values: vec![SearchValue::Has {
            source_type: source_type.to_owned(),
            reference,
            param: Box::new(inner),
        }],
        raw: (key.to_owned(), raw.to_owned()),
    })
}

/// `head.tail` where `head` is a reference parameter (`subject` or `subject:Patient`) and
/// `tail` a parameter of the type it points at, itself possibly chained or a `_has`.
fn parse_chain(
    resource_type: &str,
    head: &str,
    tail: &str,
    key: &str,
    raw: &str,
) -> Result<SearchParam, Issue> {
    let (name, target) = head.split_once(':').map_or((head, None), |(n, t)| (n, Some(t)));
    let chain_error =
        |diagnostics: String| Issue::error(IssueType::NotSupported, diagnostics).at(key.to_owned());
    let def = registry::find(resource_type, name)
        .filter(|def| def.kind == ParamType::Reference)
        .ok_or_else(|| chain_error(format!("'{name}' is not a reference parameter of {resource_type}")))?;
    let targets =
        registry::reference_path(resource_type, name).map(|(_, targets)| targets).unwrap_or_default();
    let target_type = match (target, targets) {
        (Some(target), _) if targets.contains(&target) => target,
        (Some(target), _) => {
            return Err(chain_error(format!("{resource_type}.{name} does not point at {target}")));
        }
        (None, [only]) => *only,
        (None, _) => {
            return Err(chain_error(format!(
                "{resource_type}.{name} points at several types: write {name}:[type]"
            )));
        }
    };
    let inner = match (tail.strip_prefix("_has:"), tail.split_once('.')) {
        // `patient._has:Group:member:_id=x`: the referenced resource is referenced in turn.
        (Some(has), _) => parse_has(target_type, has, key, raw)?,
        (None, Some((next_head, next_tail))) => parse_chain(target_type, next_head, next_tail, key, raw)?,
        (None, None) => {
            let (inner_name, modifier) = tail.split_once(':').map_or((tail, None), |(n, m)| (n, Some(m)));
            let inner = registry::find(target_type, inner_name).ok_or_else(|| {
                chain_error(format!("'{inner_name}' is not a search parameter of {target_type}"))
            })?;
            parse_param(target_type, inner, modifier, key, raw)?
        }
    };
    Ok(SearchParam {
        def,
        modifier: None,
        values: vec![SearchValue::Chain { target_type: target_type.to_owned(), param: Box::new(inner) }],
        raw: (key.to_owned(), raw.to_owned()),
    })
}

fn parse_param(
    resource_type: &str,
    def: &'static ParamDef,
    modifier: Option<&str>,
    key: &str,
    raw: &str,
) -> Result<SearchParam, Issue> {
    let unsupported = |other: &str| {
        Issue::error(
            IssueType::NotSupported,
            format!("modifier ':{other}' is not supported on {} parameter '{}'", def.kind.code(), def.name),
        )
        .at(key.to_owned())
    };
    let (modifier, values) = match (def.kind, modifier) {
        (_, None) => (None, parse_values(def, key, raw)?),
        // Present or not: `:missing=true` is `:not` of "any value", NULL-safe like `:not`.
        (_, Some("missing")) => {
            let missing = match raw {
                "true" => true,
                "false" => false,
                _ => return Err(invalid(key, format!("'{}:missing' takes true or false", def.name))),
            };
            (missing.then_some(Modifier::Not), vec![SearchValue::Present])
        }
        (ParamType::String, Some("exact")) => (Some(Modifier::Exact), parse_values(def, key, raw)?),
        (ParamType::String, Some("contains")) => (Some(Modifier::Contains), parse_values(def, key, raw)?),
        (ParamType::Token, Some("not")) => (Some(Modifier::Not), parse_values(def, key, raw)?),
        (ParamType::Token, Some("text")) => {
            let text = |text: &str| match text {
                "" => Err(invalid(key, "':text' needs some text")),
                text => Ok(SearchValue::String(text.to_owned())),
            };
            (Some(Modifier::Text), each_value(raw, text)?)
        }
        (ParamType::Token, Some("of-type")) if def.name == "identifier" => {
            let of_type = |value: &str| match &split_unescaped(value, '|')[..] {
                [type_system, type_code, identifier]
                    if ![type_system, type_code, identifier].iter().any(|p| p.is_empty()) =>
                {
                    Ok(SearchValue::OfType {
                        type_system: type_system.clone(),
                        type_code: type_code.clone(),
                        value: identifier.clone(),
                    })
                }
                _ => Err(invalid(key, format!("'{value}' is not [type system]|[type code]|[value]"))),
            };
            (Some(Modifier::OfType), each_value(raw, of_type)?)
        }
        (ParamType::Reference, Some("identifier")) => {
            return reference_identifier(resource_type, def, key, raw);
        }
        (ParamType::Reference, Some(target)) if targets_of(resource_type, def).contains(&target) => {
            let values = parse_values(def, key, raw)?
                .into_iter()
                .map(|value| match value {
                    SearchValue::Reference { resource_type: None, id } => {
                        Ok(SearchValue::Reference { resource_type: Some(target.to_owned()), id })
                    }
                    SearchValue::Reference { resource_type: Some(named), .. } if named != target => {
                        Err(invalid(key, format!("'{named}' references cannot match {}:{target}", def.name)))
                    }
                    value => Ok(value),
                })
                .collect::<Result<Vec<_>, _>>()?;
            (None, values)
        }
        (_, Some(other)) => return Err(unsupported(other)),
    };
    Ok(SearchParam { def, modifier, values, raw: (key.to_owned(), raw.to_owned()) })
}

/// Each comma-separated alternative of `raw` (unescaped) made a value by `value`.
fn each_value(
    raw: &str,
    value: impl Fn(&str) -> Result<SearchValue, Issue>,
) -> Result<Vec<SearchValue>, Issue> {
    split_unescaped(raw, ',').iter().map(|part| value(part)).collect()
}

/// The types a reference parameter of `resource_type` may point at.
fn targets_of(resource_type: &str, def: &ParamDef) -> &'static [&'static str] {
    registry::reference_path(resource_type, def.name).map(|(_, targets)| targets).unwrap_or_default()
}

/// `subject:identifier=[system]|[value]`: the reference points at a resource with that
/// identifier, searched as the chain `subject.identifier` (references here always name their
/// resource, so its identifier is the reference's).
fn reference_identifier(
    resource_type: &str,
    def: &'static ParamDef,
    key: &str,
    raw: &str,
) -> Result<SearchParam, Issue> {
    let not_supported =
        |diagnostics: String| Issue::error(IssueType::NotSupported, diagnostics).at(key.to_owned());
    let [target] = targets_of(resource_type, def) else {
        return Err(not_supported(format!(
            "{resource_type}.{name} points at several types: write {name}:[type].identifier",
            name = def.name
        )));
    };
    let identifier =
        registry::find(target, "identifier").filter(|p| p.kind == ParamType::Token).ok_or_else(|| {
            not_supported(format!("{target} has no identifier to search {}:identifier by", def.name))
        })?;
    let inner = parse_param(target, identifier, None, key, raw)?;
    Ok(SearchParam {
        def,
        modifier: None,
        values: vec![SearchValue::Chain { target_type: (*target).to_owned(), param: Box::new(inner) }],
        raw: (key.to_owned(), raw.to_owned()),
    })
}

/// The comma-separated alternatives of a parameter, each parsed as its type says.
fn parse_values(def: &ParamDef, key: &str, raw: &str) -> Result<Vec<SearchValue>, Issue> {
    each_value(raw, |value| {
        parse_value(def.kind, value).ok_or_else(|| {
            invalid(key, format!("'{value}' is not a valid {} value for '{}'", def.kind.code(), def.name))
        })
    })
}

fn parse_value(kind: ParamType, value: &str) -> Option<SearchValue> {
    if value.is_empty() {
        return None;
    }
    match kind {
        ParamType::String => Some(SearchValue::String(unescape(value))),
        ParamType::Date => DateValue::parse(value).map(SearchValue::Date),
        ParamType::Token => {
            let mut parts = split_unescaped(value, '|').into_iter();
            let first = parts.next()?;
            let token = match parts.next() {
                None => TokenValue { system: None, code: Some(first) },
                Some(code) if parts.next().is_none() => {
                    TokenValue { system: Some(first), code: (!code.is_empty()).then_some(code) }
                }
                Some(_) => return None,
            };
            Some(SearchValue::Token(token))
        }
        ParamType::Reference => {
            let value = unescape(value);
            let (resource_type, id) = match value.rsplit_once('/') {
                Some((resource_type, id)) => {
                    (Some(resource_type.rsplit('/').next()?.to_owned()), id.to_owned())
                }
                None => (None, value),
            };
            Some(SearchValue::Reference { resource_type, id })
        }
        ParamType::Quantity => {
            QuantityValue::from_parts(&split_unescaped(value, '|')).map(SearchValue::Quantity)
        }
        ParamType::Composite(kinds) => {
            let parts = split_unescaped(value, '$');
            if parts.len() != kinds.len() {
                return None;
            }
            let values = kinds.iter().zip(&parts).map(|(kind, part)| parse_value(*kind, part));
            values.collect::<Option<Vec<_>>>().map(SearchValue::Composite)
        }
    }
}

/// Splits on `separator` except where escaped with a backslash; unescapes the parts.
fn split_unescaped(value: &str, separator: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    if next != separator {
                        parts.last_mut().expect("never empty").push('\\');
                    }
                    parts.last_mut().expect("never empty").push(next);
                }
            }
            c if c == separator => parts.push(String::new()),
            c => parts.last_mut().expect("never empty").push(c),
        }
    }
    parts
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Prefix;

    /// `query` on `resource_type` is refused, naming the parameter as the client wrote it.
    fn refused_naming_its_key(resource_type: &str, query: &str) {
        let issues = parse(resource_type, query, Handling::Strict).unwrap_err();
        assert_eq!(issues[0].expression, vec![query.split('=').next().unwrap()], "{query}");
    }

    #[test]
    fn criteria_modifiers_and_alternatives() {
        let request =
            parse("Patient", "family:exact=Doe&given=Ann,Bo&identifier=urn:x|123&_count=5", Handling::Strict)
                .unwrap();
        assert_eq!(request.count, 5);
        assert_eq!(request.params[0].modifier, Some(Modifier::Exact));
        assert_eq!(request.params[1].values.len(), 2);
        assert_eq!(
            request.params[2].values[0],
            SearchValue::Token(TokenValue { system: Some("urn:x".into()), code: Some("123".into()) })
        );
    }

    #[test]
    fn every_other_type_a_search_reads_is_named_with_its_parameter() {
        let query = "service-provider.name=x&_has:Observation:encounter:code=1\
                     &_include=Encounter:subject&_include=Encounter:practitioner:Practitioner\
                     &_revinclude=MedicationRequest:encounter";
        let request = parse("Encounter", query, Handling::Strict).unwrap_or_else(|e| panic!("{e:?}"));
        let read = request.other_types_read();
        let read: Vec<(&str, &str)> = read.iter().map(|(t, p)| (t.as_str(), p.as_str())).collect();
        assert_eq!(
            read,
            [
                ("Organization", "service-provider.name"),
                ("Observation", "_has:Observation:encounter:code"),
                ("Patient", "_include"),
                ("Practitioner", "_include"),
                ("MedicationRequest", "_revinclude"),
            ]
        );
    }

    #[test]
    fn chains_name_the_type_they_go_through() {
        let request =
            parse("Encounter", "subject.name=som&subject:Patient.birthdate=ge1980", Handling::Strict)
                .unwrap();
        let SearchValue::Chain { target_type, param } = &request.params[0].values[0] else { panic!() };
        assert_eq!((target_type.as_str(), param.def.name), ("Patient", "name"));
        assert_eq!(request.params[1].raw.0, "subject:Patient.birthdate");
        for query in
            ["status.name=x", "subject:Practitioner.name=x", "subject.colour=x", "subject.birthdate=notadate"]
        {
            refused_naming_its_key("Encounter", query);
        }
        let deep = parse("Observation", "encounter.subject.name=som", Handling::Strict).unwrap();
        let SearchValue::Chain { param, .. } = &deep.params[0].values[0] else { panic!() };
        assert!(matches!(param.values[0], SearchValue::Chain { .. }));
        let panel = parse("Observation", "patient._has:Group:member:_id=doctor-1", Handling::Strict).unwrap();
        let SearchValue::Chain { target_type, param } = &panel.params[0].values[0] else { panic!() };
        assert_eq!(target_type, "Patient");
        assert!(matches!(&param.values[0], SearchValue::Has { source_type, .. } if source_type == "Group"));
        assert_eq!(panel.other_types_read().len(), 2, "Patient and Group");
        refused_naming_its_key("Observation", "patient._has:Group:colour:_id=x");
    }

    #[test]
    fn has_names_the_referring_type_and_its_reference() {
        let request = parse("Patient", "_has:Observation:patient:code=1234-5", Handling::Strict).unwrap();
        let SearchValue::Has { source_type, reference, param } = &request.params[0].values[0] else {
            panic!()
        };
        assert_eq!((source_type.as_str(), *reference, param.def.name), ("Observation", "patient", "code"));
        for query in
            ["_has:Observation:encounter:code=x", "_has:Observation:patient:colour=x", "_has:Observation=x"]
        {
            refused_naming_its_key("Patient", query);
        }
    }

    #[test]
    fn escaped_commas_stay_in_the_value() {
        let request = parse("Patient", "name=a%5C,b", Handling::Strict).unwrap();
        assert_eq!(request.params[0].values, vec![SearchValue::String("a,b".into())]);
    }

    #[test]
    fn dates_keep_their_prefix() {
        let request = parse("Patient", "birthdate=lt1990&birthdate=ge1980", Handling::Strict).unwrap();
        let SearchValue::Date(date) = &request.params[0].values[0] else { panic!() };
        assert_eq!(date.prefix, Prefix::Lt);
    }

    #[test]
    fn unknown_parameters_fail_strictly_and_are_ignored_leniently() {
        let issues = parse("Patient", "colour=blue", Handling::Strict).unwrap_err();
        assert_eq!(issues[0].expression, vec!["colour"]);
        assert!(parse("Patient", "colour=blue", Handling::Lenient).unwrap().params.is_empty());
    }

    #[test]
    fn bad_values_and_modifiers_name_the_parameter() {
        for (query, param) in [
            ("birthdate=1980-13-01", "birthdate"),
            ("_count=-1", "_count"),
            ("gender:exact=male", "gender:exact"),
            ("family=", "family"),
        ] {
            let issues = parse("Patient", query, Handling::Strict).unwrap_err();
            assert_eq!(issues[0].expression, vec![param], "{query}");
        }
    }

    #[test]
    fn quantities_and_composites_parse_each_part_by_its_type() {
        let request = parse(
            "Observation",
            "value-quantity=ge5.4||mmol/L&code-value-quantity=http://loinc.org|8480-6$gt140,8462-4$lt90",
            Handling::Strict,
        )
        .unwrap();
        let SearchValue::Quantity(quantity) = &request.params[0].values[0] else { panic!() };
        assert_eq!((quantity.prefix, quantity.code.as_deref()), (Prefix::Ge, Some("mmol/L")));
        let SearchValue::Composite(parts) = &request.params[1].values[1] else { panic!() };
        assert!(matches!(&parts[0], SearchValue::Token(t) if t.code.as_deref() == Some("8462-4")));
        assert!(matches!(&parts[1], SearchValue::Quantity(q) if q.prefix == Prefix::Lt));
        for query in [
            "value-quantity=xx5",
            "value-quantity=5|kg",
            "value-quantity=5.",
            "code-value-quantity=8480-6",
            "code-value-quantity=8480-6$gt140$1",
            "code-value-quantity=8480-6$high",
            "value-quantity:exact=5",
        ] {
            refused_naming_its_key("Observation", query);
        }
    }

    #[test]
    fn reference_modifiers_name_the_type_or_its_identifier() {
        let request =
            parse("Appointment", "actor:Patient=7&patient:Patient=Patient/8", Handling::Strict).unwrap();
        assert_eq!(
            request.params[0].values,
            vec![SearchValue::Reference { resource_type: Some("Patient".into()), id: "7".into() }]
        );
        assert_eq!(request.params[0].raw.0, "actor:Patient");
        let by_identifier = parse("Encounter", "subject:identifier=urn:x|42", Handling::Strict).unwrap();
        let SearchValue::Chain { target_type, param } = &by_identifier.params[0].values[0] else { panic!() };
        assert_eq!((target_type.as_str(), param.def.name), ("Patient", "identifier"));
        for query in [
            "actor:Encounter=1",
            "actor:Patient=Practitioner/1",
            "actor:identifier=x",
            "diagnosis:identifier=x",
        ] {
            let resource_type = if query.starts_with("diagnosis") { "Encounter" } else { "Appointment" };
            refused_naming_its_key(resource_type, query);
        }
    }

    #[test]
    fn missing_is_any_value_or_its_negation() {
        let chained = parse("Encounter", "subject.phone:missing=true", Handling::Strict).unwrap();
        let SearchValue::Chain { param, .. } = &chained.params[0].values[0] else { panic!() };
        assert_eq!((param.modifier, &param.values[..]), (Some(Modifier::Not), &[SearchValue::Present][..]));
        let request =
            parse("Patient", "phone:missing=true&birthdate:missing=false", Handling::Strict).unwrap();
        assert_eq!(request.params[0].modifier, Some(Modifier::Not));
        assert_eq!(request.params[1].modifier, None);
        assert_eq!(request.params[1].values, vec![SearchValue::Present]);
        assert_eq!(request.params[0].raw.0, "phone:missing");
        for query in ["phone:missing=yes", "phone:missing=true,false", "phone:missing="] {
            refused_naming_its_key("Patient", query);
        }
        let composite = parse("Observation", "code-value-quantity:missing=false", Handling::Strict).unwrap();
        assert_eq!(composite.params[0].values, vec![SearchValue::Present]);
    }

    #[test]
    fn text_and_identifier_types_are_token_modifiers() {
        let request = parse(
            "Patient",
            "gender:text=fem&identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|0000001",
            Handling::Strict,
        )
        .unwrap();
        assert_eq!(request.params[0].values, vec![SearchValue::String("fem".into())]);
        let SearchValue::OfType { type_code, value, .. } = &request.params[1].values[0] else { panic!() };
        assert_eq!((type_code.as_str(), value.as_str()), ("MR", "0000001"));
        for query in [
            "gender:of-type=a|b|c",
            "identifier:of-type=MR|0000001",
            "identifier:of-type=a||c",
            "family:text=x",
            "gender:text=",
        ] {
            refused_naming_its_key("Patient", query);
        }
    }

    #[test]
    fn count_is_capped_and_self_query_is_canonical() {
        let request = parse("Patient", "_count=100000&gender=female&_format=json", Handling::Strict).unwrap();
        assert_eq!(request.count, MAX_COUNT);
        assert_eq!(request.query_string(), "gender=female&_count=1000");
    }
}
