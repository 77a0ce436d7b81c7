/**
 * `pnpm load`: the full load run (10,000 connections open at once; MEMTLS_LOAD_N overrides, `--crypto null`
 * selects the null provider). Run with `node --expose-gc` (the script does).
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';
const { runLoad } = await import('./load-run.js');

const n = Number(process.env.MEMTLS_LOAD_N ?? 10000);
const crypto = process.argv.includes('--crypto') && process.argv[process.argv.indexOf('--crypto') + 1] === 'null' ? 'null' : 'real';
const r = await runLoad({ connections: n, crypto });
const leak = r.memEnd - r.memStart;
console.log(`load: ${r.connections} connections (${crypto} crypto), peak ${r.peakOpen} open; ${(r.bytesPerConnection / 1024).toFixed(1)} KiB per idle connection; heap after close ${leak >= 0 ? '+' : ''}${(leak / 2 ** 20).toFixed(2)} MiB vs start`);
if (r.peakOpen !== n || leak > Math.max(2 * 2 ** 20, 0.02 * (r.memOpen - r.memStart))) {
  console.error('load: FAILED (not all open at once, or memory not returned)');
  process.exitCode = 1;
}
