/**
 * The languages, one entry each. Versions are never written here: detect.ts reads them
 * from the root filesystem. Compiled languages put their artifact in /box, which the run
 * step's box receives (regular files only, see the engine's collectFiles).
 *
 * Flags chosen for a box: -O2 like the judges; Go without cgo (no C toolchain needed at
 * run time); Rust without debug info (an 11 MB artifact becomes 4 MB); the JVM with the
 * serial collector (one GC thread, the smallest footprint) and a heap sized from the
 * box's memory so the JVM never plans for the host's 24 GiB.
 */
import type { FileSpec, Limits } from '@codebox/sandbox';
import { javaEntry } from './java.js';
import type { Runtime } from './runtime.js';

const MiB = 1024 * 1024;

/** the JVM's heap: the box's memory less room for metaspace, code cache and stacks */
function jvmHeapMiB(memoryBytes: number): number {
  return Math.max(16, Math.floor((memoryBytes - 64 * MiB) / MiB));
}

function jvmFlags(limits: Limits): string[] {
  return [
    '-XX:+UseSerialGC',
    `-Xmx${jvmHeapMiB(limits.memoryBytes)}m`,
    // deep recursion is common in judge solutions: the threads' stacks get the box's stack limit
    `-Xss${Math.max(1, Math.floor(limits.stackBytes / MiB))}m`,
    `-XX:ActiveProcessorCount=${Math.max(1, Math.ceil(limits.cpus))}`,
  ];
}

/**
 * Debian ships no @types/node: without these, a TypeScript program that touches `process`
 * or imports `fs` would not compile. They are typed loosely on purpose.
 */
const TS_NODE_GLOBALS: FileSpec = {
  path: 'codebox-node-globals.d.ts',
  content: [
    '// codebox: Node.js globals for programs compiled without @types/node',
    'declare var process: any;',
    'declare var require: any;',
    'declare var module: any;',
    'declare var exports: any;',
    'declare var Buffer: any;',
    'declare var __dirname: string;',
    'declare var __filename: string;',
    "declare module '*';",
    '',
  ].join('\n'),
};

