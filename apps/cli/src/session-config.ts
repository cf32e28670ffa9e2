/**
 * `codebox session`'s settings: the running service it talks to, and its key. From the
 * environment once at start (flags override them); a bad value is one line naming it.
 */
import { ConfigError, loadVariables } from '@codebox/config';
import type { Variables } from '@codebox/config';
import { UsageError } from './usage-error.js';

export interface ServiceConfig {
  /** the service's base URL */
  url: string;
  /** its bearer key, when it has keys */
  key: string | undefined;
}

export const SERVICE_VARIABLES: Variables<ServiceConfig> = {
  // The running codebox service `codebox session` talks to.
  CODEBOX_URL: {
    doc: 'the service `codebox session` talks to',
    default: 'http://127.0.0.1:8080',
    apply: (v, c) => {
      if (!/^https?:\/\/[^\s/]+/.test(v)) return 'must be an http:// or https:// URL';
      c.url = v;
      return undefined;
    },
  },
  // Its key (Authorization: Bearer), when the service has CODEBOX_API_KEYS.
  CODEBOX_KEY: {
    doc: "`codebox session`'s API key, when the service has keys",
    defaultDoc: 'none',
    apply: (v, c) => void (c.key = v),
    show: () => '***',
  },
};

export function loadServiceConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  try {
    return loadVariables(env, SERVICE_VARIABLES, { key: undefined } as ServiceConfig);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
