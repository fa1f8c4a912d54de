// The docs site: built by `npm run docs` (guides as HTML, API reference by TypeDoc), served over
// HTTP and opened in headless Chromium (Debian's package), which must show every guide's
// sections, the API pages and the code samples without a script error or a broken link.
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { extname, join, normalize, resolve } from 'node:path'

const root = resolve(__dirname, '..')
const site = join(root, 'docs/site/out')
const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))

/** The little of the DOM the page functions below touch (the tests compile without lib.dom). */
interface DomElement {
  readonly textContent: string | null
  readonly href?: string
}

interface Page {
  goto(url: string): Promise<unknown>
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void
  on(event: 'pageerror', listener: (error: Error) => void): void
  $$eval<R>(selector: string, fn: (elements: DomElement[]) => R): Promise<R>
  title(): Promise<string>
  close(): Promise<void>
}
interface Browser {
  newPage(): Promise<Page>
  close(): Promise<void>
  isConnected(): boolean
}
interface Launcher {
  launch(options: { executablePath: string; args: string[]; logger: { isEnabled(name: string): boolean; log(name: string, severity: string, message: string | Error): void } }): Promise<Browser>
}

/**
 * Chromium's own flags for a machine without a GPU, a D-Bus or an open network (the machine
 * notes' set): the GPU process and shared-memory files are where a loaded machine has seen the
 * browser exit under a test.
 */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

const TYPES: Record<string, string> = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml', '.json': 'application/json' }

function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)))
    const file = path.endsWith('/') ? join(path, 'index.html') : path
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
  })
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)))
}

describe('docs site: built by one command, rendered in headless Chromium', function () {
  this.timeout(180_000)
  let server: Server
  let base: string
  let browser: Browser
  let launcher: Launcher
  /** The browser's last lines on stderr (D-Bus complaints left out), shown when it exits under a test. */
  const stderr: string[] = []

  async function launch(): Promise<Browser> {
    stderr.length = 0
    return launcher.launch({
      executablePath: chromium!,
      args: CHROMIUM_ARGS,
      logger: {
        isEnabled: (name) => name === 'browser',
        log: (_name, _severity, message) => {
          const line = String(message)
          if (!line.includes('dbus')) stderr.push(line)
          if (stderr.length > 40) stderr.shift()
        },
      },
    })
  }

  /**
   * Runs one test's pages. Should Chromium itself exit under it (the browser, not a page of ours:
   * seen once in CI on a loaded machine), the test runs again once on a new browser, with what
   * the browser printed; an assertion about the site fails at once, as does a second exit.
   */
  async function inBrowser(body: () => Promise<void>): Promise<void> {
    if (!browser.isConnected()) browser = await launch()
    try {
      await body()
    } catch (error) {
      if (browser.isConnected()) throw error
      console.log(`[athanor] Chromium exited under the docs-site test (${(error as Error).message.split('\n')[0]}); its last lines:\n${stderr.join('\n')}\n[athanor] running the test again on a new browser`)
      browser = await launch()
      await body()
    }
  }

  before(async function () {
    if (chromium === undefined) {
      console.log('[athanor] skipping the docs-site browser test: no Chromium (apt-get install chromium, or set CHROMIUM_PATH)')
      this.skip()
    }
    execFileSync('npm', ['run', 'docs'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
    server = await serve(site)
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    launcher = (createRequire(join(root, 'docs/site/package.json'))('playwright-core') as { chromium: Launcher }).chromium
    browser = await launch()
  })

  after(async function () {
    await browser?.close()
    server?.close()
  })

  /** Opens a page and returns it with the errors it logged. */
  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${base}/${path}`)
    return { page, errors }
  }

  it('shows the guide with its sections and code samples', async function () {
    await inBrowser(async () => {
      const { page, errors } = await open('guide.html')
      const sections = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent))
      expect(sections).to.include.members(['Defining models', 'Sessions and CRUD', 'Querying with select()', 'Relationships', 'Transactions and error handling', 'Reporting queries'])
      const samples = await page.$$eval('pre.code code', (cs) => cs.map((c) => c.textContent ?? ''))
      expect(samples.length).to.be.above(20)
      expect(samples.some((s) => s.includes('new AsyncSession(engine)'))).to.equal(true)
      expect(errors).to.deep.equal([])
      await page.close()
    })
  })

  it('renders every guide page, and every link between them resolves', async function () {
    await inBrowser(async () => {
      for (const path of ['index.html', 'loading.html', 'migrations.html', 'plugins.html', 'reliability.html', 'scaling.html', 'packaging.html', 'design.html']) {
        const { page, errors } = await open(path)
        expect(await page.$$eval('h1', (hs) => hs.length), path).to.be.above(0)
        const local = (await page.$$eval('a[href]', (as) => as.map((a) => a.href ?? ''))).filter((h) => h.startsWith(base))
        for (const href of local) {
          const status = (await fetch(href.split('#')[0]!)).status
          expect(status, `${path} → ${href}`).to.equal(200)
        }
        expect(errors, path).to.deep.equal([])
        await page.close()
      }
    })
  })

  it('has API pages generated from the doc comments', async function () {
    await inBrowser(async () => {
      const { page, errors } = await open('api/index.html')
      const modules = await page.$$eval('a', (as) => as.map((a) => a.textContent?.trim() ?? ''))
      for (const name of ['@athanor/core', '@athanor/postgres', '@athanor/migrate']) expect(modules.some((m) => m.includes(name)), name).to.equal(true)
      await page.close()
      const session = await open('api/classes/_athanor_core.AsyncSession.html')
      expect(await session.page.title()).to.contain('AsyncSession')
      const text = await session.page.$$eval('body', (ms) => ms.map((m) => m.textContent ?? '').join(''))
      expect(text).to.contain('commit')
      expect(await session.page.$$eval('pre code', (cs) => cs.length)).to.be.above(0)
      expect([...errors, ...session.errors]).to.deep.equal([])
      await session.page.close()
    })
  })
})
