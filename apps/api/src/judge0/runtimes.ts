/** The runtimes the live workers offer, by Judge0 language id (the catalog's, kept for a second). */
import type { RuntimeInfo } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { languageRuntimes } from './wire/index.js';

export async function judge0Runtimes(catalog: CatalogReader): Promise<Map<number, RuntimeInfo>> {
  return languageRuntimes((await catalog.read()).runtimes);
}
