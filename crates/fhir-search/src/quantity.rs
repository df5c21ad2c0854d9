//! Number and quantity search values: a prefix, a decimal with the implicit range of its
//! precision, and for quantities the unit (`[prefix]number|system|code`).

use crate::Prefix;

/// A decimal as written: `mantissa × 10^-scale`, so `5.40` keeps its two decimals (precision
/// is part of what a search value means).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    mantissa: i128,
    scale: i32,
}

/// More digits than any clinical number has; keeps the mantissa far from overflowing.
const MAX_DIGITS: usize = 30;

impl Decimal {
    /// `-?digits[.digits][e[+-]digits]`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (number, exponent) = match text.split_once(['e', 'E']) {
            Some((number, exponent)) => (number, exponent.parse::<i32>().ok().filter(|e| e.abs() <= 300)?),
            None => (text, 0),
        };
        let (negative, unsigned) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits_only(whole)
            || !digits_only(fraction)
            || (unsigned.contains('.') && fraction.is_empty())
            || whole.len() + fraction.len() > MAX_DIGITS
        {
            return None;
        }
        let magnitude: i128 = format!("{whole}{fraction}").parse().ok()?;
        let fraction_digits = i32::try_from(fraction.len()).ok()?;
        Some(Decimal {
            mantissa: if negative { -magnitude } else { magnitude },
            scale: fraction_digits - exponent,
        })
    }

    pub fn value(self) -> f64 {
        scaled(self.mantissa, self.scale)
    }

    /// `[low, high)`: the values that round to this one at its precision (`5.4` is
    /// `[5.35, 5.45)`), each bound as near as a double gets to the exact decimal.
    pub fn implicit_range(self) -> (f64, f64) {
        let (low, high) = (self.mantissa * 10 - 5, self.mantissa * 10 + 5);
        (scaled(low, self.scale + 1), scaled(high, self.scale + 1))
    }

    /// The range `ap` searches: the implicit range or 10% either side, whichever is wider.
    pub fn approximate_range(self) -> (f64, f64) {
        let (low, high) = self.implicit_range();
        let margin = self.value().abs() / 10.0;
        (low.min(self.value() - margin), high.max(self.value() + margin))
    }
}

/// `mantissa × 10^-scale`, parsed from its decimal text so the double is the nearest to it.
fn scaled(mantissa: i128, scale: i32) -> f64 {
    format!("{mantissa}e{}", -scale).parse().unwrap_or(f64::NAN)
}

/// `[prefix]number[|system|code]`: without a system the code may match a quantity's code or
/// its unit; without a unit, any unit matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityValue {
    pub prefix: Prefix,
    pub number: Decimal,
    pub system: Option<String>,
    pub code: Option<String>,
}

impl QuantityValue {
    /// From the value's `|`-separated parts (already unescaped).
    pub fn from_parts(parts: &[String]) -> Option<QuantityValue> {
        let (number, system, code) = match parts {
            [number] => (number, None, None),
            [number, system, code] => (number, non_empty(system), non_empty(code)),
            _ => return None,
        };
        let (prefix, number) = Prefix::split(number);
        Some(QuantityValue { prefix, number: Decimal::parse(number)?, system, code })
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_precision_written_is_the_range_searched() {
        let written = Decimal::parse("5.4").unwrap();
        assert_eq!(written.implicit_range(), (5.35, 5.45));
        assert_eq!(Decimal::parse("5.40").unwrap().implicit_range(), (5.395, 5.405));
        assert_eq!(Decimal::parse("140").unwrap().implicit_range(), (139.5, 140.5));
        assert_eq!(Decimal::parse("1.4e2").unwrap().implicit_range(), (135.0, 145.0));
        assert_eq!(Decimal::parse("-2.5").unwrap().implicit_range(), (-2.55, -2.45));
        assert_eq!(Decimal::parse("100").unwrap().approximate_range(), (90.0, 110.0));
        for bad in ["", "1.", ".5", "1,5", "abc", "1e", "--1", "1e999", "12345678901234567890123456789012"] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn units_are_optional_and_the_prefix_leads() {
        let parts = |text: &str| text.split('|').map(str::to_owned).collect::<Vec<_>>();
        let quantity = QuantityValue::from_parts(&parts("gt140|http://unitsofmeasure.org|mm[Hg]")).unwrap();
        assert_eq!(quantity.prefix, Prefix::Gt);
        assert_eq!(quantity.number.value(), 140.0);
        assert_eq!(quantity.code.as_deref(), Some("mm[Hg]"));
        let unit_only = QuantityValue::from_parts(&parts("5.4||mmol/L")).unwrap();
        assert_eq!((unit_only.system, unit_only.code.as_deref()), (None, Some("mmol/L")));
        assert!(QuantityValue::from_parts(&parts("5|kg")).is_none());
        assert!(QuantityValue::from_parts(&parts("xx5")).is_none());
    }
}
