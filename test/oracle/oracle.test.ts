/**
 * Differential oracle: every scenario in test/oracle/scenarios/*.txt runs on the system OpenSSL (libssl,
 * through test/oracle/harness.c, compiled here into a temp dir) and on memtls (runner.ts); the traces must
 * agree step by step on the return value, getError, the shutdown flags, the reason of the error raised by
 * the step and the bytes the acting side has written. The handshake flights differ between the two
 * implementations (extensions, signature lengths, ticket sizes), so the bytes a side writes in its
 * `handshake` calls up to the first that returns 1 (and in `drive_handshake`) are left out of its byte
 * count, and out of what `deliver` reports as moved: every other byte is compared, including KeyUpdates
 * and tickets sent by later `handshake` calls.
 *
 * Every scenario runs twice, with both sides pinned to TLS 1.3 and then to TLS 1.2 (harness.c's fourth argument,
 * runner.ts's `versionOptions`).
 *
 * A deliberate difference is declared in the scenario file as
 *   #! diff [tls1.2|tls1.3] <step> <field> "<openssl value>" "<memtls value>" because <reason>
 * (without a version it holds for both) and then the test asserts the differences are exactly the declared ones.
 * Scenarios in scenarios/pending/ show a memtls bug; they run only with ORACLE_PENDING=1.
 * ORACLE_TRACE_DIR=<dir> writes both traces of every scenario there.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPki } from '../util/pki.js';
import { isPhaScenario, type OraclePki, type OracleTickets, type OracleVersion, runMemtls } from './runner.js';

// compiled to test/dist/oracle/: the sources stay in test/oracle/
const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'oracle');
const FIELDS = ['ret', 'err', 'flags', 'reason', 'wrote'] as const;
type Field = (typeof FIELDS)[number];

interface Line {
  step: string;
  ret: string;
  err: string;
  flags: string;
  reason: string;
  /** the return value as printed (for `deliver`, `ret` counts only bytes not written by handshake calls) */
  rawRet: string;
  /** raw total as printed */
  total: string;
  /** total minus the bytes written by handshake calls (what is compared) */
  wrote: string;
}

interface ExpectedDiff {
  step: number;
  field: Field;
  openssl: string;
  memtls: string;
  because: string;
}

function scenarioFiles(): string[] {
  const dirs = [join(srcDir, 'scenarios')];
  if (process.env.ORACLE_PENDING) dirs.push(join(srcDir, 'scenarios', 'pending'));
  return dirs.flatMap((d) =>
    existsSync(d)
      ? readdirSync(d)
          .filter((f) => f.endsWith('.txt'))
          .sort()
          .map((f) => join(d, f))
      : [],
  );
}

/** `#! flight <step>...`: steps whose written bytes are a handshake flight of their own (a post-handshake
 * CertificateRequest and the client's answer: their sizes differ between the implementations, and an ECDSA
 * signature's DER length even between runs), left out of the byte counts as the handshake's are. */
function flightSteps(scenario: string): Set<number> {
  const m = /^#!\s*flight\s+([\d\s]+)$/m.exec(scenario);
  return new Set(m?.[1] ? m[1].trim().split(/\s+/).map(Number) : []);
}