export const LANGUAGES: readonly Runtime[] = [
  {
    id: 'bash',
    aliases: ['sh', 'shell'],
    name: 'Bash',
    extensions: ['.sh', '.bash'],
    sourceFile: 'main.sh',
    requires: ['bash'],
    versionCommand: ['bash', '--version'],
    run: ({ entry }) => ['bash', entry],
  },
  {
    // Judge0's multi-file program: files[0] is the run script, and a `compile` script
    // among the files, when there is one, builds the program first, in the compile step's
    // box (a failure is COMPILE_ERROR, its output the compiler's); each run with bash
    id: 'project',
    aliases: ['multi-file'],
    name: 'Multi-file program (bash scripts)',
    extensions: [],
    sourceFile: 'run',
    requires: ['bash'],
    versionCommand: ['bash', '--version'],
    // a fixed script, holding nothing of the client's: a compile step without a compile
    // script does nothing (a runtime's compile step cannot depend on the files it is given)
    compile: () => ['bash', '-c', 'if [ -f compile ]; then exec bash compile; fi'],
    run: ({ entry }) => ['bash', entry],
  },
  {
    id: 'python',
    aliases: ['python3', 'py'],
    name: 'Python 3',
    extensions: ['.py'],
    sourceFile: 'main.py',
    requires: ['python3'],
    versionCommand: ['python3', '--version'],
    run: ({ entry }) => ['python3', entry],
  },
  {
    id: 'javascript',
    aliases: ['js', 'node', 'nodejs'],
    name: 'JavaScript (Node.js)',
    extensions: ['.js', '.mjs', '.cjs'],
    sourceFile: 'main.js',
    requires: ['node'],
    versionCommand: ['node', '--version'],
    run: ({ entry }) => ['node', entry],
  },
  {
    id: 'typescript',
    aliases: ['ts'],
    name: 'TypeScript (tsc, Node.js)',
    extensions: ['.ts'],
    sourceFile: 'main.ts',
    requires: ['tsc', 'node'],
    versionCommand: ['tsc', '--version'],
    compileFiles: [TS_NODE_GLOBALS],
    compile: ({ sources, extraArgs = [] }) => [
      'tsc',
      '--target',
      'es2020',
      '--module',
      'commonjs',
      '--esModuleInterop',
      '--skipLibCheck',
      '--noEmitOnError',
      ...extraArgs,
      ...sources,
      TS_NODE_GLOBALS.path,
    ],
    run: ({ entry }) => ['node', entry.replace(/\.ts$/, '.js')],
    floors: { compile: { memoryBytes: 512 * MiB } },
  },
  {
    id: 'c',
    aliases: ['gcc'],
    name: 'C (GCC)',
    extensions: ['.c'],
    sourceFile: 'main.c',
    requires: ['gcc'],
    versionCommand: ['gcc', '-dumpfullversion'],
    compile: ({ sources, extraArgs = [] }) => [
      'gcc',
      '-std=gnu17',
      '-O2',
      '-pipe',
      '-o',
      'main',
      ...extraArgs,
      ...sources,
      '-lm',
    ],
    run: () => ['./main'],
  },
  {
    id: 'cpp',
    aliases: ['c++', 'g++', 'cxx'],
    name: 'C++ (GCC)',
    extensions: ['.cpp', '.cc', '.cxx', '.c++'],
    sourceFile: 'main.cpp',
    requires: ['g++'],
    versionCommand: ['g++', '-dumpfullversion'],
    compile: ({ sources, extraArgs = [] }) => [
      'g++',
      '-std=gnu++17',
      '-O2',
      '-pipe',
      '-o',
      'main',
      ...extraArgs,
      ...sources,
      '-lm',
    ],
    run: () => ['./main'],
  },
  {
    id: 'java',
    aliases: ['jdk'],
    name: 'Java (OpenJDK)',
    extensions: ['.java'],
    sourceFile: 'Main.java',
    // a public class lives in a file of its name; the first class with main() runs
    entry: (source) => {
      const { publicClass, mainClass } = javaEntry(source);
      return { ...(publicClass ? { file: `${publicClass}.java` } : {}), main: mainClass ?? publicClass ?? 'Main' };
    },
    requires: ['javac', 'java'],
    versionCommand: ['javac', '-version'],
    compile: ({ sources, limits, extraArgs = [] }) => [
      'javac',
      '-encoding',
      'UTF-8',
      ...jvmFlags(limits).map((f) => `-J${f}`),
      '-d',
      '.',
      ...extraArgs,
      ...sources,
    ],
    run: ({ limits, main = 'Main' }) => ['java', ...jvmFlags(limits), '-cp', '.', main],
    // the JVM starts about 20 threads before main() and wants ~50 MiB besides its heap
    floors: { compile: { memoryBytes: 512 * MiB, pids: 64 }, run: { memoryBytes: 96 * MiB, pids: 32 } },
  },
  {
    id: 'go',
    aliases: ['golang'],
    name: 'Go',
    extensions: ['.go'],
    sourceFile: 'main.go',
    requires: ['go'],
    versionCommand: ['go', 'version'],
    env: (limits) => ({
      GOCACHE: '/tmp/go-cache',
      GOPATH: '/tmp/go',
      CGO_ENABLED: '0',
      // Go sizes its scheduler from the cpus it sees (the host's); the box has fewer
      GOMAXPROCS: String(Math.max(1, Math.ceil(limits.cpus))),
    }),
    compile: ({ sources, extraArgs = [] }) => ['go', 'build', '-o', 'main', ...extraArgs, ...sources],
    run: () => ['./main'],
    // go build runs compile and link as processes, each with a thread per core and more
    floors: { compile: { pids: 128, memoryBytes: 512 * MiB }, run: { pids: 16 } },
  },
  {
    id: 'rust',
    aliases: ['rs', 'rustc'],
    name: 'Rust',
    extensions: ['.rs'],
    sourceFile: 'main.rs',
    requires: ['rustc', 'cc'],
    versionCommand: ['rustc', '--version'],
    // rustc finds modules (`mod x;`) from the entry itself
    compile: ({ entry, extraArgs = [] }) => [
      'rustc',
      '--edition',
      '2021',
      '-O',
      '-C',
      'strip=debuginfo',
      '-o',
      'main',
      ...extraArgs,
      entry,
    ],
    run: () => ['./main'],
    floors: { compile: { memoryBytes: 512 * MiB } },
  },
  {
    id: 'ruby',
    aliases: ['rb'],
    name: 'Ruby',
    extensions: ['.rb'],
    sourceFile: 'main.rb',
    requires: ['ruby'],
    versionCommand: ['ruby', '--version'],
    run: ({ entry }) => ['ruby', entry],
  },
  {
    id: 'php',
    aliases: [],
    name: 'PHP',
    extensions: ['.php'],
    sourceFile: 'main.php',
    requires: ['php'],
    versionCommand: ['php', '--version'],
    run: ({ entry }) => ['php', entry],
  },
  {
    id: 'lua',
    aliases: [],
    name: 'Lua',
    extensions: ['.lua'],
    sourceFile: 'main.lua',
    requires: ['lua'],
    versionCommand: ['lua', '-v'],
    run: ({ entry }) => ['lua', entry],
  },
];
