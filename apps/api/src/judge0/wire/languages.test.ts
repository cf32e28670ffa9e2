/**
 * Judge0's language ids for our runtimes, and the lists and details its routes give, as
 * test/service/judge0.test.ts sees them end to end; and config_info. No root, no Redis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuntimeInfo } from '@codebox/protocol';
import {
  activeLanguages,
  allLanguages,
  configInfo,
  JUDGE0_LANGUAGES,
  judge0Name,
  languageDetail,
  languageRuntimes,
} from './index.js';

const rt = (id: string, name: string, version: string, more: Partial<RuntimeInfo> = {}): RuntimeInfo => ({
  id,
  name,
  version,
  aliases: [],
  extensions: [],
  sourceFile: `main.${id}`,
  compiled: false,
  ...more,
});
const C = rt('c', 'C (GCC)', '12.2.0', {
  compiled: true,
  compileCommand: ['gcc', '-O2', 'main.c'],
  runCommand: ['./main'],
});
const PYTHON = rt('python', 'Python 3', '3.11.2', { runCommand: ['python3', 'main.py'] });
const COBOL = rt('cobol', 'COBOL', '3.1');

test("Judge0's names, with this server's versions; another runtime by its own name", () => {
  const names = Object.fromEntries(
    [
      ['bash', '5.2.15'],
      ['c', '12.2.0'],
      ['cpp', '12.2.0'],
      ['go', '1.19.8'],
      ['java', '17.0.9'],
      ['javascript', '18.19.0'],
      ['lua', '5.4.4'],
      ['php', '8.2.7'],
      ['python', '3.11.2'],
      ['ruby', '3.1.2'],
      ['rust', '1.63.0'],
      ['typescript', '4.9.5'],
    ].map(([id = '', v = '']) => [id, judge0Name(rt(id, id, v))]),
  );
  assert.deepEqual(names, {
    bash: 'Bash (5.2.15)',
    c: 'C (GCC 12.2.0)',
    cpp: 'C++ (GCC 12.2.0)',
    go: 'Go (1.19.8)',
    java: 'Java (OpenJDK 17.0.9)',
    javascript: 'JavaScript (Node.js 18.19.0)',
    lua: 'Lua (5.4.4)',
    php: 'PHP (8.2.7)',
    python: 'Python (3.11.2)',
    ruby: 'Ruby (3.1.2)',
    rust: 'Rust (1.63.0)',
    typescript: 'TypeScript (4.9.5)',
  });
  assert.equal(judge0Name(COBOL), 'COBOL (3.1)');
});

test("the ids: Judge0 1.13.1's active.rb for our languages, the older GCCs' too (they are active there), and its own", () => {
  assert.deepEqual(
    JUDGE0_LANGUAGES.map((l) => `${l.id}:${l.runtime}`),
    [
      '43:bash',
      '44:bash',
      '46:bash',
      '48:c',
      '49:c',
      '50:c',
      '52:cpp',
      '53:cpp',
      '54:cpp',
      '60:go',
      '62:java',
      '63:javascript',
      '64:lua',
      '68:php',
      '71:python',
      '72:ruby',
      '73:rust',
      '74:typescript',
      '89:project',
    ],
  );
});

test('the ids the live runtimes answer to; a runtime without an id has none', () => {
  const ids = languageRuntimes([C, PYTHON, COBOL]);
  assert.deepEqual([...ids.keys()], [48, 49, 50, 71]);
  assert.equal(ids.get(49), C);
});

test('/languages: every id this server runs, by name (the SDK checks its id is listed); /languages/all: the same, none archived', () => {
  const ids = languageRuntimes([PYTHON, C]);
  assert.deepEqual(activeLanguages(ids), [
    { id: 48, name: 'C (GCC 12.2.0)' },
    { id: 49, name: 'C (GCC 12.2.0)' },
    { id: 50, name: 'C (GCC 12.2.0)' },
    { id: 71, name: 'Python (3.11.2)' },
  ]);
  assert.deepEqual(allLanguages(ids), [
    { id: 48, name: 'C (GCC 12.2.0)', is_archived: false },
    { id: 49, name: 'C (GCC 12.2.0)', is_archived: false },
    { id: 50, name: 'C (GCC 12.2.0)', is_archived: false },
    { id: 71, name: 'Python (3.11.2)', is_archived: false },
  ]);
});

test("/languages/:id: the source file and the commands, as one line each; none for an interpreter's compile", () => {
  assert.deepEqual(languageDetail(50, C), {
    id: 50,
    name: 'C (GCC 12.2.0)',
    is_archived: false,
    source_file: 'main.c',
    compile_cmd: 'gcc -O2 main.c',
    run_cmd: './main',
  });
  assert.deepEqual(languageDetail(48, C).is_archived, false);
  assert.deepEqual(languageDetail(71, PYTHON), {
    id: 71,
    name: 'Python (3.11.2)',
    is_archived: false,
    source_file: 'main.python',
    compile_cmd: null,
    run_cmd: 'python3 main.py',
  });
  assert.deepEqual(languageDetail(71, rt('python', 'Python 3', '3.11.2')).run_cmd, null);
});

test("config_info: config.rb's defaults and maxima, and this server's queue, in Judge0's order", () => {
  const expected = {
    maintenance_mode: false,
    enable_wait_result: true,
    enable_compiler_options: true,
    allowed_languages_for_compile_options: [],
    enable_command_line_arguments: true,
    enable_submission_delete: false,
    enable_callbacks: true,
    callbacks_max_tries: 3,
    callbacks_timeout: 5,
    enable_additional_files: true,
    max_queue_size: 64,
    cpu_time_limit: 5,
    max_cpu_time_limit: 15,
    cpu_extra_time: 1,
    max_cpu_extra_time: 5,
    wall_time_limit: 10,
    max_wall_time_limit: 20,
    memory_limit: 128000,
    max_memory_limit: 512000,
    stack_limit: 64000,
    max_stack_limit: 128000,
    max_processes_and_or_threads: 60,
    max_max_processes_and_or_threads: 120,
    enable_per_process_and_thread_time_limit: false,
    allow_enable_per_process_and_thread_time_limit: true,
    enable_per_process_and_thread_memory_limit: false,
    allow_enable_per_process_and_thread_memory_limit: true,
    max_file_size: 1024,
    max_max_file_size: 4096,
    number_of_runs: 1,
    max_number_of_runs: 20,
    redirect_stderr_to_stdout: false,
    max_extract_size: 10240,
    enable_batched_submissions: true,
    max_submission_batch_size: 20,
    submission_cache_duration: 1,
    use_docs_as_homepage: false,
    allow_enable_network: true,
    enable_network: false,
  };
  assert.deepEqual(Object.entries(configInfo(64)), Object.entries(expected));
});
