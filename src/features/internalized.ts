// Strings as V8 keeps property names: one object per distinct text, so comparing two of them is comparing pointers.

/**
 * The internalized copy of a string (same characters). Two internalized strings are equal exactly when they are the same
 * object: the records parser keeps its remembered category strings this way and the records transform its known levels,
 * so matching one against the other takes a pointer comparison instead of a character-by-character one.
 */
export function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}
