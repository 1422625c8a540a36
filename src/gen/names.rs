//! Names and places for synthetic cases.

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高", "沈", "钱", "潘", "姚",
];
pub const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强",
    "海燕", "晓东", "丽华", "文斌", "国平", "春梅", "浩然", "子涵",
];

/// (unit id, unit name, officer count)
pub const UNITS: &[(&str, &str, usize)] = &[
    ("U01", "城关派出所", 9),
    ("U02", "东城派出所", 8),
    ("U03", "西湖派出所", 7),
    ("U04", "南浔派出所", 8),
    ("U05", "交警大队", 7),
    ("U06", "刑侦大队", 9),
];

/// Region codes for resident id numbers.
pub const REGIONS: &[&str] = &["330502", "330503", "330521", "330522", "330523", "330102"];

/// The generator's roster: the one name of officer number `n` of `unit` (`U01-O02` is unit
/// `U01`, number 2), the same in every case and with any seed. Officers numbered up to 104
/// in each unit (every regular officer and the first spares) have different names; beyond
/// that names repeat, as they do in a large bureau.
pub fn officer_name(unit: &str, n: u64) -> String {
    let unit_index = UNITS.iter().position(|u| u.0 == unit).unwrap_or(UNITS.len()) as u64;
    let combos = (SURNAMES.len() * GIVEN.len()) as u64;
    // each unit gets its own block of the 624 names (104 each), and 331 is prime to 624: the
    // map from (unit, number) to a name is one to one for numbers up to 104 (every regular
    // officer and the first spares); beyond that names repeat
    let per_unit = combos / UNITS.len() as u64;
    let i = ((unit_index * per_unit + n) * 331 % combos) as usize;
    format!("{}{}", SURNAMES[i / GIVEN.len()], GIVEN[i % GIVEN.len()])
}

/// The roster's name of a generated officer id `<unit>-O<n>`; `None` for any other id.
pub fn roster_name(officer_id: &str) -> Option<String> {
    let (unit, n) = officer_id.rsplit_once("-O")?;
    Some(officer_name(unit, n.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_officers_and_the_first_spares_have_different_names() {
        let mut seen = std::collections::HashSet::new();
        for (unit, _, count) in UNITS {
            for n in 1..=(*count as u64).max(100) {
                assert!(seen.insert(officer_name(unit, n)), "{unit}-O{n:02}");
            }
        }
        assert_eq!(roster_name("U01-O02"), Some(officer_name("U01", 2)));
        assert_eq!(roster_name("U01-LEAD"), None);
    }
}
