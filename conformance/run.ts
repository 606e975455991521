/**
 * @module
 * `npm run conformance`: the official MCP conformance suite against the everything example,
 * for both eras of `/mcp` on one server: `--requirements 2025-11-25` (sessions) and
 * `--requirements 2026-07-28` (stateless). Starts `npm run start:everything` on a free loopback
 * port, runs the pinned suite for each revision, and exits non-zero if either run has any
 * failure. Results land in `conformance/results/<revision>/`.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { REPO_ROOT, startDevServer } from '../test/e2e/dev-server.ts'

const REVISIONS = ['2025-11-25', '2026-07-28'] as const
const SUITE = path.join(REPO_ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js')

/** Runs the suite for one revision with this Node; resolves with its exit code. */
function runSuite(url: string, revision: string): Promise<number> {
  const results = path.join(REPO_ROOT, 'conformance/results', revision)
  fs.rmSync(results, { recursive: true, force: true })
  const args = [SUITE, 'server', '--url', url, '--requirements', revision]
  args.push('-o', results)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' })
    child.once('error', reject)
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

const server = await startDevServer({
  script: 'start:everything',
  args: ['--var', 'LOG_LEVEL:warn'],
})
const failed: string[] = []
try {
  for (const revision of REVISIONS) {
    process.stdout.write(
      `\n### conformance --requirements ${revision} against ${server.baseUrl}/mcp\n`,
    )
    if ((await runSuite(`${server.baseUrl}/mcp`, revision)) !== 0) failed.push(revision)
  }
} finally {
  await server.stop()
}
if (failed.length > 0) {
  process.stderr.write(`\nconformance failed for ${failed.join(' and ')}\n`)
  process.exit(1)
}
process.stdout.write(`\nconformance: ${REVISIONS.join(' and ')} passed\n`)
