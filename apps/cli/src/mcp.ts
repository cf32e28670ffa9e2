/**
 * `codebox mcp`: codebox as an MCP server on stdio, for desktop clients that start their
 * tools as commands (Claude Desktop, an editor). Its tools call a running service
 * (CODEBOX_URL, CODEBOX_KEY, or --url and --key) as that key: what the service would
 * refuse over REST it refuses here too. stdout is the protocol's: every word of ours goes
 * to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CodeboxClient, CodeboxError } from '@codebox/client';
import { createMcpServer } from '@codebox/mcp';
import { walkFlags } from './flags.js';
import { loadServiceConfig } from './session-config.js';
import { UsageError } from './usage-error.js';

export const MCP_HELP = `usage: codebox mcp [--url URL] [--key KEY]

  An MCP server on stdin/stdout whose tools (run_code, create_session, exec_command,
  run_cell, write_file, read_file, list_files, close_session) run on a codebox service:
  CODEBOX_URL (default http://127.0.0.1:8080) with the key CODEBOX_KEY, or the flags.
  In a client's config: {"command": "npx", "args": ["codebox", "mcp"], "env": {"CODEBOX_URL": "…", "CODEBOX_KEY": "…"}}`;

const VERSION = '0.1.0';

export async function mcpCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadServiceConfig(env);
  let url = config.url;
  let key = config.key;
  walkFlags(
    argv,
    (flag, value) => {
      if (flag === '--url') url = value();
      else if (flag === '--key') key = value();
      else throw new UsageError(`unknown flag ${flag} (codebox mcp --url URL --key KEY)`);
    },
    (arg) => {
      throw new UsageError(`codebox mcp takes no argument "${arg}" (codebox mcp --help)`);
    },
  );
  const client = new CodeboxClient({ baseUrl: url, ...(key ? { apiKey: key } : {}) });
  let runtimes;
  try {
    // the tools' languages and limits are the live workers': no service, no server
    runtimes = await client.runtimes();
  } catch (err) {
    const why = err instanceof CodeboxError ? err.message : err instanceof Error ? err.message : String(err);
    process.stderr.write(`codebox mcp: the service at ${url} did not answer: ${why}\n`);
    return 1;
  }
  const server = createMcpServer({ client, runtimes, version: VERSION });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await server.connect(transport);
  process.stdin.on('end', () => void server.close());
  await closed;
  return 0;
}
