/**
 * What a language is to codebox: where its source goes, how it is compiled and run, and
 * how its version is read from the root filesystem. Commands are argv arrays built from
 * the step's context, never shell strings: a file name or an argument is one argv entry
 * whatever it contains.
 */
import type { FileSpec, Limits } from '@codebox/sandbox';

export interface StepContext {
  /** the limits the step's box gets, after the runtime's floors */
  readonly limits: Limits;
  /**
   * the entry file's name in /box, as a command-line operand: a name a tool could take
   * for an option (`-x.c`, `@opts.c`: gcc and javac read options from an @file) comes as
   * `./-x.c`, so it is always a file (program.ts operand)
   */
  readonly entry: string;
  /** every file of the program with one of the runtime's extensions, the entry first; operands too */
  readonly sources: readonly string[];
  /** the caller's compiler options, each one argument: a compile command puts them before
   * its sources (go build, like most, stops reading flags at the first file) */
  readonly extraArgs?: readonly string[];
  /** what runs, where the language names it apart from the file (Java's main class) */
  readonly main?: string;
}

/** what an entry's own text says of its place: its file name, and what runs (Java) */
export interface EntryPlan {
  readonly file?: string;
  readonly main?: string;
}

export type Command = (ctx: StepContext) => readonly string[];

export interface Runtime {
  /** stable id on the wire, e.g. `cpp` */
  readonly id: string;
  /** other names clients use: `c++`, `python3`, `js` */
  readonly aliases: readonly string[];
  /** for people: `C++ (GCC)` */
  readonly name: string;
  /** file extensions that mean this language, with the dot; the first is the default */
  readonly extensions: readonly string[];
  /** the entry's name in /box when given under another name (Java: `Main.java`) */
  readonly sourceFile: string;
  /** where the entry's text says it goes and what runs, overriding sourceFile (Java's classes) */
  readonly entry?: (source: string) => EntryPlan;
  /** commands the root filesystem must have, else the runtime is absent */
  readonly requires: readonly string[];
  /** argv that prints the version (on stdout or stderr); the first x.y[.z] in it is taken */
  readonly versionCommand: readonly string[];
  /** the compile step, in a box of its own; its work dir's files become the run step's */
  readonly compile?: Command;
  readonly run: Command;
  /** added to the base environment of both steps */
  readonly env?: (limits: Limits) => Readonly<Record<string, string>>;
  /** files the compile step needs besides the program's (kept out of the run step) */
  readonly compileFiles?: readonly FileSpec[];
  /** the least a step gets, whatever was asked, because the runtime cannot start with less */
  readonly floors?: { readonly compile?: Partial<Limits>; readonly run?: Partial<Limits> };
}

/** a runtime found in a root filesystem, with the version it has there */
export interface DetectedRuntime extends Runtime {
  /** e.g. `3.11.2`, read from the root at start */
  readonly version: string;
  /** which root it was found in: `host`, `image` or a directory */
  readonly rootfs: string;
}
