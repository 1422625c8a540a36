//! 屡错屡犯: repeat offences. An officer repeats a category when at least `count` of their
//! counted findings of that category fall within a rolling window of `days` days, or when
//! one is first seen after an earlier one of the same category was rectified or resolved.
//! Waived findings do not count.

use std::collections::BTreeMap;

use jiff::{Timestamp, ToSpan};

use crate::model::shanghai;
use crate::store::rollup::Offence;

/// One officer and category that repeat within the examined findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatHit {
    pub officer_id: String,
    pub category: String,
    /// the most findings in any window that ends at an examined finding
    pub most_in_window: u32,
    pub by_count: bool,
    pub after_rectification: bool,
    /// the examined findings that repeat
    pub finding_ids: Vec<i64>,
}

/// The start of the window of `days` calendar days that ends at `at` (Asia/Shanghai).
fn window_start(at: i64, days: u32) -> i64 {
    Timestamp::from_second(at)
        .ok()
        .and_then(|t| t.to_zoned(shanghai().clone()).checked_sub(i64::from(days).days()).ok())
        .map_or(i64::MIN, |z| z.timestamp().as_second())
}

/// Examines the findings first seen in `[from, until)` against the whole history in
/// `offences` (which must hold every counted finding before `until`). Sorted by officer,
/// then category.
pub fn repeats(offences: &[Offence], from: i64, until: i64, count: u32, days: u32) -> Vec<RepeatHit> {
    let mut groups: BTreeMap<(&str, &str), Vec<&Offence>> = BTreeMap::new();
    for o in offences.iter().filter(|o| o.status != "waived" && o.first_seen < until) {
        groups.entry((o.officer_id.as_str(), o.category.as_str())).or_default().push(o);
    }
    let mut out = Vec::new();
    for ((officer, category), mut list) in groups {
        list.sort_by_key(|o| (o.first_seen, o.finding_id));
        let mut hit = RepeatHit {
            officer_id: officer.to_owned(),
            category: category.to_owned(),
            most_in_window: 0,
            by_count: false,
            after_rectification: false,
            finding_ids: Vec::new(),
        };
        for (i, o) in list.iter().enumerate() {
            if o.first_seen < from {
                continue;
            }
            let since = window_start(o.first_seen, days);
            let in_window = list[..=i].iter().filter(|p| p.first_seen > since).count();
            let in_window = u32::try_from(in_window).unwrap_or(u32::MAX);
            let after =
                list.iter().any(|p| p.finding_id != o.finding_id && p.first_closed.is_some_and(|c| c < o.first_seen));
            let by_count = in_window >= count.max(1);
            if by_count {
                hit.most_in_window = hit.most_in_window.max(in_window);
            }
            hit.by_count |= by_count;
            hit.after_rectification |= after;
            if by_count || after {
                hit.finding_ids.push(o.finding_id);
            }
        }
        if !hit.finding_ids.is_empty() {
            if hit.most_in_window == 0 {
                // a repeat after rectification only: still say how many fell in the window
                hit.most_in_window = list
                    .iter()
                    .filter(|o| hit.finding_ids.contains(&o.finding_id))
                    .map(|o| {
                        let since = window_start(o.first_seen, days);
                        list.iter().filter(|p| p.first_seen > since && p.first_seen <= o.first_seen).count()
                    })
                    .max()
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(0);
            }
            out.push(hit);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn off(id: i64, officer: &str, category: &str, at: i64, status: &str, closed: Option<i64>) -> Offence {
        Offence {
            officer_id: officer.into(),
            finding_id: id,
            category: category.into(),
            unit_id: "U1".into(),
            first_seen: at,
            status: status.into(),
            first_closed: closed,
        }
    }

    #[test]
    fn three_in_ninety_days() {
        let t0 = 1_772_294_400; // 2026-03-01T00:00+08:00
        let list = vec![
            off(1, "A", "P051", t0 - 88 * DAY, "open", None),
            off(2, "A", "P051", t0 - 10 * DAY, "open", None),
            off(3, "A", "P051", t0 + DAY, "open", None),
            // B: the third is 90 days after the first, which leaves the window
            off(4, "B", "P051", t0 - 89 * DAY, "open", None),
            off(5, "B", "P051", t0 - 80 * DAY, "open", None),
            off(6, "B", "P051", t0 + DAY, "open", None),
            // C: three, but one is waived
            off(7, "C", "P010", t0, "open", None),
            off(8, "C", "P010", t0 + DAY, "waived", None),
            off(9, "C", "P010", t0 + 2 * DAY, "open", None),
        ];
        let hits = repeats(&list, t0, t0 + 31 * DAY, 3, 90);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].officer_id.as_str(), hits[0].most_in_window, hits[0].by_count), ("A", 3, true));
        assert_eq!(hits[0].finding_ids, vec![3]);
    }

    #[test]
    fn a_new_one_after_rectification() {
        let t0 = 1_772_294_400;
        let list = vec![
            off(1, "A", "P051", t0 - 200 * DAY, "rectified", Some(t0 - 190 * DAY)),
            off(2, "A", "P051", t0 + 5 * DAY, "open", None),
            // rectified only after the new one appeared: not a repeat
            off(3, "B", "P051", t0 - 20 * DAY, "rectified", Some(t0 + 9 * DAY)),
            off(4, "B", "P051", t0 + 5 * DAY, "open", None),
        ];
        let hits = repeats(&list, t0, t0 + 31 * DAY, 3, 90);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].after_rectification && !hits[0].by_count);
        assert_eq!(
            (hits[0].officer_id.as_str(), hits[0].finding_ids.clone(), hits[0].most_in_window),
            ("A", vec![2], 1)
        );
    }
}
