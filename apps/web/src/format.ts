/** How numbers and verdicts read on the page. */

export function ms(n: number): string {
  return n < 10_000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** a verdict's colour class: what passed, what the program got wrong, what hit a limit */
export function tone(verdict: string): 'good' | 'bad' | 'limit' | 'neutral' {
  if (verdict === 'OK' || verdict === 'ACCEPTED' || verdict === 'completed') return 'good';
  if (/LIMIT$/.test(verdict)) return 'limit';
  if (/ERROR$|WRONG_ANSWER|failed/.test(verdict)) return 'bad';
  return 'neutral';
}