function parseLines(out: string[], flights: ReadonlySet<number> = new Set()): Line[] {
  const lines = out.map((raw) => {
    const f = raw.split('\t');
    if (f.length !== 6) throw new Error(`malformed trace line: ${JSON.stringify(raw)}`);
    const [step, ret, err, flags, reason, total] = f as [string, string, string, string, string, string];
    return { step, ret, rawRet: ret, err, flags, reason, total, wrote: total };
  });
  // Rebase the byte counts: per side, leave out what its `handshake` calls wrote. Each side's undelivered
  // bytes are a FIFO of segments (handshake or not), so a `deliver` counts only the other bytes it moved.
  type Seg = { len: number; hs: boolean };
  let last = { c: 0, s: 0 };
  let hs = { c: 0, s: 0 };
  let established = { c: false, s: false };
  // `X renegotiate`: the request is a handshake flight too. memtls writes its forged request in that step,
  // OpenSSL in the side's next step: the bytes of both steps are left out.
  let reneg = { c: 0, s: 0 };
  let queue: { c: Seg[]; s: Seg[] } = { c: [], s: [] };
  for (const [i, l] of lines.entries()) {
    const t = l.step.split(' ');
    if (t[0] === 'new') {
      last = { c: 0, s: 0 };
      hs = { c: 0, s: 0 };
      established = { c: false, s: false };
      reneg = { c: 0, s: 0 };
      queue = { c: [], s: [] };
      continue;
    }
    if (t[0] === 'drive_handshake') {
      // everything it wrote is handshake; in mem mode it also delivered everything
      const [c, s] = l.total.split(',').map(Number) as [number, number];
      hs = { c: hs.c + c - last.c, s: hs.s + s - last.s };
      last = { c, s };
      queue = { c: [], s: [] };
      if (l.ret === '1') established = { c: true, s: true };
      l.wrote = `${c - hs.c},${s - hs.s}`;
      continue;
    }
    const side = t[0] === 'c' || t[0] === 's' ? t[0] : t[0]?.startsWith('deliver') ? (t[1] === 'c2s' ? 'c' : 's') : t[0] === 'eof' ? t[1] : null;
    if ((side !== 'c' && side !== 's') || !/^\d+$/.test(l.total)) continue;
    const total = Number(l.total);
    const delta = total - last[side];
    // handshake calls up to the first that returns 1; later ones (KeyUpdate, tickets) are compared
    if (t[1] === 'renegotiate') reneg[side] = 2;
    // 0-RTT: write_early writes the ClientHello, read_early the server's flight: handshake bytes too.
    const isHs = ((t[1] === 'handshake' || t[1] === 'write_early' || t[1] === 'read_early') && !established[side]) || (t[0] === side && (reneg[side] > 0 || flights.has(i + 1)));
    if (t[0] === side && reneg[side] > 0) reneg[side]--;
    if (isHs) hs[side] += delta;
    if (t[1] === 'handshake' && l.ret === '1') established[side] = true;
    if (delta > 0) queue[side].push({ len: delta, hs: isHs });
    last[side] = total;
    l.wrote = String(total - hs[side]);
    if (t[0]?.startsWith('deliver') && /^\d+$/.test(l.ret)) {
      let moved = Number(l.ret);
      let counted = 0;
      while (moved > 0 && queue[side].length > 0) {
        const seg = queue[side][0] as Seg;
        const take = Math.min(moved, seg.len);
        if (!seg.hs) counted += take;
        seg.len -= take;
        moved -= take;
        if (seg.len === 0) queue[side].shift();
      }
      l.ret = String(counted + moved);
    }
  }
  return lines;
}

function expectedDiffs(text: string, version: OracleVersion, tickets: OracleTickets): ExpectedDiff[] {
  const out: ExpectedDiff[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('#!') || /^#!\s*(only|flight)\s/.test(raw) || isPhaScenario(raw)) continue;
    const m = /^#!\s*diff\s+(?:(tls1\.[23])\s+)?(?:(tickets|no_ticket)\s+)?(\d+)\s+(ret|err|flags|reason|wrote)\s+"([^"]*)"\s+"([^"]*)"\s+because\s+(\S.*)$/.exec(raw.trim());
    if (!m) throw new Error(`malformed expected-difference line: ${raw}`);
    if (m[1] !== undefined && m[1] !== version) continue;
    if (m[2] !== undefined && m[2] !== tickets) continue;
    out.push({ step: Number(m[3]), field: m[4] as Field, openssl: m[5] as string, memtls: m[6] as string, because: m[7] as string });
  }
  return out;
}

/** A scenario that resumes (a `new` connection offers the kept session): it also runs with default tickets. */
const resumes = (text: string): boolean => /^\s*new\s*$/m.test(text);

const fmt = (l: Line | undefined): string =>
  l ? `${l.ret}${l.ret !== l.rawRet ? ` (${l.rawRet})` : ''} ${l.err} ${l.flags} ${l.reason} ${l.wrote}${l.wrote !== l.total ? ` (${l.total})` : ''}` : '(no line)';

/** Side by side from a little before the first differing step to the end. */
function sideBySide(o: Line[], m: Line[], first: number, differs: (i: number) => boolean): string {
  const n = Math.max(o.length, m.length);
  const from = Math.max(0, first - 3);
  const rows: string[][] = [['', '#', 'step', 'openssl: ret err flags reason wrote', 'memtls: ret err flags reason wrote']];
  for (let i = from; i < n; i++) rows.push([differs(i) ? '!' : ' ', String(i + 1), o[i]?.step ?? m[i]?.step ?? '', fmt(o[i]), fmt(m[i])]);
  const width = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] as string).length)));
  const body = rows.map((r) => r.map((cell, c) => (c < 4 ? cell.padEnd(width[c] as number) : cell)).join(' | ')).join('\n');
  return `${body}\n(wrote: bytes written by the acting side outside handshake calls, and deliver's ret: such bytes moved; raw values in parentheses)`;
}

