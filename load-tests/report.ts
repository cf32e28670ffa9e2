/** Percentiles, the results table and the target lines: plain functions of the numbers. */
import type { KindStats } from './drive.js';

export interface Row {
  readonly scenario: string;
  readonly ok: number;
  readonly errors: number;
  readonly jobsPerS: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** nearest rank: the smallest sample with at least q of all samples at or below it */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

const isOk = (label: string): boolean => label === 'ok' || label.startsWith('ok ');

export function okCount(s: KindStats): number {
  let n = 0;
  for (const [label, count] of s.outcomes) if (isOk(label)) n += count;
  return n;
}

/** answers that were not the expected one */
export function wrongCount(s: KindStats): number {
  let n = 0;
  for (const [label, count] of s.outcomes) if (!isOk(label)) n += count;
  return n;
}

export function row(scenario: string, s: KindStats, seconds: number, extraErrors = 0): Row {
  const ms = s.latenciesMs;
  return {
    scenario,
    ok: okCount(s),
    errors: wrongCount(s) + extraErrors,
    jobsPerS: okCount(s) / seconds,
    p50: percentile(ms, 0.5),
    p95: percentile(ms, 0.95),
    p99: percentile(ms, 0.99),
  };
}

export function table(rows: readonly Row[]): string {
  const head = ['scenario', 'ok', 'errors', 'jobs/s', 'p50 ms', 'p95 ms', 'p99 ms'];
  const cells = rows.map((r) => [
    r.scenario,
    String(r.ok),
    String(r.errors),
    r.jobsPerS.toFixed(1),
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
  ]);
  const all = [head, ...cells];
  const widths = head.map((_, i) => Math.max(...all.map((c) => (c[i] ?? '').length)));
  return all
    .map((c) => c.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '))
    .join('\n');
}

function ms(x: number): string {
  return Number.isFinite(x) ? x.toFixed(0) : '-';
}

/** one target: what was measured against what was wanted */
export function target(name: string, measured: number, pass: boolean, wanted: string): string {
  const value = Number.isFinite(measured) ? measured.toFixed(2) : 'n/a';
  return `${pass ? 'PASS' : 'MISS'}  ${name}: ${value} (target ${wanted})`;
}

/** label → count: a hostile job's verdicts, or what went wrong */
export function outcomes(s: KindStats): string {
  return [...s.outcomes].map(([label, n]) => `${label} ${n}`).join(', ') || 'none';
}
