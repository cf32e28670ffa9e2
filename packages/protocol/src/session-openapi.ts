/** The sessions' part of the OpenAPI document (openapi.ts), from the schemas the API validates with. */
import {
  COMMAND_EXIT_SCHEMA,
  COMMAND_REQUEST_SCHEMA,
  COMMAND_RESULT_SCHEMA,
  FILE_ENTRY_SCHEMA,
  PROCESS_SCHEMA,
  SESSION_REQUEST_SCHEMA,
  SESSION_SCHEMA,
} from './session-schemas.js';
import { error, json, ref, strip } from './openapi-parts.js';

const param = (
  name: string,
  where: 'path' | 'query',
  schema: object,
  description: string,
  required = where === 'path',
) => ({
  name,
  in: where,
  required,
  schema,
  description,
});
const id = param('id', 'path', { type: 'string' }, 'the session');
const filePath = param('path', 'path', { type: 'string' }, 'a workspace path, relative, of plain names');
const pid = param('pid', 'path', { type: 'integer' }, 'a background process of the session');
const lost = error("the session's worker is gone (SESSION_LOST)");
const missing = error("no such session, or another key's, or it has ended (SESSION_NOT_FOUND)");
const badPath = error('FILE_PATH_INVALID: an absolute path, an empty, "." or ".." part, NUL, a name over 255 bytes');

export const SESSION_COMPONENTS = {
  SessionRequest: strip(SESSION_REQUEST_SCHEMA),
  Session: strip(SESSION_SCHEMA),
  CommandRequest: strip(COMMAND_REQUEST_SCHEMA),
  CommandExit: strip(COMMAND_EXIT_SCHEMA),
  CommandResult: strip(COMMAND_RESULT_SCHEMA),
  Process: strip(PROCESS_SCHEMA),
  FileEntry: strip(FILE_ENTRY_SCHEMA),
};

