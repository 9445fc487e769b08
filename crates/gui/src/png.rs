//! A small PNG encoder, so the GUI binary carries no image or compression
//! crate (the `png` crate pulls in flate2, miniz_oxide, fdeflate, crc32fast
//! and bitflags: more build time on 2 cores and more bytes on the board,
//! for one function). It writes:
//!
//! - an indexed-colour image (palette, 8 bits a pixel) when the picture has
//!   at most 256 colours, which a dashboard of flat colours and mono fonts
//!   always has, else 8-bit RGB with a per-row filter (None, Sub or Up,
//!   whichever has the smallest sum of magnitudes);
//! - one zlib stream, deflated with LZ77 (hash chains, 32 KiB window) and
//!   the fixed Huffman code: flat areas and repeated rows become long
//!   matches, so a dashboard screen is a few kilobytes.
//!
//! The output is deterministic: the same pixels give the same bytes.
//! The tests decode it with an independent decoder (the `png` crate, a
//! dev-dependency only).

use std::collections::HashMap;

/// Encodes `pixels` (`0x00RRGGBB`, row after row, `width` x `height` of
/// them; missing ones are black, extra ones ignored) as a PNG file.
pub fn encode(width: u32, height: u32, pixels: &[u32]) -> Vec<u8> {
    let count = width as usize * height as usize;
    let pixel = |i: usize| pixels.get(i).copied().unwrap_or(0) & 0x00FF_FFFF;
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let palette = palette_of((0..count).map(pixel));
    let color_type = if palette.is_some() { 3 } else { 2 };
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // 8 bits per sample, colour type, deflate, adaptive filters, no interlace.
    ihdr.extend_from_slice(&[8, color_type, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    let w = width as usize;
    let raw = match &palette {
        Some((colors, index)) => {
            let plte: Vec<u8> = colors
                .iter()
                .flat_map(|&c| {
                    let [_, r, g, b] = c.to_be_bytes();
                    [r, g, b]
                })
                .collect();
            chunk(&mut out, b"PLTE", &plte);
            // Filter None on every row: the one the PNG spec advises for
            // palette images; repeated rows still become long matches.
            let mut raw = Vec::with_capacity(count + height as usize);
            for y in 0..height as usize {
                raw.push(0);
                raw.extend((0..w).map(|x| index[&pixel(y * w + x)]));
            }
            raw
        }
        None => filtered_rgb(w, height as usize, pixel),
    };
    chunk(&mut out, b"IDAT", &zlib(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The colours in order of first use and their indices, if at most 256.
#[allow(clippy::type_complexity, reason = "a pair of plain collections")]
fn palette_of(pixels: impl Iterator<Item = u32>) -> Option<(Vec<u32>, HashMap<u32, u8>)> {
    let mut colors = Vec::new();
    let mut index = HashMap::new();
    let mut last = None;
    for p in pixels {
        // Neighbouring pixels mostly repeat: skip the map for them.
        if last == Some(p) {
            continue;
        }
        last = Some(p);
        if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(p) {
            // A 257th colour has no index.
            let Ok(i) = u8::try_from(colors.len()) else {
                return None;
            };
            slot.insert(i);
            colors.push(p);
        }
    }
    Some((colors, index))
}

/// RGB rows, each with the filter byte that suits it best.
fn filtered_rgb(w: usize, h: usize, pixel: impl Fn(usize) -> u32) -> Vec<u8> {
    let stride = 3 * w;
    let mut raw = Vec::with_capacity((stride + 1) * h);
    let mut prev = vec![0u8; stride];
    let mut row = vec![0u8; stride];
    let mut candidates = [vec![0u8; stride], vec![0u8; stride], vec![0u8; stride]];
    for y in 0..h {
        for x in 0..w {
            let p = pixel(y * w + x);
            row[3 * x..3 * x + 3].copy_from_slice(&p.to_be_bytes()[1..]);
        }
        for i in 0..stride {
            let left = if i >= 3 { row[i - 3] } else { 0 };
            candidates[0][i] = row[i];
            candidates[1][i] = row[i].wrapping_sub(left);
            candidates[2][i] = row[i].wrapping_sub(prev[i]);
        }
        // The usual heuristic: the row whose bytes, read as signed, are
        // closest to zero.
        let cost = |r: &[u8]| {
            r.iter()
                .map(|&b| u64::from(b.cast_signed().unsigned_abs()))
                .sum::<u64>()
        };
        let best = (0..3u8)
            .min_by_key(|&f| cost(&candidates[usize::from(f)]))
            .unwrap_or(0);
        raw.push(best);
        raw.extend_from_slice(&candidates[usize::from(best)]);
        std::mem::swap(&mut prev, &mut row);
    }
    raw
}

/// Appends a chunk: length, type, data, CRC of type and data.
#[allow(
    clippy::cast_possible_truncation,
    reason = "screens are at most 8192 x 8192 (--size): a chunk is far below 4 GiB"
)]
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(crc32(0, kind), data);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (ISO-HDLC, as PNG uses), continued from `crc`.
fn crc32(crc: u32, data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut n = 0u32;
        while n < 256 {
            let mut c = n;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[n as usize] = c;
            n += 1;
        }
        table
    };
    let mut c = !crc;
    for &b in data {
        c = TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Adler-32 of `data`, as zlib ends its stream with.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that cannot overflow `b` before the modulo.
    for block in data.chunks(5552) {
        for &x in block {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    b << 16 | a
}

/// A zlib stream (RFC 1950) of `data`, one fixed-Huffman deflate block.
pub(crate) fn zlib(data: &[u8]) -> Vec<u8> {
    let mut bits = BitWriter::default();
    // CMF: deflate, 32 KiB window; FLG: default level, check bits.
    bits.out.extend_from_slice(&[0x78, 0x9C]);
    deflate_fixed(data, &mut bits);
    let mut out = bits.finish();
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// Bits into bytes, least significant first (as deflate packs them).
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    /// Writes the `n` low bits of `v`, least significant first.
    fn bits(&mut self, v: u32, n: u32) {
        self.acc |= u64::from(v) << self.n;
        self.n += n;
        while self.n >= 8 {
            self.out.push(self.acc.to_le_bytes()[0]);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Writes a Huffman code of `n` bits, most significant first.
    fn code(&mut self, code: u32, n: u32) {
        self.bits(code.reverse_bits() >> (32 - n), n);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc.to_le_bytes()[0]);
        }
        self.out
    }
}

/// The fixed Huffman code of literal/length symbol `sym` (RFC 1951 3.2.6).
fn literal_code(sym: u32) -> (u32, u32) {
    match sym {
        0..=143 => (0x30 + sym, 8),
        144..=255 => (0x190 + sym - 144, 9),
        256..=279 => (sym - 256, 7),
        _ => (0xC0 + sym - 280, 8),
    }
}

/// Match lengths: (symbol, extra bits, base length) for 3..=258.
const LENGTHS: [(u32, u32, u32); 29] = [
    (257, 0, 3),
    (258, 0, 4),
    (259, 0, 5),
    (260, 0, 6),
    (261, 0, 7),
    (262, 0, 8),
    (263, 0, 9),
    (264, 0, 10),
    (265, 1, 11),
    (266, 1, 13),
    (267, 1, 15),
    (268, 1, 17),
    (269, 2, 19),
    (270, 2, 23),
    (271, 2, 27),
    (272, 2, 31),
    (273, 3, 35),
    (274, 3, 43),
    (275, 3, 51),
    (276, 3, 59),
    (277, 4, 67),
    (278, 4, 83),
    (279, 4, 99),
    (280, 4, 115),
    (281, 5, 131),
    (282, 5, 163),
    (283, 5, 195),
    (284, 5, 227),
    (285, 0, 258),
];

/// Distances: (extra bits, base distance) for codes 0..30.
const DISTANCES: [(u32, u32); 30] = [
    (0, 1),
    (0, 2),
    (0, 3),
    (0, 4),
    (1, 5),
    (1, 7),
    (2, 9),
    (2, 13),
    (3, 17),
    (3, 25),
    (4, 33),
    (4, 49),
    (5, 65),
    (5, 97),
    (6, 129),
    (6, 193),
    (7, 257),
    (7, 385),
    (8, 513),
    (8, 769),
    (9, 1025),
    (9, 1537),
    (10, 2049),
    (10, 3073),
    (11, 4097),
    (11, 6145),
    (12, 8193),
    (12, 12289),
    (13, 16385),
    (13, 24577),
];

const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// Candidates tried per position: enough for a screen's repeats, bounded
/// so a pathological input stays linear.
const MAX_CHAIN: usize = 48;
const HASH_BITS: u32 = 15;

fn hash3(d: &[u8]) -> usize {
    let v = u32::from(d[0]) << 16 | u32::from(d[1]) << 8 | u32::from(d[2]);
    (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// One final deflate block with the fixed Huffman code.
fn deflate_fixed(data: &[u8], bits: &mut BitWriter) {
    bits.bits(1, 1); // BFINAL
    bits.bits(1, 2); // BTYPE = 01, fixed Huffman
    let mut head = vec![usize::MAX; 1 << HASH_BITS];
    let mut prev = vec![usize::MAX; WINDOW];
    let insert = |head: &mut [usize], prev: &mut [usize], i: usize| {
        if i + MIN_MATCH <= data.len() {
            let h = hash3(&data[i..]);
            prev[i % WINDOW] = head[h];
            head[h] = i;
        }
    };
    let mut i = 0;
    while i < data.len() {
        let (len, dist) = longest_match(data, i, &head, &prev);
        if len >= MIN_MATCH {
            emit_match(bits, len, dist);
            for j in i..i + len {
                insert(&mut head, &mut prev, j);
            }
            i += len;
        } else {
            let (code, n) = literal_code(u32::from(data[i]));
            bits.code(code, n);
            insert(&mut head, &mut prev, i);
            i += 1;
        }
    }
    let (code, n) = literal_code(256); // end of block
    bits.code(code, n);
}

fn longest_match(data: &[u8], i: usize, head: &[usize], prev: &[usize]) -> (usize, usize) {
    if i + MIN_MATCH > data.len() {
        return (0, 0);
    }
    let max = (data.len() - i).min(MAX_MATCH);
    let (mut best_len, mut best_dist) = (0, 0);
    let mut candidate = head[hash3(&data[i..])];
    for _ in 0..MAX_CHAIN {
        if candidate == usize::MAX || candidate >= i || i - candidate > WINDOW {
            break;
        }
        let len = data[candidate..]
            .iter()
            .zip(&data[i..i + max])
            .take_while(|(a, b)| a == b)
            .count();
        if len > best_len {
            (best_len, best_dist) = (len, i - candidate);
            if len == max {
                break;
            }
        }
        let next = prev[candidate % WINDOW];
        // The slot may hold a newer position after the window wrapped.
        if next != usize::MAX && next >= candidate {
            break;
        }
        candidate = next;
    }
    (best_len, best_dist)
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "len <= 258, dist <= 32 768 (the window) and the distance code < 30"
)]
fn emit_match(bits: &mut BitWriter, len: usize, dist: usize) {
    let len = len as u32;
    let &(sym, extra, base) = LENGTHS
        .iter()
        .rev()
        .find(|&&(_, _, base)| base <= len)
        .unwrap_or(&LENGTHS[0]);
    // 258 has its own symbol; 227 + 31 would also read as 258.
    let (sym, extra, base) = if len == 258 {
        (285, 0, 258)
    } else {
        (sym, extra, base)
    };
    let (code, n) = literal_code(sym);
    bits.code(code, n);
    bits.bits(len - base, extra);
    let dist = dist as u32;
    let (dcode, &(dextra, dbase)) = DISTANCES
        .iter()
        .enumerate()
        .rev()
        .find(|&(_, &(_, base))| base <= dist)
        .unwrap_or((0, &DISTANCES[0]));
    bits.code(dcode as u32, 5);
    bits.bits(dist - dbase, dextra);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(0, b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(0, b"IEND"), 0xAE42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(&[]), 1);
    }

    #[test]
    fn the_empty_stream_is_the_canonical_fixed_block() {
        // BFINAL=1, BTYPE=01, end-of-block: the well-known `03 00`.
        assert_eq!(zlib(&[]), [0x78, 0x9C, 0x03, 0x00, 0, 0, 0, 1]);
    }

    #[test]
    fn flat_images_compress_to_little() {
        let pixels = vec![0x0C0E12; 800 * 480];
        let png = encode(800, 480, &pixels);
        assert!(png.len() < 4_000, "{} bytes", png.len());
    }
}
