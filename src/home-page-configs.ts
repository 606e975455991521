/**
 * @module
 * The home page's copy-paste client configs (MCP Inspector, Claude Desktop through mcp-remote,
 * Claude Code, the SDK v1 client), for the origin the page was requested at, and how each one
 * passes a bearer token when the server wants one. Only the placeholder `<token>` is ever shown.
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
function mcpRemoteConfig(name: string, url: string, bearer: boolean): string {
  const args = ['-y', 'mcp-remote', url]
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
export function clientConfigs({ name, origin, authMode }: ClientConfigsInput): Html {
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
        `npx @modelcontextprotocol/inspector --transport http --server-url ${shellWord(url)}`,
        bearer
          ? html`<p>Under <em>Authentication</em>, add the header <code>Authorization</code>
              with the value <code>${BEARER}</code>, then connect.</p>`
          : undefined,
      )}
      ${snippet(
        'inspector-cli',
        'MCP Inspector (command line)',
        `npx @modelcontextprotocol/inspector --cli ${shellWord(url)} --method tools/list${header}`,
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
    </section>`
}