export const SESSION_PATHS = {
  '/v1/sessions': {
    post: {
      summary: 'Create a session: a box that lives across calls, on one worker',
      requestBody: { required: true, content: { 'application/json': { schema: ref('SessionRequest') } } },
      responses: {
        201: json(ref('Session'), 'ready'),
        400: error('a field is wrong (details.field), or over its maximum (LIMIT_TOO_HIGH, details.maximum)'),
        413: error('WORKSPACE_FULL: the files do not fit limits.workDirBytes'),
        429: error('SESSION_LIMIT: this key has as many sessions as it may; RATE_LIMITED'),
        503: error('SESSIONS_FULL: every worker is full (Retry-After)'),
      },
    },
  },
  '/v1/sessions/{id}': {
    get: {
      summary: 'A session: status, limits, usage so far (or at its end)',
      parameters: [id],
      responses: { 200: json(ref('Session'), 'the session'), 404: missing, 410: lost },
    },
    delete: {
      summary: 'End a session: everything in its box is killed and removed',
      parameters: [id],
      responses: { 200: json(ref('Session'), 'ended'), 404: missing, 410: lost },
    },
  },
  '/v1/sessions/{id}/keepalive': {
    post: {
      summary: 'A call that does nothing but reset the idle timeout',
      parameters: [id],
      responses: { 200: json(ref('Session'), 'the session'), 404: missing, 410: lost },
    },
  },
  '/v1/sessions/{id}/commands': {
    post: {
      summary:
        'Run a command in the session: streamed as Server-Sent Events, awaited (?wait=true), or in the background',
      parameters: [
        id,
        param('wait', 'query', { type: 'boolean' }, 'answer 200 with the CommandResult once it ends', false),
      ],
      requestBody: { required: true, content: { 'application/json': { schema: ref('CommandRequest') } } },
      responses: {
        200: {
          description:
            'text/event-stream: `start` {id}, `stage` (run), `stdout`/`stderr` {data, encoding}, `exit` CommandExit; with ?wait=true a CommandResult',
          content: {
            'text/event-stream': { schema: { type: 'string' } },
            'application/json': { schema: ref('CommandResult') },
          },
        },
        201: json(ref('Process'), 'background: started'),
        400: error('a field is wrong'),
        404: missing,
        410: lost,
        429: error('SESSION_BUSY: as many background processes as it may'),
      },
    },
  },
  '/v1/sessions/{id}/processes': {
    get: {
      summary: "The session's background processes",
      parameters: [id],
      responses: { 200: json({ type: 'array', items: ref('Process') }, 'running and exited'), 404: missing, 410: lost },
    },
  },
  '/v1/sessions/{id}/processes/{pid}': {
    get: {
      summary: 'A background process, and its output after ?after= (the latest bytes are kept)',
      parameters: [id, pid, param('after', 'query', { type: 'integer' }, 'the last chunk number seen', false)],
      responses: { 200: { description: 'ProcessOutput: {process, chunks, next, dropped}' }, 404: missing, 410: lost },
    },
    delete: {
      summary: 'Kill a background process (its process group), and forget it once it has exited',
      parameters: [id, pid, param('signal', 'query', { type: 'string' }, 'default SIGKILL', false)],
      responses: { 200: json(ref('Process'), 'killed'), 404: missing, 410: lost },
    },
  },
  '/v1/sessions/{id}/files': {
    get: {
      summary: 'A listing of a workspace directory, never through a link',
      parameters: [
        id,
        param('path', 'query', { type: 'string' }, 'the directory, default the workspace', false),
        param('depth', 'query', { type: 'integer', minimum: 1, maximum: 16 }, '1: its own entries', false),
      ],
      responses: {
        200: json({ type: 'array', items: ref('FileEntry') }, 'entries'),
        400: badPath,
        404: missing,
        410: lost,
      },
    },
  },
  '/v1/sessions/{id}/files/{path}': {
    get: {
      summary: "A workspace file's bytes (never through a link)",
      parameters: [id, filePath],
      responses: {
        200: { description: 'application/octet-stream' },
        400: badPath,
        404: error('FILE_NOT_FOUND, or no such session'),
        409: error('FILE_CONFLICT: a directory, a link or a special file'),
        410: lost,
        413: error('FILE_TOO_LARGE'),
      },
    },
    put: {
      summary: 'Write a file (the body, raw bytes; parents made), or with ?type=dir make a directory',
      parameters: [
        id,
        filePath,
        param(
          'mode',
          'query',
          { type: 'string', pattern: '^[0-7]{3,4}$' },
          'octal permission bits, default 644',
          false,
        ),
        param('type', 'query', { enum: ['file', 'dir'] }, 'dir: a directory (with its parents)', false),
      ],
      requestBody: { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        201: json(ref('FileEntry'), 'written'),
        400: badPath,
        409: error('FILE_CONFLICT'),
        410: lost,
        413: error('FILE_TOO_LARGE or WORKSPACE_FULL'),
      },
    },
    delete: {
      summary: 'Remove a file, a link, or a directory with what it holds',
      parameters: [id, filePath],
      responses: { 204: { description: 'removed' }, 400: badPath, 404: error('FILE_NOT_FOUND'), 410: lost },
    },
  },
  '/v1/sessions/{id}/archive': {
    get: {
      summary: 'The workspace (or ?path=) as a tar stream',
      parameters: [id, param('path', 'query', { type: 'string' }, 'a directory, default the workspace', false)],
      responses: { 200: { description: 'application/x-tar' }, 400: badPath, 404: missing, 410: lost },
    },
    put: {
      summary: 'Unpack a tar stream into the workspace (or under ?path=)',
      parameters: [id, param('path', 'query', { type: 'string' }, 'a directory, default the workspace', false)],
      requestBody: { content: { 'application/x-tar': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        204: { description: 'unpacked' },
        400: badPath,
        404: missing,
        410: lost,
        413: error('WORKSPACE_FULL'),
      },
    },
  },
  '/v1/sessions/{id}/pty': {
    get: {
      summary:
        'WebSocket (subprotocol codebox.pty): a terminal in the box, xterm.js-shaped. Send {type: input, data} and {type: resize, cols, rows}; get {type: ready, id}, {type: output, data}, {type: exit, exitCode, signal}, {type: error, code, message}. A key as Authorization or a second subprotocol codebox.bearer.<key>',
      parameters: [
        id,
        param('cols', 'query', { type: 'integer' }, 'default 80', false),
        param('rows', 'query', { type: 'integer' }, 'default 24', false),
      ],
      responses: { 101: { description: 'switching to the WebSocket' }, 401: error('no or a wrong key'), 404: missing },
    },
  },
};
