/**
 * Human units on the command line: durations take ms or s (a bare number is ms),
 * sizes take k, m or g (powers of 1024; a bare number is bytes).
 */

export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const ms = m[2] === 's' ? n * 1000 : n;
  return Number.isFinite(ms) && Number.isInteger(ms) ? ms : undefined;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(text.trim());
  if (!m) return undefined;
  const bytes = Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? NaN);
  return Number.isFinite(bytes) && Number.isInteger(bytes) ? bytes : undefined;
}

export function parseCount(text: string): number | undefined {
  return /^\d+$/.test(text.trim()) ? Number(text) : undefined;
}

export function parseCores(text: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : undefined;
}
