/**
 * Debian's Chromium for the browser tests (driven by `playwright-core`): where it is, how it is
 * started, and whether this machine has it (`.ci/run` installs it; elsewhere the suites skip).
 */
import fs from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

/** Headless, and quiet: nothing on the network but what the page asks for. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export const HAS_CHROMIUM = fs.existsSync(CHROMIUM)

/** A suite's title, saying why it is skipped where there is no Chromium. */
export function browserSuite(title: string): string {
  return HAS_CHROMIUM
    ? title
    : `${title} (skipped: ${CHROMIUM} is missing; install it with \`sudo apt-get install -y chromium\`)`
}

/** Starts the browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}
