/**
 * Compiles a SyscallRule list into a classic-BPF seccomp program for the running
 * architecture, with libseccomp (bound with koffi). bwrap loads the bytes with --seccomp FD.
 *
 * Output: the raw sock_filter array (8 bytes an instruction). The filter's default is
 * ALLOW; a syscall from a foreign ABI (i386 or x32 on x86_64) kills the process, which
 * is libseccomp's default bad-arch action, so the 32-bit entry points cannot bypass it.
 */
import koffi from 'koffi';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SyscallRule } from '../seccomp-policy.js';

const SCMP_ACT_ALLOW = 0x7fff0000;
const SCMP_ACT_ERRNO = (errno: number): number => (0x00050000 | (errno & 0xffff)) >>> 0;
const SCMP_CMP_NE = 1;
const SCMP_CMP_EQ = 4;
const SCMP_CMP_GE = 5;
const SCMP_CMP_MASKED_EQ = 7;
const SCMP_FLTATR_CTL_NNP = 3;

interface SeccompLib {
  init: (defaultAction: number) => unknown;
  release: (ctx: unknown) => void;
  resolve: (name: string) => number;
  ruleAdd0: (ctx: unknown, action: number, syscall: number, argCount: number) => number;
  ruleAddN: (ctx: unknown, action: number, syscall: number, argCount: number, cmp: unknown) => number;
  exportBpf: (ctx: unknown, fd: number) => number;
  attrSet: (ctx: unknown, attr: number, value: number) => number;
}

let lib: SeccompLib | undefined;

function seccomp(): SeccompLib {
  if (lib) return lib;
  const so = koffi.load('libseccomp.so.2');
  koffi.struct('scmp_arg_cmp', { arg: 'uint', op: 'int', datum_a: 'uint64_t', datum_b: 'uint64_t' });
  const add = so.func(
    'int seccomp_rule_add_exact_array(void *ctx, uint32_t action, int syscall, unsigned int arg_cnt, scmp_arg_cmp *arg_array)',
  );
  lib = {
    init: so.func('void *seccomp_init(uint32_t def_action)'),
    release: so.func('void seccomp_release(void *ctx)'),
    resolve: so.func('int seccomp_syscall_resolve_name(const char *name)'),
    ruleAdd0: (ctx, action, syscall) => add(ctx, action, syscall, 0, null) as number,
    ruleAddN: (ctx, action, syscall, argCount, cmp) => add(ctx, action, syscall, argCount, cmp) as number,
    exportBpf: so.func('int seccomp_export_bpf(void *ctx, int fd)'),
    attrSet: so.func('int seccomp_attr_set(void *ctx, int attr, uint32_t value)'),
  };
  return lib;
}

export class SeccompError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeccompError';
  }
}

export function compileFilter(rules: readonly SyscallRule[]): Buffer {
  const sc = seccomp();
  const ctx = sc.init(SCMP_ACT_ALLOW);
  if (!ctx) throw new SeccompError('seccomp_init failed');
  try {
    // bwrap sets no_new_privs itself before loading; the exported program needs no NNP bit.
    sc.attrSet(ctx, SCMP_FLTATR_CTL_NNP, 0);
    for (const rule of rules) addRule(sc, ctx, rule);
    return exportBpf(sc, ctx);
  } finally {
    sc.release(ctx);
  }
}

function addRule(sc: SeccompLib, ctx: unknown, rule: SyscallRule): void {
  const nr = sc.resolve(rule.syscall);
  if (nr < 0) return; // not on this architecture
  // errno 0: the kernel skips the call and returns 0 (SECCOMP_RET_ERRNO with no error)
  const action = SCMP_ACT_ERRNO(rule.errno === 'OK' ? 0 : os.constants.errno[rule.errno]);
  let rc: number;
  if (rule.args && rule.args.length > 0) {
    const cmps = rule.args.map(({ index, op, value }) => {
      switch (op) {
        case 'eq':
          return { arg: index, op: SCMP_CMP_EQ, datum_a: value, datum_b: 0 };
        case 'ne':
          return { arg: index, op: SCMP_CMP_NE, datum_a: value, datum_b: 0 };
        case 'ge':
          return { arg: index, op: SCMP_CMP_GE, datum_a: value, datum_b: 0 };
        case 'bit-set':
          // (arg & value) == value: with one bit in value, that bit is set
          return { arg: index, op: SCMP_CMP_MASKED_EQ, datum_a: value, datum_b: value };
      }
    });
    rc = sc.ruleAddN(ctx, action, nr, cmps.length, cmps);
  } else {
    rc = sc.ruleAdd0(ctx, action, nr, 0);
  }
  if (rc < 0) throw new SeccompError(`seccomp_rule_add ${rule.syscall}: errno ${-rc}`);
}

function exportBpf(sc: SeccompLib, ctx: unknown): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-seccomp-'));
  const file = path.join(dir, 'filter.bpf');
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    const rc = sc.exportBpf(ctx, fd);
    if (rc < 0) throw new SeccompError(`seccomp_export_bpf: errno ${-rc}`);
  } finally {
    fs.closeSync(fd);
  }
  try {
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
