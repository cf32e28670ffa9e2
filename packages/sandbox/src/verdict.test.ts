import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { decodeExit, verdict } from './verdict.js';
import type { Outcome } from './verdict.js';

const base: Outcome = { killedBy: null, oomKills: 0, cpuMs: 10, cpuLimitMs: 1000, exitCode: 0, signal: null };

test('the limit that ended the run decides the status', () => {
  const cases: [Partial<Outcome>, string][] = [
    [{}, 'OK'],
    [{ exitCode: 1 }, 'RUNTIME_ERROR'],
    [{ exitCode: null, signal: 'SIGSEGV' }, 'RUNTIME_ERROR'],
    [{ killedBy: 'output', exitCode: null, signal: 'SIGKILL', oomKills: 1 }, 'OUTPUT_LIMIT'],
    [{ oomKills: 1, exitCode: null, signal: 'SIGKILL' }, 'MEMORY_LIMIT'],
    [{ oomKills: 1, exitCode: 1 }, 'MEMORY_LIMIT'],
    [{ killedBy: 'cpu', exitCode: null, signal: 'SIGKILL' }, 'TIME_LIMIT'],
    [{ exitCode: null, signal: 'SIGXCPU' }, 'RUNTIME_ERROR'],
    [{ exitCode: null, signal: 'SIGXCPU', cpuMs: 1001 }, 'TIME_LIMIT'],
    [{ cpuMs: 1001 }, 'TIME_LIMIT'],
    [{ killedBy: 'wall', exitCode: null, signal: 'SIGKILL' }, 'WALL_TIME_LIMIT'],
    [{ killedBy: 'abort', exitCode: null, signal: 'SIGKILL' }, 'RUNTIME_ERROR'],
  ];
  for (const [o, want] of cases) assert.equal(verdict({ ...base, ...o }), want, JSON.stringify(o));
});

test("bwrap's 128+N exit status reads as signal N", () => {
  const names = new Map(Object.entries(os.constants.signals).map(([k, v]) => [v, k]));
  assert.deepEqual(decodeExit(0, null, names), { exitCode: 0, signal: null });
  assert.deepEqual(decodeExit(3, null, names), { exitCode: 3, signal: null });
  assert.deepEqual(decodeExit(139, null, names), { exitCode: null, signal: 'SIGSEGV' });
  assert.deepEqual(decodeExit(137, null, names), { exitCode: null, signal: 'SIGKILL' });
  assert.deepEqual(decodeExit(128, null, names), { exitCode: 128, signal: null });
  assert.deepEqual(decodeExit(255, null, names), { exitCode: 255, signal: null });
  assert.deepEqual(decodeExit(null, 'SIGKILL', names), { exitCode: null, signal: 'SIGKILL' });
});
