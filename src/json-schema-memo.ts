/**
 * @module
 * Tool schemas that render their JSON Schema once per isolate. SDK v2 renders a tool's schemas
 * to JSON Schema on every `tools/list`, and on every `tools/call` too (it checks the request's
 * `Mcp-Param-*` headers against the input schema before dispatch), and keeps the result on its
 * `McpServer`. The modern leg builds a server per request (the SDK's factory contract), so that
 * cache never hits: each call re-rendered the schema, about 40 µs of CPU and 4 KB of garbage
 * per call in workerd. The schemas here answer the rendering from a memo; everything else,
 * validation first of all, is the original schema's.
 */

/** Parameters of a Standard JSON Schema rendering (`~standard.jsonSchema.input`/`output`). */
interface RenderParams {
  readonly target?: string
  readonly libraryOptions?: Readonly<Record<string, unknown>>
}
type Render = (params?: RenderParams) => Record<string, unknown>

/** The part of a Standard Schema this module relies on. */
interface StandardProps {
  readonly validate: unknown
  readonly jsonSchema?: { readonly input: Render; readonly output: Render }
}

const memos = new WeakMap<object, object>()

/** Freezes `value` and everything in it, so no caller can change a shared rendering. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}

/** `render`, answering from a memo for each target (a call with library options is not memoized). */
function memoized(render: Render): Render {
  const byTarget = new Map<string | undefined, Record<string, unknown>>()
  return (params) => {
    if (params?.libraryOptions !== undefined) return render(params)
    let json = byTarget.get(params?.target)
    if (json === undefined) {
      // A copy: a rendering may hold objects of the caller's (zod merges registered metadata
      // into it), and only the copy is frozen.
      json = deepFreeze(structuredClone(render(params)))
      byTarget.set(params?.target, json)
    }
    return json
  }
}

/**
 * `schema`, with its JSON Schema rendered once per isolate and target. The result inherits
 * everything else from `schema` (it is `Object.create(schema)`, so zod's own fields and
 * methods, and `instanceof`, are the original's) and validates with the original's `validate`.
 * A schema without a Standard JSON Schema rendering is returned as it is.
 */
export function withJsonSchemaMemo<S extends object>(schema: S): S {
  const known = memos.get(schema)
  if (known !== undefined) return known as S
  const standard = Reflect.get(schema, '~standard') as StandardProps | undefined
  const render = standard?.jsonSchema
  if (render === undefined) {
    memos.set(schema, schema)
    return schema
  }
  const memo = Object.create(schema) as S
  Object.defineProperty(memo, '~standard', {
    value: {
      ...standard,
      jsonSchema: {
        input: memoized((params) => render.input(params)),
        output: memoized((params) => render.output(params)),
      },
    },
  })
  memos.set(schema, memo)
  return memo
}
