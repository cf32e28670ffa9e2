// codebox's JavaScript code context: a long-lived Node.js that runs cells in one vm
// context, the way a notebook kernel does, speaking JSON lines. Started by the engine
// inside a session's box as `node -e <this> 3>&1 1>&2`: requests come on stdin, events go
// out on fd 3. What a cell writes through process.stdout and process.stderr (console.log
// among them) becomes stdout and stderr events; what a process it starts writes to the
// inherited descriptors arrives on the session side as stderr.
//
// Request: {"id": N, "code": "..."}. Events as python.py's. A cell's value is awaited when
// it is a promise. SIGINT during a cell ends it (breakOnSigint) with an error; the context
// lives on.
'use strict';
const fs = require('node:fs');
const readline = require('node:readline');
const util = require('node:util');
const vm = require('node:vm');

const send = (event) => fs.writeSync(3, JSON.stringify(event) + '\n');
let current = null;

for (const [stream, name] of [
  [process.stdout, 'stdout'],
  [process.stderr, 'stderr'],
]) {
  stream.write = (chunk, encoding, callback) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    send({ id: current, type: name, text });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (done) done();
    return true;
  };
}

const bundle = (value) => {
  const data = { 'text/plain': util.inspect(value, { depth: 4, colors: false }) };
  if (value !== null && typeof value === 'object') {
    try {
      data['application/json'] = JSON.stringify(value);
    } catch {
      // not JSON (a cycle, a BigInt): text only
    }
  }
  return data;
};

const sandbox = {
  console,
  process,
  require,
  Buffer,
  setTimeout,
  setInterval,
  clearTimeout,
  clearInterval,
  setImmediate,
  clearImmediate,
  display: (...values) => values.forEach((v) => send({ id: current, type: 'display', data: bundle(v) })),
};
const context = vm.createContext(sandbox);

const errorEvent = (id, e) => {
  const err = e instanceof Error || (e && typeof e === 'object' && 'stack' in e) ? e : new Error(String(e));
  return {
    id,
    type: 'error',
    name: err.name ?? 'Error',
    message: err.message ?? String(e),
    traceback: String(err.stack ?? ''),
  };
};

// A cell with top-level await (which a script may not have) runs as an async function:
// what it assigns to the context's variables persists, what it declares with let, const or
// class stays in it; its last line, when an expression, is its value.
const LEADING_STATEMENT =
  /^(let|const|var|if|for|while|do|function|class|return|throw|try|switch|import|export|async function)\b/;
function script(code) {
  try {
    new vm.Script(code);
    return code;
  } catch (e) {
    if (!(e instanceof SyntaxError) || !/await/.test(e.message)) return code;
  }
  const lines = code.replace(/\s+$/, '').split('\n');
  const last = (lines.pop() ?? '').trim().replace(/;$/, '');
  const body = lines.join('\n');
  const returning = `(async () => {\n${body}\nreturn (${last});\n})()`;
  if (last && !LEADING_STATEMENT.test(last) && !/[{}]$/.test(last)) {
    try {
      new vm.Script(returning);
      return returning;
    } catch {
      // not an expression after all
    }
  }
  return `(async () => {\n${code}\n})()`;
}

const queue = [];
let running = false;
async function next() {
  if (running) return;
  running = true;
  while (queue.length > 0) {
    const { id, code } = queue.shift();
    current = id;
    try {
      let value = vm.runInContext(script(code), context, { filename: '<cell>', breakOnSigint: true });
      if (value && typeof value.then === 'function') value = await value;
      if (value !== undefined) send({ id, type: 'result', data: bundle(value) });
    } catch (e) {
      send(errorEvent(id, e));
    }
    send({ id, type: 'done' });
    current = null;
  }
  running = false;
}

// between cells, an interrupt has nothing to stop
process.on('SIGINT', () => {});
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    return;
  }
  queue.push({ id: request.id, code: String(request.code ?? '') });
  void next();
});
send({ type: 'ready' });
