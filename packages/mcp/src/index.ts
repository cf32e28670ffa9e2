export { createMcpServer, resultContent } from './server.js';
export type { McpServerOptions } from './server.js';
