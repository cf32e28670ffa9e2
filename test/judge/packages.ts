/**
 * The problem packages of test/judge/packages as uploads: zipped with Python's zipfile,
 * the archiver a setter is as likely to use as any, either with the package's files at
 * the zip's root (as Polygon makes them) or inside a directory of its name (as Kattis's
 * format allows).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PACKAGES = path.join(import.meta.dirname, 'packages');

export function packageZip(name: string, layout: 'root' | 'directory'): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-package-'));
  try {
    const zip = path.join(dir, `${name}.zip`);
    const at = layout === 'root' ? path.join(PACKAGES, name) : PACKAGES;
    const entries = layout === 'root' ? fs.readdirSync(at) : [name];
    execFileSync('python3', ['-m', 'zipfile', '-c', zip, ...entries], { cwd: at });
    return fs.readFileSync(zip);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** a file of a package, e.g. a solution */
export function packageFile(name: string, file: string): string {
  return fs.readFileSync(path.join(PACKAGES, name, file), 'utf8');
}
