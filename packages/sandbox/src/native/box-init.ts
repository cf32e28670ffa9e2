/**
 * The box init (native/box-init.c): a small static program every box starts with. It is
 * built with the host's C compiler at install (`npm run build`) or, failing that, when an
 * engine starts; a build is stale when the source changed (its hash is kept beside it).
 *
 * Static, so that it runs on any root whatever its libc; it needs gcc and libc6-dev
 * (libc.a) to build, and nothing to run.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** src/native or dist/native: the package root is two levels up either way */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BOX_INIT_SOURCE = path.join(PACKAGE_ROOT, 'native', 'box-init.c');
export const BOX_INIT_BINARY = path.join(PACKAGE_ROOT, 'build', 'codebox-init');
const HASH_FILE = `${BOX_INIT_BINARY}.sha256`;

export const BOX_INIT_PACKAGES = 'gcc libc6-dev';

export type BoxInitState = 'built' | 'stale' | 'missing';

export function boxInitState(): BoxInitState {
  if (!fs.existsSync(BOX_INIT_BINARY)) return 'missing';
  const want = sourceHash();
  const have = fs.existsSync(HASH_FILE) ? fs.readFileSync(HASH_FILE, 'utf8').trim() : '';
  return have === want ? 'built' : 'stale';
}

/** a C compiler on PATH, or undefined */
export function findCompiler(): string | undefined {
  for (const cc of ['cc', 'gcc', 'clang']) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cc], { stdio: 'ignore' }).status === 0) return cc;
  }
  return undefined;
}

/**
 * Builds the init (into a temporary file, then renamed over the old one, so a running
 * engine's copy is never half-written). Throws with the compiler's words or the packages
 * to install.
 */
export function buildBoxInit(cc: string | undefined = findCompiler()): string {
  if (!cc) throw new Error(`no C compiler to build the box init; install one: apt-get install -y ${BOX_INIT_PACKAGES}`);
  fs.mkdirSync(path.dirname(BOX_INIT_BINARY), { recursive: true });
  const tmp = `${BOX_INIT_BINARY}.${process.pid}.tmp`;
  const r = spawnSync(cc, ['-static', '-s', '-O2', '-Wall', '-Wextra', '-Werror', '-o', tmp, BOX_INIT_SOURCE], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    const said = `${r.stderr ?? ''}${r.error?.message ?? ''}`.trim().split('\n').slice(0, 8).join('\n');
    const hint = /cannot find -lc|crt1\.o|libc\.a/.test(said)
      ? ` (the static C library is missing: apt-get install -y ${BOX_INIT_PACKAGES})`
      : '';
    throw new Error(`building the box init with ${cc} failed${hint}: ${said}`);
  }
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, BOX_INIT_BINARY);
  fs.writeFileSync(HASH_FILE, `${sourceHash()}\n`);
  return BOX_INIT_BINARY;
}

/** the built init, building it first when it is missing or stale */
export function ensureBoxInit(): string {
  return boxInitState() === 'built' ? BOX_INIT_BINARY : buildBoxInit();
}

function sourceHash(): string {
  return crypto.createHash('sha256').update(fs.readFileSync(BOX_INIT_SOURCE)).digest('hex');
}
