//! 屡错屡犯: repeat offences. An officer repeats a category when at least `count` of their
//! counted findings of that category fall within a rolling window of `days` days, or when
//! one is first seen after an earlier one of the same category was rectified or resolved.
//! Waived findings do not count.

use std::collections::{BTreeMap, HashMap};

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

/// The earliest instant a counted finding needs to be read from to examine the findings
/// first seen from `from` on: only those first seen after it can share a window with them.
/// (Whether an older one was rectified before is asked of [`Closures`].)
pub fn window_from(from: i64, days: u32) -> i64 {
    window_start(from, days)
}

/// Per officer and category, the two earliest first rectifications or resolutions of
/// distinct counted findings that are not waived: enough to tell whether a finding came
/// after another one of its kind was rectified, without holding the whole history.
#[derive(Debug, Default)]
pub struct Closures(HashMap<String, HashMap<String, Earliest>>);

/// The two earliest (instant, finding id), earliest first.
type Earliest = [Option<(i64, i64)>; 2];

impl Closures {
    /// Keeps closures of these (officer, category) pairs only.
    pub fn for_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Closures {
        let mut map: HashMap<String, HashMap<String, Earliest>> = HashMap::new();
        for (officer, category) in pairs {
            map.entry(officer.to_owned()).or_default().entry(category.to_owned()).or_insert([None, None]);
        }
        Closures(map)
    }

    /// Finding `finding_id` of `officer` and `category` was first rectified or resolved at
    /// `at` (each finding once); ignored for pairs not kept.
    pub fn add(&mut self, officer: &str, category: &str, finding_id: i64, at: i64) {
        let Some(two) = self.0.get_mut(officer).and_then(|m| m.get_mut(category)) else { return };
        let new = Some((at, finding_id));
        match two {
            [None, _] => two[0] = new,
            [Some(first), _] if at < first.0 => *two = [new, two[0]],
            [_, None] => two[1] = new,
            [_, Some(second)] if at < second.0 => two[1] = new,
            _ => {}
        }
    }

    /// Every closure of `offences` (the whole history, as [`repeats`] once required).
    pub fn of(offences: &[Offence], until: i64) -> Closures {
        let mut c = Closures::for_pairs(offences.iter().map(|o| (o.officer_id.as_str(), o.category.as_str())));
        for o in offences.iter().filter(|o| o.status != "waived" && o.first_seen < until) {
            if let Some(at) = o.first_closed {
                c.add(&o.officer_id, &o.category, o.finding_id, at);
            }
        }
        c
    }

    /// Whether a finding of `officer` and `category` other than `finding_id` was first
    /// rectified or resolved before `t`.
    fn before(&self, officer: &str, category: &str, finding_id: i64, t: i64) -> bool {
        let Some(two) = self.0.get(officer).and_then(|m| m.get(category)) else { return false };
        let other = match two[0] {
            Some((_, id)) if id == finding_id => two[1],
            first => first,
        };
        other.is_some_and(|(at, _)| at < t)
    }
}

/// Examines the findings first seen in `[from, until)`. `offences` must hold every counted
/// finding first seen after `window_from(from, days)` and before `until`; `closures` the
/// earliest closures of the whole history. Sorted by officer, then category.
pub fn repeats(
    offences: &[Offence],
    closures: &Closures,
    from: i64,
    until: i64,
    count: u32,
    days: u32,
) -> Vec<RepeatHit> {
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
            let after = closures.before(officer, category, o.finding_id, o.first_seen);
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
        let hits = repeats(&list, &Closures::of(&list, t0 + 31 * DAY), t0, t0 + 31 * DAY, 3, 90);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].officer_id.as_str(), hits[0].most_in_window, hits[0].by_count), ("A", 3, true));
        assert_eq!(hits[0].finding_ids, vec![3]);
    }

    /// Reading only the window before the period, with the closures of the whole history,
    /// finds what the whole history finds; `Closures` answers what a scan of every earlier
    /// finding answers.
    #[test]
    fn the_window_and_the_closures_stand_for_the_whole_history() {
        let t0 = 1_772_294_400;
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let mut list = Vec::new();
        for id in 0..3000 {
            let at = t0 - 400 * DAY + i64::try_from(next(430 * DAY as u64)).unwrap_or(0);
            let status = ["open", "pushed", "rectified", "waived", "resolved"][next(5) as usize];
            let closed = (next(3) == 0).then(|| at + i64::try_from(next(60 * DAY as u64)).unwrap_or(0));
            let officer = ["A", "B", "C"][next(3) as usize];
            list.push(off(id, officer, ["P051", "P010"][next(2) as usize], at, status, closed));
        }
        let (from, until) = (t0, t0 + 31 * DAY);
        let closures = Closures::of(&list, until);
        for o in &list {
            let scan = list.iter().any(|p| {
                p.officer_id == o.officer_id
                    && p.category == o.category
                    && p.finding_id != o.finding_id
                    && p.status != "waived"
                    && p.first_seen < until
                    && p.first_closed.is_some_and(|c| c < o.first_seen)
            });
            assert_eq!(closures.before(&o.officer_id, &o.category, o.finding_id, o.first_seen), scan, "{o:?}");
        }
        for (count, days) in [(3, 90), (2, 30), (5, 365)] {
            let all = repeats(&list, &closures, from, until, count, days);
            let after = window_from(from, days);
            let window: Vec<Offence> = list.iter().filter(|o| o.first_seen > after).cloned().collect();
            assert!(window.len() < list.len());
            assert_eq!(repeats(&window, &closures, from, until, count, days), all);
            assert!(!all.is_empty());
        }
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
        let hits = repeats(&list, &Closures::of(&list, t0 + 31 * DAY), t0, t0 + 31 * DAY, 3, 90);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].after_rectification && !hits[0].by_count);
        assert_eq!(
            (hits[0].officer_id.as_str(), hits[0].finding_ids.clone(), hits[0].most_in_window),
            ("A", vec![2], 1)
        );
    }
}
