//! lib0 binary encoding (the one Yjs and y-protocols use), read without trusting a single byte:
//! every length is checked against the bytes that remain before anything is allocated.

/// Why bytes could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the message ends in the middle of a value")]
    Truncated,
    #[error("a number is longer than 64 bits")]
    Overflow,
    #[error("a text is not valid UTF-8")]
    Utf8,
}

/// A cursor over untrusted bytes.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, ReadError> {
        let byte = *self.bytes.get(self.pos).ok_or(ReadError::Truncated)?;
        self.pos += 1;
        Ok(byte)
    }

    /// An unsigned variable-length integer (7 bits a byte, little end first).
    pub fn var_u64(&mut self) -> Result<u64, ReadError> {
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let byte = self.u8()?;
            if shift == 63 && byte > 1 {
                return Err(ReadError::Overflow);
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err(ReadError::Overflow);
            }
        }
    }

    /// A signed variable-length integer (lib0: sign in bit 6 of the first byte).
    pub fn var_i64(&mut self) -> Result<i64, ReadError> {
        let first = self.u8()?;
        let negative = first & 0x40 != 0;
        let mut value = u64::from(first & 0x3f);
        let mut shift = 6u32;
        let mut more = first & 0x80 != 0;
        while more {
            let byte = self.u8()?;
            if shift > 62 {
                return Err(ReadError::Overflow);
            }
            value |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            more = byte & 0x80 != 0;
        }
        let value = i64::try_from(value).map_err(|_| ReadError::Overflow)?;
        Ok(if negative { -value } else { value })
    }

    /// Exactly `len` bytes.
    pub fn bytes(&mut self, len: usize) -> Result<&'a [u8], ReadError> {
        if len > self.remaining() {
            return Err(ReadError::Truncated);
        }
        let slice = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(slice)
    }

    /// A length-prefixed byte array.
    pub fn var_bytes(&mut self) -> Result<&'a [u8], ReadError> {
        let len = self.var_u64()?;
        let len = usize::try_from(len).map_err(|_| ReadError::Truncated)?;
        self.bytes(len)
    }

    /// A length-prefixed UTF-8 string.
    pub fn var_str(&mut self) -> Result<&'a str, ReadError> {
        std::str::from_utf8(self.var_bytes()?).map_err(|_| ReadError::Utf8)
    }

    /// A count of items that each take at least `min_bytes`: refused if the bytes left cannot
    /// hold that many, so that no declared count can make anyone allocate for it.
    pub fn count(&mut self, min_bytes: usize) -> Result<usize, ReadError> {
        let count = self.var_u64()?;
        let count = usize::try_from(count).map_err(|_| ReadError::Truncated)?;
        if count.saturating_mul(min_bytes.max(1)) > self.remaining() {
            return Err(ReadError::Truncated);
        }
        Ok(count)
    }
}

/// Appends an unsigned variable-length integer.
pub fn write_var_u64(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a length-prefixed byte array.
pub fn write_var_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_var_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_round_trip() {
        for value in [0, 1, 127, 128, 300, 1 << 32, (1 << 53) - 1, u64::MAX] {
            let mut out = Vec::new();
            write_var_u64(&mut out, value);
            assert_eq!(Reader::new(&out).var_u64(), Ok(value));
        }
    }

    #[test]
    fn hostile_numbers_are_refused() {
        assert_eq!(Reader::new(&[0x80; 11]).var_u64(), Err(ReadError::Overflow));
        assert_eq!(
            Reader::new(&[0xff, 0xff]).var_u64(),
            Err(ReadError::Truncated)
        );
        assert_eq!(Reader::new(&[]).u8(), Err(ReadError::Truncated));
    }

    #[test]
    fn signed_integers() {
        // lib0 writes -5 as 0x45 (sign bit 0x40, value 5) and 200 as [0x88, 0x03].
        assert_eq!(Reader::new(&[0x45]).var_i64(), Ok(-5));
        assert_eq!(Reader::new(&[0x88, 0x03]).var_i64(), Ok(200));
    }

    #[test]
    fn declared_lengths_must_fit() {
        let mut out = Vec::new();
        write_var_u64(&mut out, 1 << 40);
        assert_eq!(Reader::new(&out).var_bytes(), Err(ReadError::Truncated));
        assert_eq!(Reader::new(&out).count(1), Err(ReadError::Truncated));
        let mut text = Vec::new();
        write_var_bytes(&mut text, "议事".as_bytes());
        assert_eq!(Reader::new(&text).var_str(), Ok("议事"));
        assert_eq!(
            Reader::new(&[2, 0xff, 0xfe]).var_str(),
            Err(ReadError::Utf8)
        );
    }
}
