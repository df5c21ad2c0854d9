use chrono::{DateTime, FixedOffset, NaiveDateTime};

/// What mapping needs to know about the clinic it serves.
#[derive(Debug, Clone)]
pub struct MappingContext {
    /// The identifier system of this clinic's hospital numbers (HN).
    pub hn_system: String,
    /// The clinic's offset from UTC; its `TIMESTAMP` columns are local wall-clock time.
    pub utc_offset: FixedOffset,
}

impl MappingContext {
    /// A clinic in Thailand (UTC+07:00, no daylight saving).
    pub fn thailand(hn_system: impl Into<String>) -> MappingContext {
        MappingContext {
            hn_system: hn_system.into(),
            utc_offset: FixedOffset::east_opt(7 * 3600).expect("valid offset"),
        }
    }

    /// A clinic wall-clock time as a FHIR `instant`/`dateTime` with the clinic's offset.
    pub fn instant(&self, local: NaiveDateTime) -> String {
        local
            .and_local_timezone(self.utc_offset)
            .single()
            .expect("a fixed offset maps every local time exactly once")
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
    }

    /// A FHIR `dateTime`/`instant` with a time and an offset, as clinic wall-clock time.
    /// Dates without a time cannot go into a `TIMESTAMP` column and give `None`.
    pub fn local_time(&self, date_time: &str) -> Option<NaiveDateTime> {
        let parsed = DateTime::parse_from_rfc3339(date_time).ok()?;
        Some(parsed.with_timezone(&self.utc_offset).naive_local())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_carry_the_clinic_offset_both_ways() {
        let ctx = MappingContext::thailand("urn:hn");
        let local = ctx.local_time("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(local.to_string(), "2026-01-02 10:04:05");
        assert_eq!(ctx.instant(local), "2026-01-02T10:04:05+07:00");
        assert_eq!(ctx.local_time("2026-01-02"), None);
    }
}
