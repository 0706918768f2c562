/**
 * Text normalisation shared by every matcher: lowercase, apostrophes dropped ("that's" → "thats"),
 * other punctuation to spaces, light plural stemming ("orders" → "order"). Pure; O(length).
 */
export function normalizeText(text: string): string {
  return tokenize(text).join(' ');
}

/** Normalised tokens of `text`; empty for blank input. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((t) => t.length > 0)
    .map(stem);
}

/** Drops a plural "s" from words longer than three letters ("orders", not "yes" or "class"). */
function stem(token: string): string {
  if (token.length > 3 && token.endsWith('s') && !token.endsWith('ss')) return token.slice(0, -1);
  return token;
}
