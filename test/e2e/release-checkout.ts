/**
 * @module
 * A past release of this repository, checked out and installed beside it, so a test can run it
 * (`startDevServer({ root })`) exactly as it shipped: the tagged tree (`git archive`, which
 * leaves this clone's worktrees alone) with its own locked packages (`npm ci`, from npm's cache
 * when it has them). A checkout is made once per tagged commit and kept in the temp dir.
 *
 * Runs in Node (vitest project `e2e`), never inside workerd.
 */
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { REPO_ROOT } from './dev-server.ts'

/** How long installing a release's packages may take (a cold npm cache downloads them). */
export const INSTALL_TIMEOUT_MS = 600_000

/** The file whose presence says a checkout was installed completely. */
const INSTALLED = '.mcp-workers-installed'

/**
 * The commit `tag` names in this clone, or undefined when the clone lacks the tag (a shallow CI
 * clone, say, or one cloned without tags).
 */
export function taggedCommit(tag: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return undefined
  }
}

/** Runs `command` in `cwd`; rejects with its output when it fails. */
function run(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-64 * 1024)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0) resolve()
      else reject(new Error(`${command} ${args.join(' ')} failed (${code}) in ${cwd}:\n${output}`))
    })
  })
}

/**
 * The directory of an installed checkout of `commit` (the release's tree, with its packages
 * installed), made on first use. Concurrent callers each build their own copy and the first to
 * finish wins the shared path.
 */
export async function releaseCheckout(tag: string, commit: string): Promise<string> {
  const dir = path.join(os.tmpdir(), `mcp-workers-${tag}-${commit.slice(0, 12)}`)
  if (fs.existsSync(path.join(dir, INSTALLED))) return dir
  const building = fs.mkdtempSync(`${dir}.building-`)
  try {
    const archive = execFileSync('git', ['archive', '--format=tar', commit], {
      cwd: REPO_ROOT,
      maxBuffer: 512 * 1024 * 1024,
    })
    execFileSync('tar', ['-x', '-C', building], { input: archive })
    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], building)
    fs.writeFileSync(path.join(building, INSTALLED), `${tag} ${commit}\n`)
    if (fs.existsSync(path.join(dir, INSTALLED))) {
      fs.rmSync(building, { recursive: true, force: true })
      return dir
    }
    // Whatever is there is an interrupted attempt's.
    fs.rmSync(dir, { recursive: true, force: true })
    fs.renameSync(building, dir)
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true })
    if (fs.existsSync(path.join(dir, INSTALLED))) return dir
    throw error
  }
  return dir
}
