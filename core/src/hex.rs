//! Hex numbers, the one writer every output uses: `0x` and lower-case digits, as
//! `format!("{v:#x}")` gives, without its cost (a table of 100,000 devices prints a
//! million of them). And the serde helpers that write 64-bit values as such strings
//! in JSON, since many JSON readers lose precision past 2^53.

/// Write the lower-case hex digits of `value` (no prefix, no leading zeros) at the
/// end of `buf`; returns where they start.
fn write_digits(value: u64, buf: &mut [u8]) -> usize {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut at = buf.len();
    let mut rest = value;
    loop {
        at -= 1;
        buf[at] = DIGITS[(rest & 0xf) as usize];
        rest >>= 4;
        if rest == 0 {
            return at;
        }
    }
}

/// Append `value` as `0x` and lower-case hex digits, at least `width` of them: the
/// text of `format!("{value:#0w$x}")` with `w = width + 2`.
pub fn push_hex(out: &mut String, value: u64, width: usize) {
    let mut buf = [0u8; 16];
    let at = write_digits(value, &mut buf);
    out.push_str("0x");
    for _ in buf.len() - at..width {
        out.push('0');
    }
    out.extend(buf[at..].iter().map(|&b| char::from(b)));
}

pub mod u64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 18];
        let mut at = super::write_digits(*v, &mut buf);
        at -= 2;
        buf[at..at + 2].copy_from_slice(b"0x");
        // Only ASCII digits were written.
        s.serialize_str(std::str::from_utf8(&buf[at..]).unwrap_or_default())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let s = String::deserialize(d)?;
        crate::parse_u64(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a 64-bit number: {s:?}")))
    }
}

/// A capability mask, as `0x` hex like the attribute masks.
pub mod u32 {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u32, s: S) -> Result<S::Ok, S::Error> {
        super::u64::serialize(&u64::from(*v), s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let v = super::u64::deserialize(d)?;
        u32::try_from(v)
            .map_err(|_| serde::de::Error::custom(format!("not a 32-bit number: {v:#x}")))
    }
}

#[cfg(test)]
mod tests {
    use super::push_hex;

    #[test]
    fn hex_is_what_format_gives() {
        for v in [0, 1, 0xf, 0x10, 0xfec0_0000, u64::MAX - 1, u64::MAX] {
            for width in [0, 1, 4, 16, 20] {
                let mut out = String::new();
                push_hex(&mut out, v, width);
                assert_eq!(out, format!("{v:#0w$x}", w = width + 2));
            }
        }
    }
}
