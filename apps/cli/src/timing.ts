/**
 * What on this host makes cpu times noisy, for a judge that ranks people by them:
 * address-space randomisation, transparent huge pages, the cpu frequency governor (and
 * turbo), and SMT siblings. Each row says what the host has and, where it is noisy, what
 * to set. Advice, never a reason the host cannot run boxes. Pure over a file reader, so
 * it is tested with any host's files.
 */

export interface TimingCheck {
  readonly name: string;
  readonly steady: boolean;
  readonly detail: string;
}

/** a file's text, trimmed, or undefined when it cannot be read */
export type ReadFile = (file: string) => string | undefined;
/** the names in a directory, or [] */
export type ListDir = (dir: string) => string[];

const CPU = '/sys/devices/system/cpu';

export function timingChecks(read: ReadFile, list: ListDir): TimingCheck[] {
  return [aslr(read), hugePages(read), governor(read, list), smt(read, list)];
}

function aslr(read: ReadFile): TimingCheck {
  const v = read('/proc/sys/kernel/randomize_va_space');
  if (v === undefined)
    return { name: 'ASLR', steady: true, detail: 'unknown (no /proc/sys/kernel/randomize_va_space)' };
  if (v === '0') return { name: 'ASLR', steady: true, detail: 'off (kernel.randomize_va_space=0)' };
  return {
    name: 'ASLR',
    steady: false,
    detail: `on (kernel.randomize_va_space=${v}): layouts, and so cache and branch behaviour, change run to run; for steadier times sysctl -w kernel.randomize_va_space=0 (this weakens the whole host's exploit hardening: a judge host only)`,
  };
}

function hugePages(read: ReadFile): TimingCheck {
  const enabled = selected(read('/sys/kernel/mm/transparent_hugepage/enabled'));
  const defrag = selected(read('/sys/kernel/mm/transparent_hugepage/defrag'));
  if (enabled === undefined) return { name: 'THP', steady: true, detail: 'no transparent huge pages' };
  if (enabled === 'never') return { name: 'THP', steady: true, detail: 'never' };
  if (enabled === 'madvise' && defrag !== 'always')
    return { name: 'THP', steady: true, detail: `madvise (defrag ${defrag ?? '?'}): only programs that ask get them` };
  return {
    name: 'THP',
    steady: false,
    detail: `${enabled} (defrag ${defrag ?? '?'}): whether a program gets huge pages, and page faults that compact memory, vary run to run; echo madvise > /sys/kernel/mm/transparent_hugepage/enabled (or never), and defrag to madvise`,
  };
}

function governor(read: ReadFile, list: ListDir): TimingCheck {
  const cpus = list(CPU).filter((d) => /^cpu\d+$/.test(d));
  const governors = new Set(
    cpus.map((c) => read(`${CPU}/${c}/cpufreq/scaling_governor`)).filter((g): g is string => g !== undefined),
  );
  const noTurbo = read(`${CPU}/intel_pstate/no_turbo`);
  const boost = read(`${CPU}/cpufreq/boost`);
  const turbo = noTurbo === '0' || boost === '1';
  const turboAdvice = turbo
    ? `; turbo is on: echo ${noTurbo === '0' ? `1 > ${CPU}/intel_pstate/no_turbo` : `0 > ${CPU}/cpufreq/boost`}`
    : '';
  if (governors.size === 0)
    return {
      name: 'governor',
      steady: !turbo,
      detail: `no cpufreq: the frequency is the hypervisor's or fixed${turboAdvice}`,
    };
  const list_ = [...governors].sort().join(', ');
  if (governors.size === 1 && governors.has('performance'))
    return { name: 'governor', steady: !turbo, detail: `performance${turboAdvice}` };
  return {
    name: 'governor',
    steady: false,
    detail: `${list_}: the clock follows the load, so the same program's cpu time does too; cpupower frequency-set -g performance (or echo performance > ${CPU}/cpu*/cpufreq/scaling_governor)${turboAdvice}`,
  };
}

function smt(read: ReadFile, list: ListDir): TimingCheck {
  const active = read(`${CPU}/smt/active`);
  const shared = list(CPU)
    .filter((d) => /^cpu\d+$/.test(d))
    .map((c) => read(`${CPU}/${c}/topology/thread_siblings_list`))
    .filter((s): s is string => s !== undefined && /[-,]/.test(s));
  if (active === '0' || (active === undefined && shared.length === 0))
    return { name: 'SMT', steady: true, detail: 'no sibling threads: each cpu is a core of its own' };
  const pairs = [...new Set(shared)].slice(0, 4).join(' ');
  return {
    name: 'SMT',
    steady: false,
    detail: `on (siblings ${pairs || 'unknown'}): two boxes on sibling threads slow each other; echo off > ${CPU}/smt/control, or run a worker with CODEBOX_SLOTS at most the cores and nothing else on their siblings`,
  };
}

/** the [chosen] word of a sysfs choice list: "always [madvise] never" → madvise */
function selected(text: string | undefined): string | undefined {
  return text === undefined ? undefined : (/\[(\w+)\]/.exec(text)?.[1] ?? text);
}
