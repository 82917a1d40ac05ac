// Input checks shared by the metrics: mismatched or empty inputs must fail with
// a message that says which argument is wrong, never yield NaN silently.

/** Throws unless both arrays have the same, non-zero length. */
export function assertPaired(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string, names: readonly [string, string]): void {
  if (a.length !== b.length) {
    throw new RangeError(`${what}: ${names[0]} has ${a.length} values but ${names[1]} has ${b.length}`);
  }
  if (a.length === 0) throw new RangeError(`${what}: no values`);
}

/** Throws unless every value is a finite number. */
export function assertFinite(values: ArrayLike<number>, what: string, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${what}: ${name}[${i}] is ${values[i]}, not a finite number`);
  }
}
