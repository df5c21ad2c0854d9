//! The comparison prefixes of ordered search values (dates, quantities).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Sa,
    Eb,
    Ap,
}

impl Prefix {
    /// The prefix a value starts with (`eq` when it has none) and the rest of the value.
    pub fn split(raw: &str) -> (Prefix, &str) {
        const PREFIXES: [(&str, Prefix); 9] = [
            ("eq", Prefix::Eq),
            ("ne", Prefix::Ne),
            ("lt", Prefix::Lt),
            ("gt", Prefix::Gt),
            ("le", Prefix::Le),
            ("ge", Prefix::Ge),
            ("sa", Prefix::Sa),
            ("eb", Prefix::Eb),
            ("ap", Prefix::Ap),
        ];
        PREFIXES
            .iter()
            .find_map(|(text, prefix)| raw.strip_prefix(text).map(|rest| (*prefix, rest)))
            .unwrap_or((Prefix::Eq, raw))
    }
}
