//! Masking of personal data in reports: the functions live in the model layer
//! ([`crate::model::privacy`]) so that the engine masks findings where they are made. Every
//! line a report writes passes [`MaskWriter`] as well.

pub use crate::model::privacy::mask_ids;

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
}
