/**
 * The MCP server over streamable HTTP at /mcp, stateless (no session id generator): each POST is one JSON-RPC
 * exchange with a server made for it, whose tools call this API back as the caller's key
 * (its own sessions, its own limits), on the address the request came to.
 */
import type { Request, RequestHandler, Response } from 'express';
import express, { Router } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CodeboxClient } from '@codebox/client';
import { createMcpServer } from '@codebox/mcp';
import type { Logger } from 'pino';

export interface McpDeps {
  readonly authenticate: RequestHandler;
  /** the key's rate: each POST is a request like any other (the tools' own calls count too) */
  readonly rateLimit: RequestHandler;
  readonly bodyLimitBytes: number;
  readonly version: string;
  readonly log: Logger;
}

export function mcpRoutes(d: McpDeps): Router {
  const router = Router();
  router.post('/mcp', d.authenticate, d.rateLimit, express.json({ limit: d.bodyLimitBytes }), async (req, res) => {
    const key = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const client = new CodeboxClient({ baseUrl: selfUrl(req), ...(key ? { apiKey: key } : {}) });
    const server = createMcpServer({ client, runtimes: await client.runtimes(), version: d.version });
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  // stateless: no stream to resume, no session to end
  for (const method of ['get', 'delete'] as const) {
    router[method]('/mcp', (_req: Request, res: Response) => {
      res
        .status(405)
        .set('Allow', 'POST')
        .json({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Method not allowed: POST JSON-RPC to /mcp' },
          id: null,
        });
    });
  }
  return router;
}

/** this API, as the request reached it */
function selfUrl(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${req.socket.localPort}`;
}
