/**
 * Each configuration variable's doc and default are declared once, with the variable
 * (packages/config, each app's config.ts); docs/configuration.md shows them in a table
 * made from there (npm run docs:config). The engine's own settings have their defaults in
 * the engine: the variables' docs must name those.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { HOST_VARIABLES } from '@codebox/config';
import { resolveConfig } from '../../packages/sandbox/src/config.js';
import { CONFIG_DOC, configTable, documentedTable } from '../../scripts/config-docs.js';

test('docs/configuration.md shows every variable as declared (npm run docs:config rewrites it)', () => {
  const documented = documentedTable(fs.readFileSync(CONFIG_DOC, 'utf8'));
  assert.ok(documented, `${CONFIG_DOC} has its table between the config markers`);
  assert.equal(documented, configTable());
});

test("the engine's settings are documented with the engine's own defaults", () => {
  const engine = resolveConfig({});
  assert.match(HOST_VARIABLES.CODEBOX_UID_BASE?.defaultDoc ?? '', new RegExp(`\`${engine.uidBase}\``));
  assert.match(HOST_VARIABLES.CODEBOX_UID_COUNT?.defaultDoc ?? '', new RegExp(`\`${engine.uidCount}\``));
  assert.ok(
    (HOST_VARIABLES.CODEBOX_WORK_ROOT?.defaultDoc ?? '').includes(`\`${engine.workRoot}\``),
    `work root ${engine.workRoot}`,
  );
});
