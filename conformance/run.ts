/**
 * @module
 * `npm run conformance`: the official MCP conformance suite against the everything example,
 * for both eras of `/mcp` on one server: `--requirements 2025-11-25` (sessions) and
 * `--requirements 2026-07-28` (stateless). Starts `npm run start:everything` on a free loopback
 * port, runs the pinned suite for each revision, and exits non-zero if either run has a failure
 * in a scenario the revision requires.
 *
 * The suite also runs scenarios it does not score (optional extensions, scenarios still pending,
 * ones added after a revision was frozen) and prints every one of them with a ✗ when it fails.
 * So its output goes to `conformance/results/<revision>/suite.log`, and this script prints what
 * counts: the scored scenarios and checks, then the unscored ones with the reason each is not
 * scored. A failing run prints the suite's whole summary too.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { REPO_ROOT, startDevServer } from '../test/e2e/dev-server.ts'

const REVISIONS = ['2025-11-25', '2026-07-28'] as const
const SUITE = path.join(REPO_ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js')

/** Why the suite runs a scenario without scoring it, by the reason it prints. */
const NOT_SCORED: Record<string, string> = {
  extension: 'an optional extension this server does not offer: tasks, SEP-2663',
  pending: 'not final in the suite yet',
  'added-after-release': 'added to the suite after this revision was frozen',
}

/** One scenario line of the suite's summary. */
interface ScenarioLine {
  readonly name: string
  readonly passed: number
  readonly failed: number
}

/** What one run of the suite printed, read back. */
interface SuiteRun {
  readonly exitCode: number
  readonly scenarios: readonly ScenarioLine[]
  /** Unscored scenarios: name → the suite's reason. */
  readonly notScored: ReadonlyMap<string, string>
  /** The suite's summary block, as printed. */
  readonly summary: string
  readonly log: string
}

/** Runs the suite for one revision with this Node, its output to a log file. */
async function runSuite(url: string, revision: string): Promise<SuiteRun> {
  const results = path.join(REPO_ROOT, 'conformance/results', revision)
  fs.rmSync(results, { recursive: true, force: true })
  fs.mkdirSync(results, { recursive: true })
  const log = path.join(results, 'suite.log')
  const args = [SUITE, 'server', '--url', url, '--requirements', revision, '-o', results]
  let output = ''
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', reject)
    child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
  fs.writeFileSync(log, output)
  return { exitCode, log, ...readSummary(output) }
}

/** The scenario lines and unscored scenarios of the suite's `=== SUMMARY ===` block. */
function readSummary(output: string): Omit<SuiteRun, 'exitCode' | 'log'> {
  const plain = stripVTControlCharacters(output)
  const summary = plain.slice(plain.lastIndexOf('=== SUMMARY ===')).trim()
  const scenarios: ScenarioLine[] = []
  for (const match of summary.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gm)) {
    scenarios.push({ name: match[1]!, passed: Number(match[2]), failed: Number(match[3]) })
  }
  const notScored = new Map<string, string>()
  const block = summary.slice(summary.indexOf('Not scored'))
  for (const match of block.matchAll(/^ {2}[✓✗] (\S+) \(([^)]+)\)$/gm)) {
    notScored.set(match[1]!, match[2]!)
  }
  return { scenarios, notScored, summary }
}

/** What to print for one revision's run. */
function report(revision: string, run: SuiteRun): string {
  const scored = run.scenarios.filter((s) => !run.notScored.has(s.name))
  const checks = scored.reduce((n, s) => n + s.passed + s.failed, 0)
  const failing = scored.filter((s) => s.failed > 0)
  const lines = [
    failing.length === 0 && run.exitCode === 0
      ? `✓ ${revision}: all ${scored.length} required scenarios pass (${checks} checks)`
      : `✗ ${revision}: ${failing.length} of ${scored.length} required scenarios fail`,
  ]
  for (const s of failing)
    lines.push(`    ✗ ${s.name}: ${s.failed} of ${s.passed + s.failed} checks`)
  const byReason = new Map<string, ScenarioLine[]>()
  for (const s of run.scenarios) {
    const reason = run.notScored.get(s.name)
    if (reason !== undefined) byReason.set(reason, [...(byReason.get(reason) ?? []), s])
  }
  if (byReason.size > 0) lines.push('  not scored (no effect on the result):')
  for (const [reason, list] of byReason) {
    const passing = list.filter((s) => s.failed === 0).length
    lines.push(
      `    ${reason}, ${NOT_SCORED[reason] ?? 'not scored'}: ${passing} of ${list.length} pass`,
    )
    lines.push(`      ${list.map((s) => `${s.failed === 0 ? '✓' : '✗'} ${s.name}`).join('  ')}`)
  }
  lines.push(`  the suite's output: ${path.relative(REPO_ROOT, run.log)}`)
  return `${lines.join('\n')}\n`
}

const server = await startDevServer({
  script: 'start:everything',
  args: ['--var', 'LOG_LEVEL:warn'],
})
const failed: string[] = []
try {
  for (const revision of REVISIONS) {
    process.stdout.write(`conformance --requirements ${revision} against ${server.baseUrl}/mcp\n`)
    const run = await runSuite(`${server.baseUrl}/mcp`, revision)
    if (run.exitCode !== 0 || run.scenarios.length === 0) {
      failed.push(revision)
      process.stdout.write(`${run.summary || run.log}\n`)
    }
    process.stdout.write(report(revision, run))
  }
} finally {
  await server.stop()
}
if (failed.length > 0) {
  process.stderr.write(`\nconformance failed for ${failed.join(' and ')}\n`)
  process.exit(1)
}
process.stdout.write(`\nconformance: ${REVISIONS.join(' and ')} pass\n`)
