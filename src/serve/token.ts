// API token check for mutating endpoints: constant-time comparison of a Bearer token.
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** True when `authorization` is `Bearer <token>` with exactly the expected token (compared in constant time). */
export function tokenMatches(authorization: string | undefined | null, expected: string): boolean {
  if (!authorization || expected.length === 0) return false;
  const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (!m) return false;
  // Hashing first gives equal lengths, so timingSafeEqual reveals nothing about the token's length either.
  return timingSafeEqual(digest(m[1]), digest(expected));
}
