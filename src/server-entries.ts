/**
 * @module
 * What a server definition registers, recorded once per isolate: its `setup` runs against a
 * recorder, every schema is made a zod object there (once, not per session or request), and
 * each era's server is then built by replaying these entries into its SDK.
 */
import type {
  CallToolResult,
  GetPromptResult,
  ReadResourceResult,
  ResourceMetadata,
} from '@modelcontextprotocol/server'
import { z } from 'zod'
import type {
  InputSchema,
  McpServerDefinition,
  McpServerSetup,
  ResourceTemplateSpec,
  ToolConfig,
} from './define-mcp-server'
import type { RequestContext, ToolContext } from './tool-context'

/** A zod object schema, as both SDKs take it. */
export type ObjectSchema = z.ZodType<Record<string, unknown>>

/** A recorded tool. */
export interface ToolEntry {
  readonly name: string
  readonly config: Omit<ToolConfig<ObjectSchema>, 'outputSchema'> & {
    readonly outputSchema?: ObjectSchema
  }
  readonly handler: (
    args: Record<string, unknown>,
    tool: ToolContext,
  ) => CallToolResult | Promise<CallToolResult>
}

/** A recorded resource with a fixed URI. */
export interface UriResourceEntry {
  readonly name: string
  readonly uri: string
  readonly metadata: ResourceMetadata
  readonly read: (
    uri: URL,
    context: RequestContext,
  ) => ReadResourceResult | Promise<ReadResourceResult>
}

/** A recorded resource template. */
export interface TemplateResourceEntry {
  readonly name: string
  readonly template: ResourceTemplateSpec
  readonly metadata: ResourceMetadata
  readonly read: (
    uri: URL,
    variables: Record<string, string | string[]>,
    context: RequestContext,
  ) => ReadResourceResult | Promise<ReadResourceResult>
}

/** A recorded resource: a fixed URI, or a template. */
export type ResourceEntry = UriResourceEntry | TemplateResourceEntry

/** A recorded prompt; `argsShape` as the definition wrote it, `argsSchema` its zod object. */
export interface PromptEntry {
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly argsShape?: z.ZodRawShape
  readonly argsSchema?: ObjectSchema
  readonly handler: (
    args: Record<string, unknown>,
    context: RequestContext,
  ) => GetPromptResult | Promise<GetPromptResult>
}

/** Everything a definition registers, in registration order. */
export interface ServerEntries {
  readonly tools: readonly ToolEntry[]
  readonly resources: readonly ResourceEntry[]
  readonly prompts: readonly PromptEntry[]
}

const recorded = new WeakMap<McpServerDefinition<never>, ServerEntries>()

function objectSchema(schema: InputSchema): ObjectSchema {
  return schema instanceof z.ZodType ? schema : z.object(schema)
}

/**
 * The entries of `definition`, recording them on first use. A name registered twice is a
 * definition mistake and throws, as the SDK would.
 */
export function serverEntries<Env>(definition: McpServerDefinition<Env>): ServerEntries {
  const known = recorded.get(definition as McpServerDefinition<never>)
  if (known !== undefined) return known
  const tools: ToolEntry[] = []
  const resources: ResourceEntry[] = []
  const prompts: PromptEntry[] = []
  const names = new Set<string>()
  const claim = (kind: string, name: string) => {
    if (names.has(`${kind}:${name}`)) throw new Error(`${kind} "${name}" is registered twice`)
    names.add(`${kind}:${name}`)
  }
  // Handlers are written against the app's Env; entries hold them as framework code calls them.
  const recorder: McpServerSetup<Env> = {
    registerTool(name, config, handler) {
      claim('Tool', name)
      const { inputSchema, outputSchema, ...rest } = config
      tools.push({
        name,
        config: {
          ...rest,
          ...(inputSchema !== undefined && { inputSchema: objectSchema(inputSchema) }),
          ...(outputSchema !== undefined && { outputSchema: objectSchema(outputSchema) }),
        },
        handler: handler as unknown as ToolEntry['handler'],
      })
    },
    registerResource(
      name: string,
      uriOrTemplate: string | ResourceTemplateSpec,
      metadata: ResourceMetadata,
      read: ResourceEntry['read'],
    ) {
      claim('Resource', name)
      resources.push(
        typeof uriOrTemplate === 'string'
          ? { name, uri: uriOrTemplate, metadata, read: read as UriResourceEntry['read'] }
          : {
              name,
              template: uriOrTemplate,
              metadata,
              read: read as TemplateResourceEntry['read'],
            },
      )
    },
    registerPrompt(name, config, handler) {
      claim('Prompt', name)
      const { argsSchema, ...rest } = config
      prompts.push({
        ...rest,
        name,
        ...(argsSchema !== undefined && {
          argsShape: argsSchema,
          argsSchema: z.object(argsSchema),
        }),
        handler: handler as unknown as PromptEntry['handler'],
      })
    },
  } as McpServerSetup<Env>
  definition.setup(recorder)
  const entries = Object.freeze({ tools, resources, prompts })
  recorded.set(definition as McpServerDefinition<never>, entries)
  return entries
}

/**
 * One SDK's template object per spec, built on first use: a template only parses its URI
 * template and holds the callbacks, so every session and request can share it.
 */
export function templatesOf<T>(
  build: (spec: ResourceTemplateSpec) => T,
): (spec: ResourceTemplateSpec) => T {
  const built = new WeakMap<ResourceTemplateSpec, T>()
  return (spec) => {
    let template = built.get(spec)
    if (template === undefined) {
      template = build(spec)
      built.set(spec, template)
    }
    return template
  }
}

/** How a definition serves a resource URI: as a resource's own URI, or through a template. */
export type ServedAs = 'fixed' | 'templated'

/**
 * How `entries` serve `uri`, or undefined when no resource has that URI and no template matches
 * it. `matches` is one SDK's template matching, so each era agrees with its own reads.
 */
export function servedAs(
  entries: ServerEntries,
  uri: string,
  matches: (template: ResourceTemplateSpec) => boolean,
): ServedAs | undefined {
  let templated = false
  for (const entry of entries.resources) {
    if ('uri' in entry) {
      if (entry.uri === uri) return 'fixed'
    } else if (!templated && matches(entry.template)) templated = true
  }
  return templated ? 'templated' : undefined
}
