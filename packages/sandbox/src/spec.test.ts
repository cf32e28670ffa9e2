import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpecError, validateSpec } from './spec.js';

test('a minimal spec gets an empty env, no files, no network', () => {
  const v = validateSpec({ argv: ['true'] });
  assert.deepEqual(v.env, {});
  assert.deepEqual(v.files, []);
  assert.equal(v.network, 'none');
  assert.equal(v.stdin, undefined);
});

test('file paths cannot leave the work dir', () => {
  for (const p of ['/etc/passwd', '../x', 'a/../../x', 'a//b', './a', '', 'a\0b']) {
    assert.throws(
      () => validateSpec({ argv: ['true'], files: [{ path: p, content: '' }] }),
      SpecError,
      JSON.stringify(p),
    );
  }
  assert.doesNotThrow(() => validateSpec({ argv: ['true'], files: [{ path: 'src/main.c', content: '' }] }));
});

test('no file inside another: a file cannot also be a directory', () => {
  for (const [a, b] of [
    ['a', 'a/b'],
    ['a/b/c', 'a'],
    ['x/y', 'x/y/z/w'],
  ]) {
    assert.throws(
      () =>
        validateSpec({
          argv: ['true'],
          files: [
            { path: a!, content: '' },
            { path: b!, content: '' },
          ],
        }),
      (e: unknown) => e instanceof SpecError && /which is a file/.test(e.message),
      `${a} and ${b}`,
    );
  }
  assert.doesNotThrow(() =>
    validateSpec({
      argv: ['true'],
      files: [
        { path: 'a/b', content: '' },
        { path: 'a/c', content: '' },
        { path: 'ab', content: '' },
      ],
    }),
  );
});

test('errors name the field', () => {
  const cases: [unknown, string][] = [
    [{ argv: [] }, 'argv'],
    [{ argv: ['a', 1] }, 'argv[1]'],
    [{ argv: ['a'], env: { 'BAD-NAME': 'x' } }, 'env.BAD-NAME'],
    [{ argv: ['a'], network: 'internet' }, 'network'],
    [{ argv: ['a'], limits: { cpuMs: 10 ** 9 } }, 'limits.cpuMs'],
    [{ argv: ['a'], rootfs: 'relative' }, 'rootfs'],
    [
      {
        argv: ['a'],
        files: [
          { path: 'x', content: '' },
          { path: 'x', content: '' },
        ],
      },
      'files[1].path',
    ],
  ];
  for (const [spec, field] of cases) {
    assert.throws(
      () => validateSpec(spec as never),
      (e: unknown) => e instanceof SpecError && e.field === field,
      field,
    );
  }
});

test('binds: absolute sources, plain relative destinations, none on a file or another bind', () => {
  const base = { argv: ['true'], files: [{ path: 'checker', content: '' }] };
  const ok = validateSpec({ ...base, binds: [{ src: '/cache/ab', path: 'input.txt' }] });
  assert.deepEqual(ok.binds, [{ src: '/cache/ab', path: 'input.txt' }]);
  const cases: [unknown, string][] = [
    [[{ src: 'cache/ab', path: 'input.txt' }], 'binds[0].src'],
    [[{ src: '/cache/ab', path: '../input.txt' }], 'binds[0].path'],
    [[{ src: '/cache/ab', path: 'checker' }], 'binds[0].path'],
    [
      [
        { src: '/a', path: 'x' },
        { src: '/b', path: 'x' },
      ],
      'binds[1].path',
    ],
  ];
  for (const [binds, field] of cases) {
    assert.throws(
      () => validateSpec({ ...base, binds } as never),
      (e: unknown) => e instanceof SpecError && e.field === field,
      field,
    );
  }
});
