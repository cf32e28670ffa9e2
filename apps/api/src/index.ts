export { createApp } from './app.js';
export type { Api, ApiDeps } from './app.js';
export { loadApiConfig, VARIABLES as API_VARIABLES } from './config.js';
export type { ApiConfig } from './config.js';
export { startApi } from './server.js';
export type { RunningApi } from './server.js';
export { ownerOf } from './auth.js';
