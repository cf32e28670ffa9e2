/**
 * Host-wide claims of box uid ranges: two engines on one host (two workers, a worker and
 * a `codebox exec`) must never hand the same host uid to two boxes at once. An engine
 * claims its range at start with a file named by the range's first uid, made by link(2),
 * which fails when the name exists, so two engines starting at the same moment cannot
 * both take one range; it removes the file at close. A claim whose engine is gone (by pid
 * and start time, instance.ts) is taken over.
 *
 * With `search` above 0 an engine whose range is taken tries the next ones (base + k ×
 * count), so engines started with the default range just work side by side; with 0 the
 * range it was given must be free, else it says whose it is.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface UidClaim {
  readonly base: number;
  readonly count: number;
  release(): void;
}

interface Held {
  readonly base: number;
  readonly count: number;
  readonly instance: string;
}

export class UidRangeTaken extends Error {
  constructor(
    readonly base: number,
    readonly count: number,
    readonly holder: string,
  ) {
    super(`host uids ${base}-${base + count - 1} overlap the range engine ${holder} holds`);
    this.name = 'UidRangeTaken';
  }
}

export function claimUidRange(
  dir: string,
  base: number,
  count: number,
  search: number,
  instance: string,
  isAlive: (instance: string) => boolean,
): UidClaim {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let first: UidRangeTaken | undefined;
  for (let k = 0; k <= search; k++) {
    const b = base + k * count;
    // a few tries at one range: a claim made between the look and the link is looked at again
    for (let attempt = 0; attempt < 3; attempt++) {
      const holder = liveClaims(dir, isAlive).find((h) => h.base < b + count && b < h.base + h.count);
      if (holder) {
        first ??= new UidRangeTaken(b, count, holder.instance);
        break;
      }
      if (link(dir, b, count, instance))
        return { base: b, count, release: () => fs.rmSync(path.join(dir, String(b)), { force: true }) };
    }
  }
  throw first ?? new UidRangeTaken(base, count, 'unknown');
}

/** the claims of live engines; a dead engine's is removed on the way */
function liveClaims(dir: string, isAlive: (instance: string) => boolean): Held[] {
  const held: Held[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, name), 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const [instance = '', countText = '0'] = text.trim().split(' ');
    if (isAlive(instance)) held.push({ base: Number(name), count: Number(countText), instance });
    else fs.rmSync(path.join(dir, name), { force: true });
  }
  return held;
}

function link(dir: string, base: number, count: number, instance: string): boolean {
  const tmp = path.join(dir, `.${instance}-${base}`);
  fs.writeFileSync(tmp, `${instance} ${count}\n`, { mode: 0o600 });
  try {
    fs.linkSync(tmp, path.join(dir, String(base)));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
