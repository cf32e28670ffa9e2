/**
 * The peers' programs pass through the Piston API with the versions they name: for each
 * of our languages that Piston has a package for, a small program of our own that prints
 * OK (as each of Piston's packages ships a test that does), sent to /api/v2/execute as a
 * Piston client sends it — under the language's name or one of its package's aliases, and
 * a version one of its packages names (python 3.10.0, node 18.15.0, java 15.0.2). The
 * installed version runs (CODEBOX_PISTON_RESOLVE_VERSIONS, on by default) and the answer
 * says which. Every package version and every alias is sent at least once.
 *
 * A language whose toolchain this host lacks skips, saying what it needs; with
 * CODEBOX_REQUIRE_RUNTIMES=1 (CI) it fails instead.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { LANGUAGES } from '@codebox/runtimes';
import { post, serviceSkip, useStack } from './stack.js';

const REQUIRE_RUNTIMES = process.env.CODEBOX_REQUIRE_RUNTIMES === '1';

interface Peer {
  /** our runtime's id */
  readonly id: string;
  /** the language as Piston names it, then its packages' aliases (metadata.json) */
  readonly names: readonly string[];
  /** the versions of Piston's packages that provide it (Deno's too, for TypeScript and JavaScript) */
  readonly versions: readonly string[];
  /** the file's name, as Piston's package tests are named */
  readonly file: string;
  /** prints OK */
  readonly program: string;
}

const PEERS: readonly Peer[] = [
  { id: 'bash', names: ['bash', 'sh'], versions: ['5.1.0', '5.2.0'], file: 'test.sh', program: 'echo OK\n' },
  {
    id: 'c',
    names: ['c', 'gcc'],
    versions: ['10.2.0'],
    file: 'test.c',
    program: '#include <stdio.h>\n\nint main(void) {\n    puts("OK");\n    return 0;\n}\n',
  },
  {
    id: 'cpp',
    names: ['c++', 'cpp', 'g++'],
    versions: ['10.2.0'],
    file: 'test.cpp',
    program: '#include <iostream>\n\nint main() {\n    std::cout << "OK" << std::endl;\n}\n',
  },
  {
    id: 'go',
    names: ['go', 'golang'],
    versions: ['1.16.2'],
    file: 'test.go',
    program: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("OK")\n}\n',
  },
  {
    id: 'java',
    names: ['java'],
    versions: ['15.0.2'],
    file: 'test.java',
    program:
      'public class Check {\n    public static void main(String[] args) {\n        System.out.println("OK");\n    }\n}\n',
  },
  {
    id: 'javascript',
    names: ['javascript', 'node-javascript', 'node-js', 'js'],
    versions: ['15.10.0', '16.3.0', '18.15.0', '20.11.1', '1.7.5', '1.16.2', '1.32.3'],
    file: 'test.js',
    program: "const answer = ['O', 'K'].join('');\nconsole.log(answer);\n",
  },
  { id: 'lua', names: ['lua'], versions: ['5.4.2', '5.4.4'], file: 'test.lua', program: 'print("OK")\n' },
  {
    id: 'php',
    names: ['php', 'php8', 'html'],
    versions: ['8.0.2', '8.2.3'],
    file: 'test.php',
    program: '<?php\n$said = "OK";\necho $said . "\\n";\n',
  },
  {
    id: 'python',
    names: ['python', 'py', 'py3', 'python3', 'python3.10', 'python3.11', 'python3.12'],
    versions: ['3.5.10', '3.9.1', '3.9.4', '3.10.0-alpha.7', '3.10.0', '3.11.0', '3.12.0'],
    file: 'test.py',
    program: 'said = "OK"\nprint(said)\n',
  },
  {
    id: 'ruby',
    names: ['ruby', 'ruby3', 'rb'],
    versions: ['2.5.1', '3.0.1'],
    file: 'test.rb',
    program: 'said = "OK"\nputs said\n',
  },
  {
    id: 'rust',
    names: ['rust', 'rs'],
    versions: ['1.50.0', '1.56.1', '1.62.0', '1.63.0', '1.65.0', '1.68.2'],
    file: 'test.rs',
    program: 'fn main() {\n    println!("OK");\n}\n',
  },
  {
    id: 'typescript',
    names: ['typescript', 'ts', 'node-ts', 'tsc', 'typescript5', 'ts5'],
    versions: ['4.2.3', '5.0.3', '1.7.5', '1.16.2', '1.32.3'],
    file: 'test.ts',
    program: "const said: string = 'OK';\nconsole.log(said);\n",
  },
];

