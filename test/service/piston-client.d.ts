// piston-client ships no types: what the tests use of it
declare module 'piston-client' {
  export function piston(opts?: { server?: string }): {
    runtimes(): Promise<unknown>;
    execute(language: string, code: string, config?: Record<string, unknown>): Promise<unknown>;
    /** language, version (default the newest listed) and files in the config */
    execute(config: Record<string, unknown>): Promise<unknown>;
  };
}
