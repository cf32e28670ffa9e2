/**
 * The OpenAPI 3.1 document of the native API, built from the same schemas the API
 * validates with. Served at /openapi.json and rendered at /docs.
 */
import {
  ERROR_SCHEMA,
  JOB_REQUEST_SCHEMA,
  JOB_SCHEMA,
  JUDGE_SCHEMA,
  RESULT_SCHEMA,
  RUNTIME_SCHEMA,
  TEST_SCHEMA,
} from './schemas.js';
import { error, json, ref, strip } from './openapi-parts.js';
import { SESSION_COMPONENTS, SESSION_PATHS } from './session-openapi.js';

const jobId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'codebox',
      version,
      description:
        'Runs untrusted code in fresh Linux boxes. POST a job, then wait for it (?wait=true), poll it, or follow its events; ' +
        'or open a session, a box that lives across calls (/v1/sessions). ' +
        'Errors always have the shape {error: {code, message, details?}}.',
    },
    components: {
      schemas: {
        JobRequest: strip(JOB_REQUEST_SCHEMA),
        Job: strip(JOB_SCHEMA),
        Result: strip(RESULT_SCHEMA),
        Judge: strip(JUDGE_SCHEMA),
        TestResult: strip(TEST_SCHEMA),
        Runtime: strip(RUNTIME_SCHEMA),
        Error: strip(ERROR_SCHEMA),
        ...SESSION_COMPONENTS,
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an API key, when the server has keys configured' },
      },
    },
    security: [{ bearer: [] }, {}],
    paths: {
      '/v1/jobs': {
        post: {
          summary: 'Create a job',
          parameters: [
            {
              name: 'wait',
              in: 'query',
              schema: { type: 'boolean' },
              description: "answer 200 with the finished job, or 202 if it takes longer than the server's wait bound",
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: ref('JobRequest') } } },
          responses: {
            200: json(ref('Job'), 'with ?wait=true: the finished job'),
            202: json(
              {
                type: 'object',
                required: ['id', 'status'],
                properties: { id: { type: 'string' }, status: { const: 'queued' } },
              },
              'queued (or, with ?wait=true, still running: poll it)',
            ),
            400: error(
              'invalid JSON or request: details.field names the field; details.known the languages; details.maximum the limit',
            ),
            401: error('no or a wrong API key'),
            413: error("the body is over the server's limit"),
            415: error('the body is not JSON'),
            429: error('this key is over its rate (Retry-After)'),
            503: error('the queue is full or the service not ready (Retry-After)'),
          },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          summary: 'A job, with its result when it has finished',
          parameters: [jobId],
          responses: { 200: json(ref('Job'), 'the job'), 404: error("no such job, or another key's") },
        },
        delete: {
          summary: "Cancel a job: a queued job never runs; a running job's box is killed",
          parameters: [jobId],
          responses: {
            200: json(ref('Job'), 'cancelled (a running job reaches cancelled when its box is gone)'),
            404: error('no such job'),
            409: error('the job had already finished'),
          },
        },
      },
      '/v1/jobs/{id}/events': {
        get: {
          summary:
            'Server-Sent Events: status, stage, stdout, stderr, test, result, in order; resumable with Last-Event-ID',
          parameters: [
            jobId,
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' }, description: 'resume after this event' },
          ],
          responses: {
            200: {
              description:
                'text/event-stream. Events: `status` {status, error?}; `stage` {stage, state: start|exit, status?, exitCode?, signal?}; `stdout`/`stderr` {data, encoding} (utf8 or base64: a chunk may split a character); ' +
                '`test` (judge mode) each test as it finishes; `result` the finished job. Each event has an id; the stream ends after the last.',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            404: error('no such job'),
          },
        },
      },
      ...SESSION_PATHS,
      '/v1/runtimes': {
        get: {
          summary: 'The languages the workers offer, and the limit defaults and maxima',
          responses: {
            200: json(
              {
                type: 'object',
                properties: {
                  runtimes: { type: 'array', items: ref('Runtime') },
                  limits: { type: 'object' },
                  compileLimits: { type: 'object' },
                  outputs: {
                    type: 'object',
                    description: "what a job's `outputs` may bring back: files, and bytes in all",
                    properties: { maxFiles: { type: 'integer' }, maxBytes: { type: 'integer' } },
                  },
                },
              },
              'runtimes and limits',
            ),
          },
        },
      },
      '/healthz': {
        get: { summary: 'The API process is up', security: [], responses: { 200: { description: 'ok' } } },
      },
      '/readyz': {
        get: {
          summary: 'Redis reachable and a worker seen recently',
          security: [],
          responses: { 200: { description: 'ready' }, 503: error('not ready, and why') },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          security: [],
          responses: { 200: { description: 'text/plain; version=0.0.4' } },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } },
      },
      '/docs': {
        get: { summary: 'This document, for people', security: [], responses: { 200: { description: 'text/html' } } },
      },
    },
  };
}
