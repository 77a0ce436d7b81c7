/**
 * Counts the work of copying bytes, so a test can bound the cost of a code path without timing it: while `fn`
 * runs, every `Uint8Array.prototype.set` adds its source's length and every `slice` the length of its result
 * (the two ways JavaScript code copies typed-array bytes). Views (`subarray`) cost nothing and count nothing.
 */
export async function bytesCopiedBy(fn: () => unknown): Promise<number> {
  const proto = Uint8Array.prototype as unknown as Record<string, unknown>;
  const had = { set: Object.hasOwn(proto, 'set'), slice: Object.hasOwn(proto, 'slice') };
  const set = Uint8Array.prototype.set;
  const slice = Uint8Array.prototype.slice;
  let copied = 0;
  proto.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number): void {
    copied += src.length;
    set.call(this, src, offset);
  };
  proto.slice = function (this: Uint8Array, start?: number, end?: number): Uint8Array {
    const r = slice.call(this, start, end);
    copied += r.length;
    return r;
  };
  try {
    await fn();
  } finally {
    if (had.set) proto.set = set;
    else delete proto.set;
    if (had.slice) proto.slice = slice;
    else delete proto.slice;
  }
  return copied;
}

/**
 * Counts the work of searching arrays: while `fn` runs, every call of `includes`, `indexOf`, `find`,
 * `findIndex`, `some` or `every` on an Array adds the array's length (what a full scan costs: an upper bound).
 */
export async function elementsScannedBy(fn: () => unknown): Promise<number> {
  const proto = Array.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ['includes', 'indexOf', 'find', 'findIndex', 'some', 'every'] as const;
  const saved = names.map((n) => proto[n] as (...a: unknown[]) => unknown);
  let scanned = 0;
  names.forEach((n, i) => {
    const orig = saved[i] as (...a: unknown[]) => unknown;
    proto[n] = function (this: unknown[], ...a: unknown[]): unknown {
      scanned += this.length;
      return orig.apply(this, a);
    };
  });
  try {
    await fn();
  } finally {
    names.forEach((n, i) => {
      proto[n] = saved[i] as (...a: unknown[]) => unknown;
    });
  }
  return scanned;
}
