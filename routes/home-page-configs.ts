/**
 * @module
 * The home page's copy-paste client configs (MCP Inspector, Claude Desktop through mcp-remote,
 * Claude Code, the SDK v1 and v2 clients, and the HTTP+SSE transport's clients when it is
 * served), for the origin the page was requested at, and how each one passes a bearer token when
 * the server wants one. Only the placeholder `<token>` is ever shown.
 */
import { html } from 'hono/html'
import type { Html } from './home-page'

/** What the configs are made of. */
export interface ClientConfigsInput {
  /** The server's name: the key clients file it under. */
  readonly name: string
  /** The origin the page was requested at (`https://example.com`), without a trailing slash. */
  readonly origin: string
  /** The auth mode at that origin: `none`, `bearer`, `oauth`, or a plugin's own. */
  readonly authMode: string
  /** Whether the HTTP+SSE transport (`/sse`) is served. */
  readonly sse: boolean
}

/** The header value every config shows for bearer auth. */
const BEARER = 'Bearer <token>'

/** `word` as one POSIX shell word: as is when it is plain, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

/** `value` as a single-quoted TypeScript string literal. */
function tsString(value: string): string {
  return `'${value.replace(/[\\']/g, '\\$&')}'`
}

/** One titled, copyable block. */
function snippet(id: string, heading: string, code: string, note?: Html): Html {
  return html`<section id="${id}">
    <h3>${heading}</h3>
    <pre><code>${code}</code></pre>
    ${note}
  </section>`
}

/** The `claude_desktop_config.json` block that runs mcp-remote against `url`. */
function mcpRemoteConfig(name: string, url: string, bearer: boolean, sseOnly = false): string {
  const args = ['-y', 'mcp-remote', url, ...(sseOnly ? ['--transport', 'sse-only'] : [])]
  const server = bearer
    ? {
        command: 'npx',
        // mcp-remote expands `${…}` from `env`, which keeps the space out of the arguments.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote's syntax, not ours
        args: [...args, '--header', 'Authorization:${AUTH_HEADER}'],
        env: { AUTH_HEADER: BEARER },
      }
    : { command: 'npx', args }
  return JSON.stringify({ mcpServers: { [name]: server } }, null, 2)
}

/** The SDK v1 client, connected over Streamable HTTP. */
function sdkSnippet(url: string, bearer: boolean): string {
  const transport = bearer
    ? `new StreamableHTTPClientTransport(new URL(${tsString(url)}), {
  requestInit: { headers: { Authorization: ${tsString(BEARER)} } },
})`
    : `new StreamableHTTPClientTransport(new URL(${tsString(url)}))`
  return `import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

const transport = ${transport}
const client = new Client({ name: 'my-client', version: '1.0.0' })
await client.connect(transport)
console.log(await client.listTools())
await client.close()`
}

/** The SDK v2 client, speaking the stateless 2026-07-28 revision (no session). */
function sdkV2Snippet(url: string, bearer: boolean): string {
  const options = bearer
    ? `, {
  requestInit: { headers: { Authorization: ${tsString(BEARER)} } },
}`
    : ''
  return `import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'

const client = new Client(
  { name: 'my-client', version: '1.0.0' },
  { versionNegotiation: { mode: { pin: '2026-07-28' } } },
)
await client.connect(new StreamableHTTPClientTransport(new URL(${tsString(url)})${options}))
console.log(await client.listTools())
await client.close()`
}

/** The HTTP+SSE transport's clients: Inspector's SSE transport, and mcp-remote. */
function sseSnippets(name: string, origin: string, bearer: boolean, header: string): Html {
  const url = `${origin}/sse`
  return html`${snippet(
    'sse-inspector',
    'HTTP+SSE clients: MCP Inspector (command line)',
    `npx @modelcontextprotocol/inspector@latest --cli ${shellWord(url)} --transport sse --method tools/list${header}`,
    html`<p>The deprecated HTTP+SSE transport (2024-11-05) at <code>/sse</code>, for clients that
      speak nothing newer; in Inspector's web UI choose the transport <em>SSE</em>.</p>`,
  )}
  ${snippet(
    'sse-mcp-remote',
    'HTTP+SSE clients: mcp-remote, in claude_desktop_config.json',
    mcpRemoteConfig(name, url, bearer, true),
  )}`
}

/** What the auth mode asks of a client, in a sentence or two. */
function authNote(authMode: string): Html {
  switch (authMode) {
    case 'none':
      return html`<p>No authentication: any client may connect.</p>`
    case 'bearer':
      return html`<p>
        Bearer tokens: every request to the MCP endpoints carries
        <code>Authorization: ${BEARER}</code>. Ask the server's operator for a token; each config
        below shows where it goes (replace <code>&lt;token&gt;</code>).
      </p>`
    case 'oauth':
      return html`<p>
        OAuth 2.1: clients find the authorization server in
        <code>/.well-known/oauth-protected-resource</code> and sign in there. MCP Inspector,
        Claude Code and mcp-remote run that flow themselves; an SDK client passes an
        <code>authProvider</code> to its transport.
      </p>`
    default:
      return html`<p>Authentication: <code>${authMode}</code> (see the server's documentation).</p>`
  }
}

/** Renders the auth mode and the client configs for one origin. */
export function clientConfigs({ name, origin, authMode, sse }: ClientConfigsInput): Html {
  const url = `${origin}/mcp`
  const bearer = authMode === 'bearer'
  const header = bearer ? ` --header "Authorization: ${BEARER}"` : ''
  return html`<section id="auth">
      <h2>Authentication: <code>${authMode}</code></h2>
      ${authNote(authMode)}
    </section>
    <section id="connect">
      <h2>Connect a client</h2>
      ${snippet(
        'inspector',
        'MCP Inspector (web UI)',
        `npx @modelcontextprotocol/inspector@latest --transport http --server-url ${shellWord(url)}`,
        html`<p><code>@latest</code> gets Inspector 2.x even where Node is older than it asks
            for (npx would pick an old 0.x release there).</p>
          ${
            bearer &&
            html`<p>Under <em>Authentication</em>, add the header <code>Authorization</code>
              with the value <code>${BEARER}</code>, then connect.</p>`
          }`,
      )}
      ${snippet(
        'inspector-cli',
        'MCP Inspector (command line)',
        `npx @modelcontextprotocol/inspector@latest --cli ${shellWord(url)} --method tools/list${header}`,
      )}
      ${snippet(
        'claude-desktop',
        'Claude Desktop (through mcp-remote), in claude_desktop_config.json',
        mcpRemoteConfig(name, url, bearer),
      )}
      ${snippet(
        'claude-code',
        'Claude Code',
        `claude mcp add --transport http ${shellWord(name)} ${shellWord(url)}${header}`,
      )}
      ${snippet('sdk', 'TypeScript SDK v1 (@modelcontextprotocol/sdk)', sdkSnippet(url, bearer))}
      ${snippet(
        'sdk-v2',
        'TypeScript SDK v2 (@modelcontextprotocol/client), 2026-07-28',
        sdkV2Snippet(url, bearer),
      )}
      ${sse && sseSnippets(name, origin, bearer, header)}
    </section>`
}
