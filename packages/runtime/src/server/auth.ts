import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares an offered key with the expected one in constant time (hashing first equalises the lengths). */
export function keyMatches(offered: string | undefined, expected: string): boolean {
  const a = createHash('sha256')
    .update(offered ?? '')
    .digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && offered !== undefined;
}
