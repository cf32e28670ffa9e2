/**
 * The configuration table of docs/configuration.md, made from the variables themselves
 * (each declares its doc and its default once: packages/config). `npm run docs:config`
 * writes it between the table's markers; test/docs/config.test.ts fails when the file and
 * the variables disagree.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Variables } from '../packages/config/src/index.js';
import { VARIABLES as API } from '../apps/api/src/config.js';
import { VARIABLES as CLI } from '../apps/cli/src/config.js';
import { VARIABLES as SERVER } from '../apps/server/src/config.js';
import { VARIABLES as WORKER } from '../apps/worker/src/config.js';

export const CONFIG_DOC = path.join(import.meta.dirname, '..', 'docs', 'configuration.md');
const BEGIN = '<!-- config:begin -->';
const END = '<!-- config:end -->';

/** who reads which variables: `npm start` is the API, a worker and its own */
const READERS: [string, Variables<never>][] = [
  ['API', API],
  ['worker', WORKER],
  ['`npm start`', SERVER],
  ['CLI', CLI],
];

export function configTable(): string {
  const rows = new Map<string, { readers: string[]; doc: string; default: string }>();
  for (const [reader, variables] of READERS) {
    for (const [name, v] of Object.entries(variables)) {
      const row = rows.get(name);
      if (row) {
        row.readers.push(reader);
        continue;
      }
      const plain = typeof v.default === 'string' ? `\`${v.default}\`` : undefined;
      rows.set(name, { readers: [reader], doc: v.doc, default: v.defaultDoc ?? plain ?? 'none' });
    }
  }
  const lines = ['| variable | read by | what | default |', '|---|---|---|---|'];
  for (const [name, r] of rows) lines.push(`| \`${name}\` | ${r.readers.join(', ')} | ${r.doc} | ${r.default} |`);
  return lines.join('\n');
}

/** the file's table, between its markers */
export function documentedTable(text: string): string | undefined {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) return undefined;
  return text.slice(begin + BEGIN.length, end).trim();
}

if (process.argv.includes('--write')) {
  const text = fs.readFileSync(CONFIG_DOC, 'utf8');
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${CONFIG_DOC} has no ${BEGIN} … ${END} block`);
  fs.writeFileSync(CONFIG_DOC, `${text.slice(0, begin + BEGIN.length)}\n${configTable()}\n${text.slice(end)}`);
  console.log(`wrote the configuration table of ${path.relative(process.cwd(), CONFIG_DOC)}`);
}
