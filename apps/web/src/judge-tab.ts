/**
 * The Judge tab: tests (stdin and the expected output), a checker, then a table with a
 * row per test, filled in as each test's event arrives, and the job's verdict. The rows
 * are laid out when the job starts, so nothing moves as results come in.
 */
import type { CheckerInput, JobRequest, JobView, TestJson } from '@codebox/protocol';
import { byId, h } from './dom.js';
import { bytes, ms, tone } from './format.js';
import type { JobWatcher } from './follow.js';
import { CompileBox, VerdictBar } from './panes.js';

interface TestRow {
  readonly stdin: HTMLTextAreaElement;
  readonly expected: HTMLTextAreaElement;
  readonly root: HTMLElement;
}

const CHECKERS: readonly { value: Exclude<CheckerInput, object>; label: string }[] = [
  { value: 'trailing-whitespace', label: 'ignore trailing whitespace' },
  { value: 'exact', label: 'exact, byte for byte' },
  { value: 'tokens', label: 'same tokens' },
  { value: 'float', label: 'numbers within 1e-6' },
];

export class JudgeTab implements JobWatcher {
  private readonly list = byId('tests');
  private readonly checker = byId<HTMLSelectElement>('checker');
  private readonly results = byId<HTMLTableSectionElement>('results');
  private readonly compile = new CompileBox(byId('judge-compile'));
  private readonly verdict = new VerdictBar(byId('judge-verdict'));
  private rows: TestRow[] = [];
  private compiled = false;

  constructor() {
    for (const c of CHECKERS) this.checker.append(h('option', { value: c.value }, c.label));
    byId('add-test').addEventListener('click', () => this.add('', '').stdin.focus());
    this.add('world\n', 'Hello, world!\n');
    this.verdict.idle('Add tests, then press Judge (Ctrl+Enter).');
  }

  language(compiled: boolean): void {
    this.compiled = compiled;
    this.compile.reset(compiled);
  }

  add(stdin: string, expected: string): TestRow {
    const n = this.rows.length + 1;
    const area = (label: string, value: string, name: string) => {
      const t = h('textarea', { rows: 2, spellcheck: 'false', 'aria-label': label, name });
      t.value = value;
      return t;
    };
    const row: TestRow = {
      stdin: area('stdin', stdin, 'stdin'),
      expected: area('expected output', expected, 'expected'),
      root: h('div', { class: 'test' }),
    };
    const remove = h('button', { type: 'button', class: 'icon', title: 'Remove this test' }, '×');
    remove.addEventListener('click', () => {
      row.root.remove();
      this.rows = this.rows.filter((r) => r !== row);
      this.renumber();
    });
    row.root.append(
      h('span', { class: 'test-name' }, `#${n}`),
      h('label', {}, 'stdin', row.stdin),
      h('label', {}, 'expected', row.expected),
      remove,
    );
    this.list.append(row.root);
    this.rows.push(row);
    return row;
  }

  request(base: JobRequest): JobRequest {
    return {
      ...base,
      tests: this.rows.map((r, i) => ({ name: `#${i + 1}`, stdin: r.stdin.value, expectedOutput: r.expected.value })),
      checker: this.checker.value as CheckerInput,
    };
  }

  begin(): void {
    this.compile.reset(this.compiled);
    if (this.compiled) this.compile.start();
    this.results.replaceChildren(
      ...this.rows.map((_r, i) =>
        h(
          'tr',
          { 'data-test': i },
          h('td', {}, `#${i + 1}`),
          h('td', {}, h('span', { class: 'badge neutral' }, 'waiting')),
          h('td', {}, ''),
          h('td', {}, ''),
          h('td', {}, ''),
          h('td', { class: 'message' }, ''),
        ),
      ),
    );
    this.verdict.idle(this.compiled ? 'Compiling…' : 'Judging…');
  }

  queued(): void {
    // the rows already say waiting
  }

  stage(): void {
    // a judge job reports its tests, not its steps
  }

  output(): void {
    // nor their output as it comes: each test's is in its event
  }

  test(t: TestJson): void {
    const row = this.results.querySelector(`tr[data-test="${t.index}"]`);
    if (!row) return;
    const cells = row.querySelectorAll('td');
    cells[1]?.replaceChildren(
      h('span', { class: `badge ${tone(t.verdict)}`, 'data-verdict': t.verdict }, t.verdict.replace(/_/g, ' ')),
    );
    cells[2]?.replaceChildren(ms(t.cpuMs));
    cells[3]?.replaceChildren(ms(t.wallMs));
    cells[4]?.replaceChildren(bytes(t.memoryBytes));
    cells[5]?.replaceChildren(t.checker ?? '');
    if (cells[5]) cells[5].title = t.checker ?? '';
    this.verdict.idle('Judging…');
  }

  done(job: JobView): void {
    const j = job.judge;
    if (!j) {
      this.verdict.show(job.status, undefined, job.error?.message);
      return;
    }
    if (j.compile) this.compile.whole(j.compile);
    for (const t of j.tests) this.test(t);
    for (const row of this.results.querySelectorAll('tr')) {
      const badge = row.querySelector('.badge');
      if (badge?.textContent === 'waiting') badge.textContent = j.verdict === 'COMPILE_ERROR' ? 'not run' : 'skipped';
    }
    this.verdict.show(
      job.status === 'cancelled' ? 'cancelled' : j.verdict,
      undefined,
      `${j.passed} of ${j.total} passed`,
    );
  }

  refused(message: string): void {
    this.verdict.show('refused', undefined, message);
  }

  private renumber(): void {
    this.rows.forEach((r, i) => ((r.root.querySelector('.test-name') as HTMLElement).textContent = `#${i + 1}`));
  }
}
