// Regenerates the reason table of docs/errors.md from packages/core/src/errors/reasons.ts (run after tsc -b).
import { readFileSync, writeFileSync } from 'node:fs';
import { Reasons } from '../packages/core/dist/errors/reasons.js';
import { alertName } from '../packages/core/dist/wire/enums.js';

const path = new URL('../docs/errors.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const marker = '| reason | errorReason() | alert sent |';
const head = doc.slice(0, doc.indexOf(marker));
const rows = Object.entries(Reasons).map(([k, v]) => `| \`${k}\` | ${v.text} | ${v.alert === null ? '—' : `${alertName(v.alert)} (${v.alert})`} |`);
writeFileSync(path, `${head}${[marker, '| --- | --- | --- |', ...rows, ''].join('\n')}`);