describe('oracle: memtls against the system OpenSSL (libssl) over memory BIOs', function () {
  this.timeout(60_000);
  let harness = '';
  let workDir = '';
  let pki: OraclePki & { paths: [string, string, string]; clientPaths: [string, string] };

  before(() => {
    workDir = mkdtempSync(join(tmpdir(), 'memtls-oracle-'));
    harness = join(workDir, 'harness');
    try {
      execFileSync('cc', ['-O1', '-o', harness, join(srcDir, 'harness.c'), '-lssl', '-lcrypto'], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
      throw new Error(`compiling test/oracle/harness.c failed:\n${err.stderr?.toString() ?? ''}${err.stdout?.toString() ?? ''}${err.message}`);
    }
    const p = testPki();
    const leaf = p.leaves['ec-p256'];
    pki = { cert: leaf.cert, key: leaf.key, ca: p.caCert, clientCert: p.client.cert, clientKey: p.client.key, paths: [leaf.certPath, leaf.keyPath, p.caPath], clientPaths: [p.client.certPath, p.client.keyPath] };
  });

  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  for (const version of ['tls1.3', 'tls1.2'] as const) {
    for (const file of scenarioFiles()) {
      const text = readFileSync(file, 'utf8');
      const title = /^#\s*(.+)$/m.exec(text)?.[1] ?? '';
      const name = `${file.includes(`${join('scenarios', 'pending')}`) ? 'pending/' : ''}${basename(file, '.txt')}`;
      // `#! only tls1.2`: a scenario about a TLS 1.2 feature (renegotiation) runs under that version alone.
      const only = /^#!\s*only\s+(tls1\.[23])\s*$/m.exec(text)?.[1];
      if (only !== undefined && only !== version) continue;
      // Every scenario with the server's SSL_OP_NO_TICKET; those that resume also with default (stateless) tickets.
      for (const tickets of resumes(text) ? (['no_ticket', 'tickets'] as const) : (['no_ticket'] as const)) {
        const mode = tickets === 'tickets' ? ' [default tickets]' : '';

        it(`${version} ${name}${mode}: ${title}`, async () => {
          let cOut: string;
          try {
            // `#! pha`: post-handshake authentication configured on both sides (harness.c's pha arguments).
            const pha = isPhaScenario(text) ? ['pha', ...pki.clientPaths] : [];
            cOut = execFileSync(harness, [...pki.paths, version, tickets, ...pha], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
          } catch (e) {
            throw new Error(`harness failed on ${name}: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
          }
          const mOut = await runMemtls(text, pki, version, tickets);
          if (process.env.ORACLE_TRACE_DIR) {
            const base = `${version}-${tickets}-${basename(file, '.txt')}`;
            mkdirSync(process.env.ORACLE_TRACE_DIR, { recursive: true });
            writeFileSync(join(process.env.ORACLE_TRACE_DIR, `${base}.openssl`), cOut);
            writeFileSync(join(process.env.ORACLE_TRACE_DIR, `${base}.memtls`), `${mOut.join('\n')}\n`);
          }
          const flights = flightSteps(text);
          const o = parseLines(cOut.trimEnd().split('\n'), flights);
          const m = parseLines(mOut, flights);
          assert.equal(o.length, m.length, `trace lengths differ (openssl ${o.length}, memtls ${m.length})`);

          const found: ExpectedDiff[] = [];
          o.forEach((ol, i) => {
            const ml = m[i] as Line;
            assert.equal(ml.step, ol.step, `step ${i + 1} text`);
            for (const f of FIELDS) if (ol[f] !== ml[f]) found.push({ step: i + 1, field: f, openssl: ol[f], memtls: ml[f], because: '' });
          });
          const expected = expectedDiffs(text, version, tickets);
          const key = (d: ExpectedDiff) => `step ${d.step} ${d.field}: openssl "${d.openssl}" memtls "${d.memtls}"`;
          const unexpected = found.filter((d) => !expected.some((e) => key(e) === key(d)));
          const missing = expected.filter((e) => !found.some((d) => key(e) === key(d)));
          if (unexpected.length || missing.length) {
            const bad = new Set(unexpected.map((d) => d.step - 1));
            const first = Math.min(...[...bad, ...missing.map((d) => d.step - 1)]);
            const lines = [
              `${version} ${name}: traces differ${expected.length ? ' beyond the declared differences' : ''}.`,
              ...unexpected.map((d) => `  unexpected: ${key(d)}`),
              ...missing.map((d) => `  declared but not seen: ${key(d)} (${d.because})`),
              sideBySide(o, m, first, (i) => bad.has(i) || missing.some((d) => d.step - 1 === i)),
            ];
            assert.fail(lines.join('\n'));
          }
        });
      }
    }
  }
});
