/**
 * Every TypeScript sample in README.md works as pasted: each starts with a `// <path>` line
 * naming the file it belongs in, and compiles there against the real project (TypeScript, with
 * the root tsconfig; a sample for a file that exists stands beside it instead of replacing it),
 * and passes `npm run lint` (Biome, with the repo's config) as it stands. The client samples
 * (`// client-….ts`) also run, unchanged but for the server's URL, against `npm start`; every JSON
 * sample parses.
 */
import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { OAUTH_SERVER_VARS } from '../../src/plugins/oauth-server/settings'
import { SESSION_CONFIG_VARS } from '../../src/session-config'
import { REPO_ROOT, useDevServer } from './dev-server'

interface Sample {
  /** Where the README says it goes, relative to the repo root. */
  readonly declared: string
  /** Where it is compiled: `declared`, or a sibling when that file exists. */
  readonly compiledAt: string
  readonly text: string
}

const readme = (): string => fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')

function samples(): Sample[] {
  return [...readme().matchAll(/```ts\n([\s\S]*?)```/g)].map((match, index) => {
    const text = match[1]!
    const declared = /^\/\/ (\S+\.ts)\n/.exec(text)?.[1]
    if (declared === undefined) {
      throw new Error(`README sample ${index + 1} does not start with "// <path>.ts":\n${text}`)
    }
    const exists = fs.existsSync(path.join(REPO_ROOT, declared))
    const compiledAt = exists
      ? path.join(path.dirname(declared), `readme-sample-${index + 1}.ts`)
      : declared
    return { declared, compiledAt, text }
  })
}

/** TypeScript's diagnostics for the samples, each compiled where it says it belongs. */
function compile(all: readonly Sample[]): string[] {
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

describe('the README’s TypeScript samples', () => {
  const all = samples()

  it('name the file they belong in, and there are some', () => {
    expect(all.length).toBeGreaterThan(5)
  })

  it('compile in the project as pasted', () => {
    expect(compile(all)).toEqual([])
  }, 60_000)

  it('pass the linter and formatter as pasted', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-samples-'))
    try {
      fs.copyFileSync(path.join(REPO_ROOT, 'biome.json'), path.join(dir, 'biome.json'))
      for (const sample of all) {
        const file = path.join(dir, sample.compiledAt)
        fs.mkdirSync(path.dirname(file), { recursive: true })
        fs.writeFileSync(file, sample.text)
      }
      const biome = path.join(REPO_ROOT, 'node_modules/.bin/biome')
      let output = ''
      try {
        execFileSync(biome, ['check', '--vcs-enabled=false', '.'], { cwd: dir, stdio: 'pipe' })
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer }
        output = `${stderr ?? ''}${stdout ?? ''}` || String(error)
      }
      expect(output).toBe('')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

/**
 * Runs a client sample with Node (which strips the types), pointed at `baseUrl` instead of the
 * README's `http://127.0.0.1:8787`, from a directory whose `node_modules` is the project's.
 */
async function runSample(sample: Sample, baseUrl: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-run-'))
  try {
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'))
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}')
    const file = path.join(dir, path.basename(sample.declared))
    fs.writeFileSync(file, sample.text.replaceAll('http://127.0.0.1:8787', baseUrl))
    const { stdout } = await promisify(execFile)(process.execPath, [file], {
      cwd: dir,
      timeout: 30_000,
    })
    return stdout
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const client = (name: string): Sample => {
  const sample = samples().find((s) => s.declared === name)
  if (sample === undefined) throw new Error(`the README has no ${name} sample`)
  return sample
}

describe('demo: the README’s client samples, run against npm start', () => {
  const dev = useDevServer({ app: 'demo' })

  it('demo: client-v1.ts prints the echo result and exits', async () => {
    expect(await runSample(client('client-v1.ts'), dev().baseUrl)).toBe(
      "{ content: [ { type: 'text', text: 'hi' } ] }\n",
    )
  })

  it('demo: client-v2.ts negotiates 2026-07-28, prints the echo result and exits', async () => {
    // A 2026-07-28 result also carries the server's info in _meta.
    const [version, ...result] = (await runSample(client('client-v2.ts'), dev().baseUrl)).split(
      '\n',
    )
    expect(version).toBe('2026-07-28')
    expect(result.join('\n')).toContain("content: [ { type: 'text', text: 'hi' } ]")
  })
})

describe('demo: the README’s token sample, run against npm start with AUTH_TOKENS', () => {
  const dev = useDevServer({ app: 'demo', args: ['--var', 'AUTH_TOKENS:me:tokA'] })

  it('demo: client-token.ts connects on both transports and exits', async () => {
    expect(await runSample(client('client-token.ts'), dev().baseUrl)).toBe('')
  })
})

describe('the README’s JSON samples', () => {
  it('parse', () => {
    const blocks = [...readme().matchAll(/^( *)```json\n([\s\S]*?)^\1```/gm)]
    expect(blocks.length).toBeGreaterThan(1)
    for (const [, indent, body] of blocks) {
      const text = body!.replaceAll(new RegExp(`^${indent}`, 'gm'), '')
      expect(() => JSON.parse(text), text).not.toThrow()
    }
  })
})

describe('the README’s configuration table', () => {
  it('names every var the server reads, and no var it does not', () => {
    const table = readme().split('## Configuration')[1]!.split('\n## ')[0]!
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1])
    const plugins = [
      'AUTH_TOKENS',
      'ALLOWED_HOSTS',
      'ALLOWED_ORIGINS',
      'LOG_LEVEL',
      ...OAUTH_SERVER_VARS,
    ]
    expect(documented.sort()).toEqual([...SESSION_CONFIG_VARS, ...plugins].sort())
  })
})

describe('the README’s links within itself', () => {
  it('each #anchor names a heading (GitHub’s slugs) or an explicit id', () => {
    const text = readme()
    const slug = (heading: string) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, '')
        .replace(/\s/g, '-')
    const anchors = new Set([
      ...[...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)),
      ...[...text.matchAll(/<a id="([^"]+)">/g)].map((m) => m[1]!),
    ])
    const links = [...text.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!)
    expect(links.length).toBeGreaterThan(3)
    expect(links.filter((link) => !anchors.has(link))).toEqual([])
  })
})
