/**
 * The CLI's configuration: the host variables every box-making process reads
 * (@codebox/config's HOST_VARIABLES), from the environment once at start. Each bad value
 * is one line naming it, and exit 2.
 */
import { ConfigError, defaultHostConfig, HOST_VARIABLES, loadVariables } from '@codebox/config';
import type { HostConfig, Variables } from '@codebox/config';
import { SERVICE_VARIABLES } from './session-config.js';
import { UsageError } from './usage-error.js';

export type CliConfig = Readonly<HostConfig>;

/** every variable the CLI reads: the host's (run, exec, doctor) and the service's (session) */
export const VARIABLES = { ...HOST_VARIABLES, ...SERVICE_VARIABLES } as Variables<never>;

export function loadConfig(env: NodeJS.ProcessEnv): CliConfig {
  try {
    return loadVariables(env, HOST_VARIABLES, defaultHostConfig());
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
