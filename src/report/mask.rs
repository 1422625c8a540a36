//! Masking resident ID numbers (居民身份证号码) in everything a report prints.
//!
//! A run of exactly 18 characters (17 digits and a digit or `X`) or exactly 15 digits,
//! not touching another ASCII letter or digit, keeps its first 6 and last 4 characters:
//! `330502199001011234` becomes `330502********1234`. Every string that goes into a
//! report model passes through [`mask_ids`], and each rendered report passes through it
//! once more before it is written.

use std::borrow::Cow;

/// Masks every resident ID number in `s`.
pub fn mask_ids(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        let digits = j - i;
        let mut end = j;
        if digits == 17 && j < bytes.len() && (bytes[j] == b'X' || bytes[j] == b'x') {
            end = j + 1;
        }
        let len = end - i;
        let isolated = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if isolated && (len == 18 || (len == 15 && digits == 15)) {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[copied..i + 6]);
            o.push_str(&"*".repeat(len - 10));
            o.push_str(&s[end - 4..end]);
            copied = end;
        }
        i = end.max(i + 1);
    }
    match out {
        Some(mut o) => {
            o.push_str(&s[copied..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(s),
    }
}

/// A writer that masks every resident ID number in what passes through it, line by line
/// (no number spans a line in any format).
pub struct MaskWriter<'w> {
    out: &'w mut dyn std::io::Write,
    line: Vec<u8>,
}

impl<'w> MaskWriter<'w> {
    pub fn new(out: &'w mut dyn std::io::Write) -> MaskWriter<'w> {
        MaskWriter { out, line: Vec::new() }
    }

    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let rest = self.line.split_off(upto);
        let text = String::from_utf8_lossy(&self.line);
        self.out.write_all(mask_ids(&text).as_bytes())?;
        self.line = rest;
        Ok(())
    }

    /// Writes what is left and flushes.
    pub fn finish(mut self) -> std::io::Result<()> {
        let n = self.line.len();
        self.emit(n)?;
        self.out.flush()
    }
}

impl std::io::Write for MaskWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        if let Some(i) = self.line.iter().rposition(|b| *b == b'\n') {
            self.emit(i + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::mask_ids;

    #[test]
    fn masks_18_and_15_character_numbers() {
        assert_eq!(mask_ids("330502199001011234"), "330502********1234");
        assert_eq!(mask_ids("身份证号33050219900101123X，男"), "身份证号330502********123X，男");
        assert_eq!(mask_ids("a 330502900101123 b"), "a 330502*****1123 b");
        assert_eq!(mask_ids("{\"id_number\":\"330502200512310021\"}"), "{\"id_number\":\"330502********0021\"}");
        assert_eq!(
            mask_ids("两人：110101199003071234、110101199003075678"),
            "两人：110101********1234、110101********5678"
        );
    }

    #[test]
    fn the_writer_masks_across_writes() {
        use std::io::Write;
        let mut out = Vec::new();
        let mut w = super::MaskWriter::new(&mut out);
        for part in ["号码 3305021990", "01011234，", "\n另 110101199003071234"] {
            w.write_all(part.as_bytes()).expect("write");
        }
        w.finish().expect("finish");
        assert_eq!(String::from_utf8_lossy(&out), "号码 330502********1234，\n另 110101********1234");
    }

    #[test]
    fn leaves_other_numbers_alone() {
        for s in [
            "JA-2026-0113",
            "1772431500",
            "13812345678",
            "3305021990010112345",
            "X330502199001011234",
            "33050219900101123",
            "0.5258140398662869",
        ] {
            assert_eq!(mask_ids(s), s);
        }
    }
}
