/**
 * Every sample in the README and `docs/` (and the unreleased part of the changelog) works as
 * pasted. Each TypeScript sample starts with a `// <path>` line naming the file it belongs in,
 * compiles there against the real project (TypeScript, with the root tsconfig; a sample for a
 * file that exists stands beside it instead of replacing it) and passes `npm run lint` (Biome,
 * with the repo's config) as it stands. The client samples (`// client-….ts`) also run, unchanged
 * but for the server's URL, against `npm start`, and print exactly the output the document shows
 * after them; so do the curl commands followed by their output. Every JSON and TOML sample
 * parses, and a TOML sample says only what `wrangler.toml` says. The configuration page names
 * every var the server reads and every binding `wrangler.toml` declares, and every link between
 * the documents lands on a file of the repo and a heading that exists.
 */
import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'smol-toml'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { OAUTH_SERVER_VARS } from '../../src/plugins/oauth-server/settings'
import { SESSION_CONFIG_VARS } from '../../src/session-config'
import { REPO_ROOT, useDevServer } from './dev-server'
import {
  allBlocks,
  brokenLink,
  type DocBlock,
  docFiles,
  docText,
  localLinks,
  type TsSample,
  tableNames,
  tomlMismatches,
  tsSamples,
  wranglerToml,
} from './doc-samples'

/** The vars the plugins and the guard read, beside `SESSION_CONFIG_VARS`. */
const PLUGIN_VARS = [
  'AUTH_TOKENS',
  'ALLOWED_HOSTS',
  'ALLOWED_ORIGINS',
  'LOG_LEVEL',
  ...OAUTH_SERVER_VARS,
]
const KNOWN_VARS = new Set<string>([...SESSION_CONFIG_VARS, ...PLUGIN_VARS])

/** The URL the documents use for the local server; tests swap in their dev server's. */
const DOC_URL = 'http://127.0.0.1:8787'

