import assert from 'node:assert/strict';
import { test } from 'node:test';
import { javaEntry } from './java.js';

test('the public class names the file; the first top-level class with main runs', () => {
  assert.deepEqual(javaEntry('public class Main { public static void main(String[] a) {} }'), {
    publicClass: 'Main',
    mainClass: 'Main',
  });
  assert.deepEqual(
    javaEntry(
      'public class HelloWorld {\n  public static void main(final String... args) { System.out.println("{"); }\n}',
    ),
    { publicClass: 'HelloWorld', mainClass: 'HelloWorld' },
  );
  assert.deepEqual(javaEntry('import java.util.*;\nclass Solution {\n  static void main(String[] args) {}\n}'), {
    mainClass: 'Solution',
  });
  assert.deepEqual(
    javaEntry(
      'class Helper { int main = 1; void run() { class Local {} } }\nfinal class App { public static void main(String[] a) { new Helper().run(); } }',
    ),
    { mainClass: 'App' },
  );
  assert.deepEqual(
    javaEntry(
      'public class Box<T extends Comparable<T>> { T t; }\nrecord P(int x) { public static void main(String[] a) {} }',
    ),
    { publicClass: 'Box', mainClass: 'P' },
  );
});

test('comments, strings, text blocks and chars hide what they hold', () => {
  const src = [
    '// public class Fake { public static void main(String[] a) {} }',
    '/* class AlsoFake { static void main(String[] a) {} } */',
    'public class Real {',
    '  static String s = "} class Inside { static void main(";',
    '  static String t = """',
    '    } class Block {',
    '    """;',
    "  static char c = '}';",
    '  public static void main(String[] args) {}',
    '}',
  ].join('\n');
  assert.deepEqual(javaEntry(src), { publicClass: 'Real', mainClass: 'Real' });
});

test('main only in a method or a nested class is not a top-level main', () => {
  assert.deepEqual(
    javaEntry(
      'class A { void f() { Runnable r = () -> {}; } static class B { public static void main(String[] a) {} } }',
    ),
    {},
  );
});
