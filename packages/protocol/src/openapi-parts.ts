/** What the OpenAPI document's parts are built with (openapi.ts, session-openapi.ts). */

/** a schema as a component: without its $id (the component's name is its id) */
export const strip = <T extends { $id?: string }>(s: T): Omit<T, '$id'> => {
  const { $id: _id, ...rest } = s;
  return rest;
};

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
export const error = (description: string) => json(ref('Error'), description);
