//! Levenshtein distance of one text (the pattern, prepared once) to many,
//! by Myers' bit-parallel algorithm in 64-character blocks (Myers 1999;
//! Hyyrö 2003): a text costs one pass of a few word operations per block per
//! character instead of a row of the whole table per character. Counts
//! `char`s, exactly as `strsim::levenshtein`, which a test compares it with.
//!
//! Hand-written (about fifty lines) rather than taken from a crate: the
//! `rapidfuzz` crate does the same with the same speed but added 43 KB to a
//! binary 30 KB under its size budget (`bench/size.sh`).

/// A pattern prepared for [`Pattern::distance`].
pub(crate) struct Pattern {
    len: usize,
    /// For each character of the pattern: the bit mask of its positions,
    /// one word per 64-character block, sorted by character.
    peq: Vec<(char, Vec<u64>)>,
    blocks: usize,
}

impl Pattern {
    pub(crate) fn new(pattern: &str) -> Self {
        let chars: Vec<char> = pattern.chars().collect();
        let blocks = chars.len().div_ceil(64).max(1);
        let mut peq: Vec<(char, Vec<u64>)> = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            let at = match peq.binary_search_by(|(k, _)| k.cmp(&c)) {
                Ok(at) => at,
                Err(at) => {
                    peq.insert(at, (c, vec![0; blocks]));
                    at
                }
            };
            peq[at].1[i / 64] |= 1 << (i % 64);
        }
        Self {
            len: chars.len(),
            peq,
            blocks,
        }
    }

    /// The edit distance (insertions, deletions, substitutions of one
    /// `char` each) from the pattern to `text`.
    pub(crate) fn distance(&self, text: &str) -> usize {
        if self.len == 0 {
            return text.chars().count();
        }
        let none = vec![0u64; self.blocks];
        // Vertical deltas (+1 / -1) of the current column, per block.
        let mut pv = vec![u64::MAX; self.blocks];
        let mut mv = vec![0u64; self.blocks];
        let last = 1u64 << ((self.len - 1) % 64);
        let mut score = self.len;
        for c in text.chars() {
            let eq = match self.peq.binary_search_by(|(k, _)| k.cmp(&c)) {
                Ok(at) => &self.peq[at].1,
                Err(_) => &none,
            };
            // The top row grows by one per character: +1 into block 0.
            let mut carry: i8 = 1;
            for b in 0..self.blocks {
                let (p, m) = (pv[b], mv[b]);
                let mut e = eq[b];
                let xv = e | m;
                if carry < 0 {
                    e |= 1;
                }
                let xh = ((e & p).wrapping_add(p) ^ p) | e;
                let mut ph = m | !(xh | p);
                let mut mh = p & xh;
                let top = if b + 1 == self.blocks { last } else { 1 << 63 };
                let out: i8 = if ph & top != 0 {
                    1
                } else if mh & top != 0 {
                    -1
                } else {
                    0
                };
                ph <<= 1;
                mh <<= 1;
                if carry < 0 {
                    mh |= 1;
                } else if carry > 0 {
                    ph |= 1;
                }
                pv[b] = mh | !(xv | ph);
                mv[b] = ph & xv;
                carry = out;
            }
            score = score.wrapping_add_signed(isize::from(carry));
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same distances as strsim's table, on texts of every length around
    /// the block edges, with repeats, non-ASCII characters and empties.
    #[test]
    fn distances_equal_the_full_table() {
        let alphabet: Vec<char> = "abcab ,<>:未網关é".chars().collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let lengths = [0, 1, 2, 5, 63, 64, 65, 127, 128, 129, 200];
        for &a in &lengths {
            for &b in &lengths {
                for _ in 0..3 {
                    let s: String = (0..a).map(|_| alphabet[next(alphabet.len())]).collect();
                    let t: String = (0..b).map(|_| alphabet[next(alphabet.len())]).collect();
                    let p = Pattern::new(&s);
                    assert_eq!(p.distance(&t), strsim::levenshtein(&s, &t), "{s:?} {t:?}");
                    assert_eq!(p.distance(&s), 0);
                }
            }
        }
        let p = Pattern::new("the weather service returned an unexpected reply");
        assert_eq!(
            p.distance("gateway token mismatch"),
            strsim::levenshtein(
                "the weather service returned an unexpected reply",
                "gateway token mismatch"
            )
        );
    }
}
