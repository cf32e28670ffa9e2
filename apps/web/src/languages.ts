/**
 * What the editor knows of each language the workers may offer: how to highlight it
 * (CodeMirror 6; each grammar loaded when first picked, so the page starts with none) and
 * a hello world to start from, by runtime id; a runtime not listed borrows a kin's
 * (supportFor), so every live runtime gets a grammar.
 */
import type { Extension } from '@codemirror/state';
import { StreamLanguage } from '@codemirror/language';
import type { StreamParser } from '@codemirror/language';
import type { RuntimeInfo } from '@codebox/protocol';

export interface LanguageSupport {
  /** the grammar, loaded on first use */
  readonly highlight: () => Promise<Extension>;
  readonly hello: string;
}

/** a grammar of CodeMirror 5's modes (no Lezer grammar exists for these) */
async function legacy(parser: Promise<StreamParser<unknown>>): Promise<Extension> {
  return StreamLanguage.define(await parser);
}

/** by runtime id (packages/runtimes/src/languages.ts) */
export const SUPPORT: Readonly<Record<string, LanguageSupport>> = {
  bash: {
    highlight: () => legacy(import('@codemirror/legacy-modes/mode/shell').then((m) => m.shell)),
    hello: 'echo "Hello, world!"\n',
  },
  python: {
    highlight: async () => (await import('@codemirror/lang-python')).python(),
    hello: 'print("Hello, world!")\n',
  },
  javascript: {
    highlight: async () => (await import('@codemirror/lang-javascript')).javascript(),
    hello: 'console.log("Hello, world!");\n',
  },
  typescript: {
    highlight: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true }),
    hello: 'const greeting: string = "Hello, world!";\nconsole.log(greeting);\n',
  },
  c: {
    highlight: async () => (await import('@codemirror/lang-cpp')).cpp(),
    hello: '#include <stdio.h>\n\nint main(void) {\n    printf("Hello, world!\\n");\n    return 0;\n}\n',
  },
  cpp: {
    highlight: async () => (await import('@codemirror/lang-cpp')).cpp(),
    hello: '#include <iostream>\n\nint main() {\n    std::cout << "Hello, world!" << std::endl;\n}\n',
  },
  java: {
    highlight: async () => (await import('@codemirror/lang-java')).java(),
    hello:
      'public class Main {\n    public static void main(String[] args) {\n        System.out.println("Hello, world!");\n    }\n}\n',
  },
  go: {
    highlight: async () => (await import('@codemirror/lang-go')).go(),
    hello: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("Hello, world!")\n}\n',
  },
  rust: {
    highlight: async () => (await import('@codemirror/lang-rust')).rust(),
    hello: 'fn main() {\n    println!("Hello, world!");\n}\n',
  },
  ruby: {
    highlight: () => legacy(import('@codemirror/legacy-modes/mode/ruby').then((m) => m.ruby)),
    hello: 'puts "Hello, world!"\n',
  },
  php: {
    highlight: async () => (await import('@codemirror/lang-php')).php(),
    hello: '<?php\necho "Hello, world!\\n";\n',
  },
  lua: {
    highlight: () => legacy(import('@codemirror/legacy-modes/mode/lua').then((m) => m.lua)),
    hello: 'print("Hello, world!")\n',
  },
};

/**
 * The language whose grammar and template a runtime gets: its own, else that of a live
 * runtime it shares a file extension with, else that of one run by the same program (the
 * runtimes' table declares both; nothing is repeated here). Undefined: plain text.
 */
export function supportFor(rt: RuntimeInfo, live: readonly RuntimeInfo[]): LanguageSupport | undefined {
  const direct = SUPPORT[rt.id];
  if (direct) return direct;
  const program = (r: RuntimeInfo) => r.runCommand?.[0]?.split('/').pop();
  const kin =
    live.find((o) => SUPPORT[o.id] && o.extensions.some((e) => rt.extensions.includes(e))) ??
    live.find((o) => SUPPORT[o.id] && program(o) !== undefined && program(o) === program(rt));
  return kin ? SUPPORT[kin.id] : undefined;
}
