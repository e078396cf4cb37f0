//! Time zones by IANA name, from the tz database built into the binary (so
//! a machine without `/usr/share/zoneinfo` shows the same times). A user's
//! zone is a preference; dates cross the wire as UTC seconds plus the
//! offset in force at that instant, so the browser needs no zone data.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The zone of users who chose none, unless configured otherwise.
pub const DEFAULT_ZONE: &str = "UTC";

/// Whether `name` is a zone this server knows.
pub fn is_zone(name: &str) -> bool {
    !name.is_empty() && TimeZone::get(name).is_ok()
}

/// Every zone name, sorted: the choices offered in settings.
pub fn zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/') || n == "UTC")
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The offset from UTC, in seconds east, in force in zone `name` at
/// `secs` since the epoch. An unknown zone or an instant out of range
/// counts as UTC.
pub fn offset_at(name: &str, secs: i64) -> i32 {
    let Ok(tz) = TimeZone::get(name) else {
        return 0;
    };
    match Timestamp::from_second(secs) {
        Ok(t) => tz.to_offset(t).seconds(),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_daylight_saving() {
        // (zone, instant, offset east of UTC in seconds)
        let cases = [
            ("UTC", 1_700_000_000, 0),
            // 2024-01-15 12:00 UTC: winter in Berlin, summer in Sydney.
            ("Europe/Berlin", 1_705_320_000, 3600),
            ("Australia/Sydney", 1_705_320_000, 11 * 3600),
            // 2024-07-15 12:00 UTC: summer in Berlin, winter in Sydney.
            ("Europe/Berlin", 1_721_044_800, 7200),
            ("Australia/Sydney", 1_721_044_800, 10 * 3600),
            ("America/New_York", 1_721_044_800, -4 * 3600),
            ("Asia/Kolkata", 1_721_044_800, 5 * 3600 + 1800),
            // Unknown zones and absurd instants are UTC, not a panic.
            ("Mars/Olympus_Mons", 1_721_044_800, 0),
            ("", 1_721_044_800, 0),
            ("Europe/Berlin", i64::MAX, 0),
            ("Europe/Berlin", i64::MIN, 0),
        ];
        for (zone, secs, offset) in cases {
            assert_eq!(offset_at(zone, secs), offset, "{zone} at {secs}");
        }
    }

    #[test]
    fn zone_names_are_known_sorted_and_valid() {
        let names = zone_names();
        assert!(names.len() > 300, "{} zones", names.len());
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        for must in ["UTC", "Europe/Berlin", "America/Sao_Paulo", "Asia/Tokyo"] {
            assert!(names.iter().any(|n| n == must), "{must}");
        }
        assert!(names.iter().all(|n| is_zone(n)));
        for bad in ["", "Europe", "Europe/Atlantis", "../etc/passwd", "utc\n"] {
            assert!(!is_zone(bad), "{bad:?}");
        }
    }
}
