/** Levenshtein edit distance (insert, delete, substitute each cost 1). O(a·b) time, O(b) memory. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Minimum token length for fuzzy comparison: short words ("no", "yes") must match exactly. */
export const FUZZY_MIN_LENGTH = 4;

/**
 * Similarity in [0, 1] of two tokens: 1 for equal, 0 when either is shorter than
 * FUZZY_MIN_LENGTH and they differ, else 1 − distance / longer length.
 */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < FUZZY_MIN_LENGTH || b.length < FUZZY_MIN_LENGTH) return 0;
  return 1 - editDistance(a, b) / Math.max(a.length, b.length);
}