/** every version and every name at least once: the i-th request takes the i-th of each, round */
function requests(p: Peer): { language: string; version: string }[] {
  const n = Math.max(p.names.length, p.versions.length);
  return Array.from({ length: n }, (_, i) => ({
    language: p.names[i % p.names.length] ?? '',
    version: p.versions[i % p.versions.length] ?? '',
  }));
}

interface Runtime {
  language: string;
  version: string;
}
interface Answer {
  language: string;
  version: string;
  run: { stdout: string; stderr: string; code: number | null };
  compile?: { stderr: string };
  message?: string;
}

describe("Piston v2: the peers' programs with the versions they name", { skip: serviceSkip() }, () => {
  const t = useStack();
  const installed = new Map<string, Runtime>();

  before(async () => {
    const runtimes = (await (await fetch(`${t.s.url}/api/v2/runtimes`)).json()) as Runtime[];
    for (const rt of runtimes) installed.set(rt.language === 'c++' ? 'cpp' : rt.language, rt);
  });

  for (const peer of PEERS) {
    it(`${peer.id}: ${peer.names.join(', ')} at ${peer.versions.join(', ')}`, async (t2) => {
      const rt = installed.get(peer.id);
      if (!rt && !REQUIRE_RUNTIMES) {
        const needs = LANGUAGES.find((l) => l.id === peer.id)?.requires.join(' and ');
        return t2.skip(`${peer.id} is not installed on this host (it needs ${needs} in the host root)`);
      }
      assert.ok(rt, `CODEBOX_REQUIRE_RUNTIMES=1, but the worker has no ${peer.id}`);
      const answers = await Promise.all(
        requests(peer).map(async (asked) => {
          const body = { ...asked, files: [{ name: peer.file, content: peer.program }] };
          const r = await post(`${t.s.url}/api/v2/execute`, JSON.stringify(body));
          return { asked, status: r.status, answer: r.json as unknown as Answer };
        }),
      );
      for (const { asked, status, answer } of answers) {
        const what = `${asked.language} ${asked.version}: ${JSON.stringify(answer)}`;
        assert.equal(status, 200, what);
        assert.equal(answer.run.stdout, 'OK\n', what);
        assert.equal(answer.run.code, 0, what);
        assert.deepEqual(
          [answer.language, answer.version],
          [rt.language, rt.version],
          `the installed one ran: ${what}`,
        );
      }
    });
  }
});

describe(
  'Piston v2 with CODEBOX_PISTON_RESOLVE_VERSIONS=false: versions as Piston finds them',
  { skip: serviceSkip() },
  () => {
    const t = useStack({ api: { pistonResolveVersions: false } });

    it('a version that is not installed is unknown; *, the installed one and a range it satisfies run', async () => {
      const execute = (version: string) =>
        post(
          `${t.s.url}/api/v2/execute`,
          JSON.stringify({ language: 'py3', version, files: [{ content: 'print("OK")' }] }),
        );
      const unknown = await execute('3.10.0');
      assert.deepEqual([unknown.status, unknown.json], [400, { message: 'py3-3.10.0 runtime is unknown' }]);
      for (const version of ['*', '3']) {
        const r = await execute(version);
        assert.equal(r.status, 200, version);
        assert.equal((r.json as unknown as Answer).run.stdout, 'OK\n');
      }
    });
  },
);
