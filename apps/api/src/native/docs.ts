/**
 * /docs: the OpenAPI document as a page for people, rendered here once at start — no
 * script, no CDN (the service may have no internet), nothing but the document itself.
 */
interface Operation {
  summary?: string;
  parameters?: { name: string; in: string; description?: string }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses?: Record<string, { description?: string }>;
}

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** a body's media types, each with its schema's link where it names one */
function bodyOf(content: Record<string, { schema: unknown }>): string {
  return Object.entries(content)
    .map(([type, { schema }]) => {
      const name = /^#\/components\/schemas\/(\w+)$/.exec((schema as { $ref?: string }).$ref ?? '')?.[1];
      return name ? `${esc(type)}, schema <a href="#${esc(name)}">${esc(name)}</a>` : esc(type);
    })
    .join('; ');
}

export function docsPage(doc: object): string {
  const d = doc as {
    info: { title: string; version: string; description: string };
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown> };
  };
  const ops = Object.entries(d.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const params = (op.parameters ?? [])
        .map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}) ${esc(p.description ?? '')}</li>`)
        .join('');
      const responses = Object.entries(op.responses ?? {})
        .map(([code, r]) => `<li><b>${esc(code)}</b> ${esc(r.description ?? '')}</li>`)
        .join('');
      const body = op.requestBody ? `<p>Body: ${bodyOf(op.requestBody.content)}</p>` : '';
      return `<section><h3><code>${method.toUpperCase()} ${esc(path)}</code></h3><p>${esc(op.summary ?? '')}</p>${params ? `<ul>${params}</ul>` : ''}${body}<ul>${responses}</ul></section>`;
    }),
  );
  const schemas = Object.entries(d.components.schemas)
    .map(
      ([name, s]) =>
        `<section id="${esc(name)}"><h3>${esc(name)}</h3><pre>${esc(JSON.stringify(s, null, 2))}</pre></section>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(d.info.title)} API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}code{background:#f4f4f4}</style></head>
<body><h1>${esc(d.info.title)} API <small>${esc(d.info.version)}</small></h1><p>${esc(d.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p><h2>Routes</h2>${ops.join('')}<h2>Schemas</h2>${schemas}</body></html>`;
}
