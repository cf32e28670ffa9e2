/**
 * The same small programs in every language, for test/runtimes: each prints, echoes,
 * exits or fails in the way its name says. `compileError` is set where the language
 * compiles; `threads` where threads are the runtime's own business (the JVM, Go's
 * scheduler) and must work under the default limits.
 */
export interface Programs {
  /** prints exactly "Hello, World!\n" */
  readonly hello: string;
  /** copies stdin to stdout */
  readonly echo: string;
  /** exits with code 3 after printing "bye\n" */
  readonly exit3: string;
  /**
   * prints "before\n" (flushed: a crash loses what is buffered), then fails at run time
   * (an exception, a panic, a fault): non-zero exit or a signal; "unreachable" if it goes on
   */
  readonly crash: string;
  /** does not compile */
  readonly compileError?: string;
  /** 8 threads each add 1000 to a shared counter; prints 8000 */
  readonly threads?: string;
}

export const PROGRAMS: Readonly<Record<string, Programs>> = {
  bash: {
    hello: 'echo "Hello, World!"\n',
    echo: 'cat\n',
    exit3: 'echo bye\nexit 3\n',
    crash: 'echo before\nset -e\nfalse\necho unreachable\n',
  },
  // a multi-file program of one file, its run script (and no compile script: a compile step that does nothing)
  project: {
    hello: 'echo "Hello, World!"\n',
    echo: 'cat\n',
    exit3: 'echo bye\nexit 3\n',
    crash: 'echo before\nset -e\nfalse\necho unreachable\n',
  },
  python: {
    hello: 'print("Hello, World!")\n',
    echo: 'import sys\nsys.stdout.write(sys.stdin.read())\n',
    exit3: 'import sys\nprint("bye")\nsys.exit(3)\n',
    crash: 'print("before", flush=True)\nraise RuntimeError("boom")\n',
  },
  javascript: {
    hello: 'console.log("Hello, World!");\n',
    echo: 'process.stdin.pipe(process.stdout);\n',
    exit3: 'console.log("bye");\nprocess.exitCode = 3;\n',
    crash: 'console.log("before");\nthrow new Error("boom");\n',
  },
  typescript: {
    hello: 'const greeting: string = "Hello, World!";\nconsole.log(greeting);\n',
    echo: 'import * as fs from "fs";\nconst input: string = fs.readFileSync(0, "utf8");\nprocess.stdout.write(input);\n',
    exit3: 'console.log("bye");\nprocess.exitCode = 3;\n',
    crash: 'function boom(): never { throw new Error("boom"); }\nconsole.log("before");\nboom();\n',
    compileError: 'const n: number = "not a number";\nconsole.log(n);\n',
  },
  c: {
    hello: '#include <stdio.h>\nint main(void) { puts("Hello, World!"); return 0; }\n',
    echo: '#include <stdio.h>\nint main(void) { int c; while ((c = getchar()) != EOF) putchar(c); return 0; }\n',
    exit3: '#include <stdio.h>\nint main(void) { puts("bye"); return 3; }\n',
    crash:
      '#include <stdio.h>\nint main(void) { puts("before"); fflush(stdout); volatile int *p = 0; *p = 1; puts("unreachable"); return 0; }\n',
    compileError: 'int main(void) { return undeclared; }\n',
  },
  cpp: {
    hello: '#include <iostream>\nint main() { std::cout << "Hello, World!" << std::endl; }\n',
    echo: '#include <iostream>\nint main() { std::cout << std::cin.rdbuf(); }\n',
    exit3: '#include <iostream>\nint main() { std::cout << "bye" << std::endl; return 3; }\n',
    crash:
      '#include <iostream>\n#include <stdexcept>\nint main() { std::cout << "before" << std::endl; throw std::runtime_error("boom"); }\n',
    compileError: '#include <string>\nint main() { std::string s = 42 +; }\n',
  },
  java: {
    hello:
      'public class Main {\n  public static void main(String[] args) {\n    System.out.println("Hello, World!");\n  }\n}\n',
    echo: 'import java.io.*;\npublic class Main {\n  public static void main(String[] args) throws IOException {\n    System.in.transferTo(System.out);\n    System.out.flush();\n  }\n}\n',
    exit3:
      'public class Main {\n  public static void main(String[] args) {\n    System.out.println("bye");\n    System.exit(3);\n  }\n}\n',
    crash:
      'public class Main {\n  public static void main(String[] args) {\n    System.out.println("before");\n    System.out.flush();\n    int[] a = new int[1];\n    System.out.println(a[5]);\n  }\n}\n',
    compileError: 'public class Main {\n  public static void main(String[] args) {\n    int x = "text";\n  }\n}\n',
    threads: [
      'import java.util.concurrent.atomic.AtomicInteger;',
      'public class Main {',
      '  public static void main(String[] args) throws Exception {',
      '    AtomicInteger n = new AtomicInteger();',
      '    Thread[] ts = new Thread[8];',
      '    for (int i = 0; i < 8; i++) { ts[i] = new Thread(() -> { for (int j = 0; j < 1000; j++) n.incrementAndGet(); }); ts[i].start(); }',
      '    for (Thread t : ts) t.join();',
      '    System.out.println(n.get());',
      '  }',
      '}',
      '',
    ].join('\n'),
  },
  go: {
    hello: 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("Hello, World!") }\n',
    echo: 'package main\n\nimport (\n\t"io"\n\t"os"\n)\n\nfunc main() { io.Copy(os.Stdout, os.Stdin) }\n',
    exit3: 'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() { fmt.Println("bye"); os.Exit(3) }\n',
    crash: 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("before"); var m map[string]int; m["x"] = 1 }\n',
    compileError: 'package main\n\nfunc main() { x := 1 }\n',
    threads: [
      'package main',
      '',
      'import (',
      '\t"fmt"',
      '\t"runtime"',
      '\t"sync"',
      '\t"sync/atomic"',
      ')',
      '',
      'func main() {',
      '\tvar n int64',
      '\tvar wg sync.WaitGroup',
      '\tfor i := 0; i < 8; i++ {',
      '\t\twg.Add(1)',
      '\t\tgo func() {',
      '\t\t\tdefer wg.Done()',
      '\t\t\truntime.LockOSThread() // a real OS thread each, not only goroutines',
      '\t\t\tfor j := 0; j < 1000; j++ {',
      '\t\t\t\tatomic.AddInt64(&n, 1)',
      '\t\t\t}',
      '\t\t}()',
      '\t}',
      '\twg.Wait()',
      '\tfmt.Println(n)',
      '}',
      '',
    ].join('\n'),
  },
  rust: {
    hello: 'fn main() {\n    println!("Hello, World!");\n}\n',
    echo: 'use std::io::{self, Read, Write};\nfn main() {\n    let mut s = Vec::new();\n    io::stdin().read_to_end(&mut s).unwrap();\n    io::stdout().write_all(&s).unwrap();\n}\n',
    exit3: 'fn main() {\n    println!("bye");\n    std::process::exit(3);\n}\n',
    crash: 'fn main() {\n    println!("before");\n    let v: Vec<i32> = Vec::new();\n    println!("{}", v[1]);\n}\n',
    compileError: 'fn main() {\n    let x: i32 = "text";\n}\n',
  },
  ruby: {
    hello: 'puts "Hello, World!"\n',
    echo: '$stdout.write($stdin.read)\n',
    exit3: 'puts "bye"\nexit 3\n',
    crash: 'puts "before"\n$stdout.flush\nraise "boom"\n',
  },
  php: {
    hello: '<?php\necho "Hello, World!\\n";\n',
    echo: '<?php\necho stream_get_contents(STDIN);\n',
    exit3: '<?php\necho "bye\\n";\nexit(3);\n',
    crash: '<?php\necho "before\\n";\nthrow new Exception("boom");\n',
  },
  lua: {
    hello: 'print("Hello, World!")\n',
    echo: 'io.write(io.read("a"))\n',
    exit3: 'print("bye")\nos.exit(3)\n',
    crash: 'print("before")\nio.stdout:flush()\nerror("boom")\n',
  },
};