/** TypeScript's diagnostics for the samples, each compiled where it says it belongs. */
function compile(all: readonly TsSample[]): string[] {
  const configPath = path.join(REPO_ROOT, 'tsconfig.json')
  const config = ts.readConfigFile(configPath, ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT)
  const virtual = new Map(all.map((s) => [path.join(REPO_ROOT, s.compiledAt), s.text]))
  const host = ts.createCompilerHost(options)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file)
  host.readFile = (file) => virtual.get(file) ?? readFile.call(host, file)
  host.getSourceFile = (file, language, onError) => {
    const text = virtual.get(file)
    return text === undefined
      ? getSourceFile.call(host, file, language, onError)
      : ts.createSourceFile(file, text, language)
  }
  const program = ts.createProgram([...virtual.keys()], { ...options, noEmit: true }, host)
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && virtual.has(d.file.fileName))
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0)
      const where = path.relative(REPO_ROOT, d.file!.fileName)
      return `${where}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
    })
}

describe('the documents’ TypeScript samples', () => {
  const all = tsSamples()

  it('name the file they belong in, and the README and docs/ have some', () => {
    expect(all.filter((s) => s.doc === 'README.md').length).toBeGreaterThan(1)
    expect(all.filter((s) => s.doc.startsWith('docs/')).length).toBeGreaterThan(5)
  })

  it('compile in the project as pasted', () => {
    expect(compile(all)).toEqual([])
  }, 60_000)

  it('pass the linter and formatter as pasted', () => {
    // Each sample is linted alone, at the path it names (a sample of src/index.ts is the entry,
    // which the import-boundary rules let import anything).
    const biome = path.join(REPO_ROOT, 'node_modules/.bin/biome')
    const outputs = all.map((sample) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-samples-'))
      try {
        fs.copyFileSync(path.join(REPO_ROOT, 'biome.json'), path.join(dir, 'biome.json'))
        // biome.json names the import-boundary plugin by a path relative to itself.
        fs.cpSync(path.join(REPO_ROOT, 'lint'), path.join(dir, 'lint'), { recursive: true })
        const file = path.join(dir, sample.declared)
        fs.mkdirSync(path.dirname(file), { recursive: true })
        fs.writeFileSync(file, sample.text)
        execFileSync(biome, ['check', '--vcs-enabled=false', '.'], { cwd: dir, stdio: 'pipe' })
        return ''
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer }
        return (
          `${sample.doc} (${sample.declared}):\n${stderr ?? ''}${stdout ?? ''}` || String(error)
        )
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
    expect(outputs.filter((output) => output !== '')).toEqual([])
  }, 120_000)
})

/** A directory beside nothing, whose `node_modules` is the project's (as in the project folder). */
function withSampleDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-run-'))
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}')
  return run(dir).finally(() => fs.rmSync(dir, { recursive: true, force: true }))
}

/**
 * Runs a client sample as the documents say (`npx node <file>`: the project's Node, which strips
 * the types), pointed at `baseUrl`; returns what it printed.
 */
function runClient(sample: TsSample, baseUrl: string): Promise<string> {
  return withSampleDir(async (dir) => {
    const file = path.join(dir, path.basename(sample.declared))
    fs.writeFileSync(file, sample.text.replaceAll(DOC_URL, baseUrl))
    const { stdout } = await promisify(execFile)('npx', ['node', file], {
      cwd: dir,
      timeout: 30_000,
    })
    return stdout
  })
}

/** Runs a shell sample with bash, pointed at `baseUrl`; returns what it printed. */
async function runShell(block: DocBlock, baseUrl: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'bash',
    ['-eo', 'pipefail', '-c', block.text.replaceAll(DOC_URL, baseUrl)],
    {
      timeout: 30_000,
    },
  )
  return stdout
}

/** What a sample must print: the `text` block the document shows right after it. */
function shownOutput(sample: { doc: string; text: string; next: DocBlock | undefined }): string {
  if (sample.next?.lang !== 'text') {
    throw new Error(
      `${sample.doc}: this sample is not followed by its output (a text block):\n${sample.text}`,
    )
  }
  return sample.next.text
}

const clients = tsSamples().filter((s) => /^client-[\w-]+\.ts$/.test(s.declared))
const needsToken = (sample: TsSample) => sample.text.includes('Bearer tokA')
const curls = allBlocks().filter(
  (b) => b.lang === 'sh' && b.text.includes(`curl -s ${DOC_URL}/mcp`) && b.next?.lang === 'text',
)

describe('demo: the documents’ clients and curl commands, run against npm start', () => {
  const dev = useDevServer({ app: 'demo' })

  it('there are clients of both SDKs and both transports, and a curl for each era', () => {
    expect(clients.map((s) => s.declared)).toEqual(
      expect.arrayContaining(['client-v1.ts', 'client-v2.ts', 'client-sse.ts', 'client-token.ts']),
    )
    expect(curls.some((b) => b.text.includes('2026-07-28'))).toBe(true)
    expect(curls.some((b) => b.text.includes('initialize'))).toBe(true)
  })

  for (const sample of clients.filter((s) => !needsToken(s))) {
    it(`demo: ${sample.doc} ${sample.declared} prints what the document shows`, async () => {
      expect(await runClient(sample, dev().baseUrl)).toBe(shownOutput(sample))
    })
  }

  for (const [index, block] of curls.entries()) {
    it(`demo: ${block.doc} curl sample ${index + 1} prints what the document shows`, async () => {
      expect((await runShell(block, dev().baseUrl)).trim()).toBe(shownOutput(block).trim())
    })
  }
})

describe('demo: the documents’ token clients, run against npm start with AUTH_TOKENS', () => {
  const dev = useDevServer({ app: 'demo', args: ['--var', 'AUTH_TOKENS:me:tokA'] })

  for (const sample of clients.filter(needsToken)) {
    it(`demo: ${sample.doc} ${sample.declared} prints what the document shows`, async () => {
      expect(await runClient(sample, dev().baseUrl)).toBe(shownOutput(sample))
    })
  }
})

describe('the documents’ JSON and TOML samples', () => {
  it('JSON parses', () => {
    const blocks = allBlocks().filter((b) => b.lang === 'json')
    expect(blocks.length).toBeGreaterThan(2)
    for (const block of blocks) expect(() => JSON.parse(block.text), block.text).not.toThrow()
  })

  it('TOML parses, and says only what wrangler.toml says (and vars the server reads)', () => {
    const blocks = allBlocks().filter((b) => b.lang === 'toml')
    expect(blocks.length).toBeGreaterThan(3)
    const wrangler = wranglerToml()
    for (const block of blocks) {
      const sample = parse(block.text)
      expect(tomlMismatches(sample, wrangler, KNOWN_VARS), `${block.doc}:\n${block.text}`).toEqual(
        [],
      )
    }
  })
})

describe('docs/configuration.md', () => {
  it('names every var the server reads, and no var it does not', () => {
    expect(tableNames('docs/configuration.md', 'Vars').sort()).toEqual([...KNOWN_VARS].sort())
  })

  it('names every binding wrangler.toml declares, and no other', () => {
    const wrangler = wranglerToml() as {
      durable_objects: { bindings: { name: string }[] }
      kv_namespaces: { binding: string }[]
    }
    const declared = [
      ...wrangler.durable_objects.bindings.map((b) => b.name),
      ...wrangler.kv_namespaces.map((b) => b.binding),
    ]
    expect(tableNames('docs/configuration.md', 'Bindings').sort()).toEqual(declared.sort())
  })
})

describe('the documents’ links', () => {
  it('each lands on a file of the repo, and an #anchor on a heading of its document', () => {
    const links = docFiles().flatMap((doc) => localLinks(doc).map((link) => [doc, link] as const))
    expect(links.length).toBeGreaterThan(20)
    expect(links.map(([doc, link]) => brokenLink(doc, link)).filter(Boolean)).toEqual([])
  })

  it('none points outside the repository', () => {
    for (const doc of docFiles()) {
      expect(docText(doc), doc).not.toMatch(/\.\.\/shared|DESIGN(\.md| §)|checklist [A-Z]\.\d/)
    }
  })
})
