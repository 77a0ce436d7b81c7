/**
 * `onProcessExit(fn)`: run `fn` when the test process exits. Every test helper (here and in packages/*\/test,
 * which keep a copy of this function) registers into one Set on globalThis behind a single 'exit' listener,
 * so the number of listeners does not grow with the number of helper modules loaded in one mocha run (ten
 * helpers with a listener each, plus mocha's own, set off MaxListenersExceededWarning).
 */
export function onProcessExit(fn: () => void): void {
  const key = Symbol.for('memtls.test.onProcessExit');
  const g = globalThis as unknown as Record<symbol, Set<() => void> | undefined>;
  let fns = g[key];
  if (!fns) {
    const set = new Set<() => void>();
    fns = set;
    g[key] = set;
    process.once('exit', () => {
      for (const f of set) {
        try {
          f();
        } catch {
          // one failing clean-up must not stop the others
        }
      }
    });
  }
  fns.add(fn);
}
